"""The web console: who decided a review item, and what each campaign read is.

``review.decided_by`` records the counsellor (or ``review resolve --by``) behind a decision.
``campaigns`` keeps, per Pix campaign the runs read, its code, name, structure, diagnostic
and modality: no personal data, what the console's « Activité » groups by.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("decided_by", sa.String(200), nullable=True))
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.BigInteger, primary_key=True),
        sa.Column("structure_code", sa.String(20), nullable=False, index=True),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("diagnostic", sa.String(10), nullable=True),
        sa.Column("modality", sa.String(20), nullable=False),
        sa.Column("last_seen", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaigns")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("decided_by")
