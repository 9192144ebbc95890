"""The state store: ledger, cursors, review queue, quarantine and runs (SQLite or PostgreSQL)."""

from connector.store.sql import LedgerEntry, SqlStateStore

__all__ = ["LedgerEntry", "SqlStateStore"]
