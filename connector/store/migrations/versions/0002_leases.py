"""Leases: several replicas share the work, one structure at a time each.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("partition", sa.String(80), primary_key=True),
        sa.Column("holder", sa.String(80), nullable=True),
        sa.Column("expires_at", sa.String(40), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("leases")
