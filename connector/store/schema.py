"""Tables of the state store. The same schema serves SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Dialect,
    Float,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

__all__ = [
    "UtcDateTime",
    "campaigns",
    "cursors",
    "leases",
    "ledger",
    "metadata",
    "quarantine",
    "rate_budget",
    "review",
    "runs",
]


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored as ISO 8601 text so both backends sort it alike."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


metadata = MetaData()

# One row per campaign: Pix's ``since`` for the next run.
cursors = Table(
    "cursors",
    metadata,
    Column("campaign_id", BigInteger, primary_key=True),
    Column("since", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per participation the connector decided to write. ``state`` is 'pending' from just
# before the first I-Milo write until both writes are done, then 'applied'. ``nature`` is the
# actualité's, NULL when none goes with the realisation (a test taken alone: revision 0003).
ledger = Table(
    "ledger",
    metadata,
    Column("participation_id", BigInteger, primary_key=True),
    Column("campaign_id", BigInteger, nullable=False, index=True),
    Column("structure_code", String(20), nullable=False),
    Column("dossier_id", BigInteger, nullable=False, index=True),
    Column("prescription_id", BigInteger, nullable=False),
    Column("realisation_date", String(10), nullable=False),
    Column("nature", String(40), nullable=True),
    Column("comment", Text, nullable=False),
    Column("state", String(10), nullable=False, index=True),
    Column("run_id", String(36), nullable=False),
    Column("planned_at", UtcDateTime, nullable=False),
    Column("applied_at", UtcDateTime, nullable=True),
)

# What a counsellor must look at; one row per participation, refreshed on every sighting.
# status: open → resolved (a dossier chosen) → applied, or open → dismissed.
# The participant's typed names and external id are kept only while the item is open or
# resolved, for the counsellor deciding it; they are erased once it is applied or dismissed.
review = Table(
    "review",
    metadata,
    Column("participation_id", BigInteger, primary_key=True),
    Column("campaign_id", BigInteger, nullable=False),
    Column("structure_code", String(20), nullable=False, index=True),
    Column("reason", String(60), nullable=False),
    Column("dossier_id", BigInteger, nullable=True),
    Column("ranked", JSON, nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("resolved_dossier_id", BigInteger, nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decided_by", String(200), nullable=True),  # who decided (revision 0005)
    Column("created_at", UtcDateTime, nullable=False),
    Column("shared_at", UtcDateTime, nullable=True),
    Column("mastery_rate", Float, nullable=True),
    Column("first_name", String(200), nullable=True),
    Column("last_name", String(200), nullable=True),
    Column("external_id", String(200), nullable=True),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
)

# The Pix campaigns the runs read (revision 0005): no personal data, what the console's
# « Activité » groups the ledger, the review queue and the quarantine by.
campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", BigInteger, primary_key=True),
    Column("structure_code", String(20), nullable=False, index=True),
    Column("code", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("diagnostic", String(10), nullable=True),  # short, long, or NULL: unknown
    Column("modality", String(20), nullable=False),  # individual, group, autonomous
    Column("last_seen", UtcDateTime, nullable=False),
)

# Records that could not be read, with a redacted copy.
quarantine = Table(
    "quarantine",
    metadata,
    Column("record_key", String(80), primary_key=True),
    Column("campaign_id", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("record", JSON, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
)

# One row per partition of the work (an I-Milo structure): which replica holds it, until when.
leases = Table(
    "leases",
    metadata,
    Column("partition", String(80), primary_key=True),
    Column("holder", String(80), nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),
)

# The deployment's I-Milo budget (connector/store/replicas.py): the next free slot, in seconds
# since the epoch on the store's clock, shared by every replica.
rate_budget = Table(
    "rate_budget",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("next_at", Float(53), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("counts", JSON, nullable=True),
)
