"""How the connector is started: the command line, the worker and its schedule, the ops
endpoint (/healthz, /readyz, /metrics) and the demo."""
