"""Alembic migrations of the state store, shared by SQLite and PostgreSQL."""
