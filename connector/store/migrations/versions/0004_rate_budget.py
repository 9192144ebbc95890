"""The deployment's I-Milo budget: replicas on one store share IMILO_MAX_RPS.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_budget",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("next_at", sa.Float(53), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_budget")
