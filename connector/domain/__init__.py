"""The pure core: decisions about participations, dossiers and prescriptions.

Nothing here does I/O, reads the clock or holds global state.
"""
