"""The ledger's nature may be NULL: a test taken alone is realised with no actualité.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NATURE = sa.String(40)


def upgrade() -> None:
    # SQLite cannot alter a column: batch mode copies the table, rows and indexes included.
    # PostgreSQL alters it in place.
    with op.batch_alter_table("ledger") as batch:
        batch.alter_column("nature", existing_type=_NATURE, nullable=True)


def downgrade() -> None:
    """Back to NOT NULL. An older connector would record an actualité for a pending intent
    that has none, so those must be finished first; an applied row's nature is never read
    again, and gets the old default."""
    ledger = sa.table("ledger", sa.column("nature", _NATURE), sa.column("state", sa.String(10)))
    connection = op.get_bind()
    pending = connection.execute(
        sa.select(sa.func.count())
        .select_from(ledger)
        .where(ledger.c.nature.is_(None), ledger.c.state == "pending")
    ).scalar_one()
    if pending:
        raise RuntimeError(
            f"{pending} pending intent(s) without an actualité: run a sync to finish them "
            "before downgrading"
        )
    op.execute(
        ledger.update().where(ledger.c.nature.is_(None)).values(nature="ENTRETIEN_INDIVIDUEL")
    )
    with op.batch_alter_table("ledger") as batch:
        batch.alter_column("nature", existing_type=_NATURE, nullable=False)
