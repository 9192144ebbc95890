"""The first schema: cursors, ledger, review queue, quarantine, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(40)  # UtcDateTime: ISO 8601 text, sorts alike on both backends


def upgrade() -> None:
    op.create_table(
        "cursors",
        sa.Column("campaign_id", sa.BigInteger, primary_key=True),
        sa.Column("since", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )
    op.create_table(
        "ledger",
        sa.Column("participation_id", sa.BigInteger, primary_key=True),
        sa.Column("campaign_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("structure_code", sa.String(20), nullable=False),
        sa.Column("dossier_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("prescription_id", sa.BigInteger, nullable=False),
        sa.Column("realisation_date", sa.String(10), nullable=False),
        sa.Column("nature", sa.String(40), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("planned_at", TIME, nullable=False),
        sa.Column("applied_at", TIME, nullable=True),
    )
    op.create_table(
        "review",
        sa.Column("participation_id", sa.BigInteger, primary_key=True),
        sa.Column("campaign_id", sa.BigInteger, nullable=False),
        sa.Column("structure_code", sa.String(20), nullable=False, index=True),
        sa.Column("reason", sa.String(60), nullable=False),
        sa.Column("dossier_id", sa.BigInteger, nullable=True),
        sa.Column("ranked", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("resolved_dossier_id", sa.BigInteger, nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("shared_at", TIME, nullable=True),
        sa.Column("mastery_rate", sa.Float, nullable=True),
        sa.Column("first_name", sa.String(200), nullable=True),
        sa.Column("last_name", sa.String(200), nullable=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
    )
    op.create_table(
        "quarantine",
        sa.Column("record_key", sa.String(80), primary_key=True),
        sa.Column("campaign_id", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("counts", sa.JSON, nullable=True),
    )


def downgrade() -> None:
    for table in ("runs", "quarantine", "review", "ledger", "cursors"):
        op.drop_table(table)
