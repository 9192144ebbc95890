"""Hostile servers: slow, huge, deep, lying or redirecting answers in front of the simulators."""
