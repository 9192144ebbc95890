"""I-Milo: where results are written (the port, and its HTTP adapter)."""
