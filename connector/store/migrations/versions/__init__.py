"""Migration scripts, applied in order by ``SqlStateStore.upgrade``."""
