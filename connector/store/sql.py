"""``SqlStateStore``: the state store on SQLAlchemy Core (SQLite by default, PostgreSQL too)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from connector.domain.model import Nature
from connector.domain.plan import PendingIntent, PlannedWrite
from connector.domain.records import InvalidParticipation
from connector.errors import ConfigurationError
from connector.store.campaign_facts import CampaignFacts
from connector.store.migrate import check_schema, head_revision, upgrade_schema
from connector.store.review_queue import ReviewQueue
from connector.store.schema import (
    cursors,
    ledger,
    quarantine,
    runs,
)

__all__ = ["LedgerEntry", "SqlStateStore"]

PENDING = "pending"
APPLIED = "applied"
_CHUNK = 500  # keeps IN (...) lists well under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    participation_id: int
    campaign_id: int
    structure_code: str
    dossier_id: int
    prescription_id: int
    realisation_date: date
    nature: Nature | None  # None: no actualité goes with this realisation
    comment: str
    state: str


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600), before SQLite does: SQLite
    gives its -wal, -shm and -journal files the database file's mode. An existing file, and
    its mode, are left alone."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        # It exists (its mode is the owner's choice), or SQLite will say why it cannot open it.
        return
    os.close(descriptor)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "CONNECTOR_DATABASE_URL: not a database URL "
            "(expected e.g. sqlite:///var/pix-imilo.db or postgresql+psycopg://…)"
        ) from None


def _engine(url: str, *, create: bool = True) -> Engine:
    """An engine on ``url``; with ``create``, a SQLite file (and its folder) that does not
    exist yet is created, else it is refused before anything touches the disk."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        on_disk = bool(parsed.database) and parsed.database != ":memory:"
        if on_disk and not parsed.query.get("uri") and not create:
            if not Path(str(parsed.database)).is_file():
                raise ConfigurationError(
                    f"CONNECTOR_DATABASE_URL: no state store at {parsed.database} (this "
                    "connector expects one at schema revision "
                    f"{head_revision()}): check the URL, or create the store with "
                    "`pix-imilo db upgrade` (or start the worker, which does it)"
                )
        elif on_disk and create:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            if not parsed.query.get("uri"):
                _create_private(Path(str(parsed.database)))
        engine = create_engine(parsed)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers (health, CLI) never block the worker; FULL: a commit survives a crash.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError:
        raise ConfigurationError(
            "CONNECTOR_DATABASE_URL: the driver for this database is not installed "
            "(for PostgreSQL: pip install 'pix-imilo[postgres]')"
        ) from None


class SqlStateStore:
    """Everything the connector must remember between runs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.engine = engine
        self.reviews = ReviewQueue(engine)
        self.campaigns = CampaignFacts(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> SqlStateStore:
        """Connect, and create or upgrade the schema on first use.

        With ``migrate=False`` (the commands that only read the store, or decide review
        items), nothing is created or upgraded: a missing store, or one at another schema
        revision than this code's, is a ``ConfigurationError`` and changes nothing."""
        if migrate:
            store = cls(_engine(url))
            store.upgrade()
            return store
        engine = _engine(url, create=False)
        try:
            check_schema(engine, _parse(url).render_as_string(hide_password=True))
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def upgrade(self) -> None:
        """Create or upgrade the schema (Alembic), under a lock so that replicas starting
        together do not race."""
        upgrade_schema(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn

    # cursors -------------------------------------------------------------------------------
    def cursor(self, campaign_id: int) -> datetime | None:
        with self._tx() as conn:
            since: datetime | None = conn.execute(
                select(cursors.c.since).where(cursors.c.campaign_id == campaign_id)
            ).scalar_one_or_none()
            return since

    def advance_cursors(self, newest: Mapping[int, datetime], now: datetime) -> None:
        """Move each campaign's cursor forward to ``newest[campaign]`` (never back), in one
        commit."""
        if not newest:
            return
        with self._tx() as conn:
            current = dict(
                conn.execute(
                    select(cursors.c.campaign_id, cursors.c.since).where(
                        cursors.c.campaign_id.in_(list(newest))
                    )
                ).all()
            )
            for campaign_id, since in sorted(newest.items()):
                if campaign_id not in current:
                    conn.execute(
                        insert(cursors).values(campaign_id=campaign_id, since=since, updated_at=now)
                    )
                elif since > current[campaign_id]:
                    conn.execute(
                        update(cursors)
                        .where(cursors.c.campaign_id == campaign_id)
                        .values(since=since, updated_at=now)
                    )

    # ledger --------------------------------------------------------------------------------
    def applied_participations(self, participation_ids: Iterable[int]) -> frozenset[int]:
        found: set[int] = set()
        with self._tx() as conn:
            for chunk in _chunks(participation_ids):
                found.update(
                    conn.execute(
                        select(ledger.c.participation_id).where(
                            ledger.c.participation_id.in_(chunk), ledger.c.state == APPLIED
                        )
                    ).scalars()
                )
        return frozenset(found)

    def applied_campaigns_by_dossier(self, dossier_ids: Iterable[int]) -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        with self._tx() as conn:
            for chunk in _chunks(dossier_ids):
                rows = conn.execute(
                    select(ledger.c.dossier_id, ledger.c.campaign_id).where(
                        ledger.c.dossier_id.in_(chunk), ledger.c.state == APPLIED
                    )
                )
                for dossier_id, campaign_id in rows:
                    found[dossier_id].add(campaign_id)
        return {dossier: frozenset(campaigns) for dossier, campaigns in found.items()}

    def begin_writes(self, writes: Sequence[PlannedWrite], run_id: str, now: datetime) -> None:
        """Record the intents durably, in one commit, *before* their first I-Milo write
        (write-ahead). An intent left pending by an earlier run is replaced by the new plan."""
        rows = {
            w.participation_id: {
                "participation_id": w.participation_id,
                "campaign_id": w.campaign_id,
                "structure_code": w.structure_code,
                "dossier_id": w.dossier_id,
                "prescription_id": w.prescription_id,
                "realisation_date": w.realisation_date.isoformat(),
                "nature": w.nature.value if w.nature is not None else None,
                "comment": w.comment,
                "state": PENDING,
                "run_id": run_id,
                "planned_at": now,
            }
            for w in writes
        }
        if not rows:
            return
        with self._tx() as conn:
            known: set[int] = set()
            for chunk in _chunks(rows):
                known.update(
                    conn.execute(
                        select(ledger.c.participation_id).where(
                            ledger.c.participation_id.in_(chunk)
                        )
                    ).scalars()
                )
            fresh = [row for pid, row in rows.items() if pid not in known]
            if fresh:
                conn.execute(insert(ledger), fresh)
            for pid in sorted(known):
                values = {k: v for k, v in rows[pid].items() if k != "participation_id"}
                conn.execute(
                    update(ledger)
                    .where(ledger.c.participation_id == pid, ledger.c.state == PENDING)
                    .values(**values)
                )

    def settle_writes(self, applied: Iterable[int], dropped: Iterable[int], now: datetime) -> None:
        """In one commit: the intents carried out become *applied* (and their review items
        close); those that never will be (not started, or refused) are forgotten."""
        with self._tx() as conn:
            for chunk in _chunks(applied):
                conn.execute(
                    update(ledger)
                    .where(ledger.c.participation_id.in_(chunk))
                    .values(state=APPLIED, applied_at=now)
                )
                ReviewQueue.mark_applied(conn, chunk)
            for chunk in _chunks(dropped):
                conn.execute(
                    delete(ledger).where(
                        ledger.c.participation_id.in_(chunk), ledger.c.state == PENDING
                    )
                )

    def pending_writes(self, structure_codes: Iterable[str] | None = None) -> list[LedgerEntry]:
        """Intents left pending by an interrupted run (of these structures only, if given)."""
        query = select(ledger).where(ledger.c.state == PENDING)
        if structure_codes is not None:
            query = query.where(ledger.c.structure_code.in_(list(structure_codes)))
        with self._tx() as conn:
            rows = conn.execute(query.order_by(ledger.c.participation_id)).all()
        return [_entry(row._mapping) for row in rows]

    def pending_intents(self, structure_code: str) -> dict[int, PendingIntent]:
        """The structure's intents still pending (after their resume), by participation id:
        what they claim, for the plan (``plan`` rule 6)."""
        query = select(
            ledger.c.participation_id,
            ledger.c.dossier_id,
            ledger.c.campaign_id,
            ledger.c.prescription_id,
        ).where(ledger.c.state == PENDING, ledger.c.structure_code == structure_code)
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return {
            row.participation_id: PendingIntent(
                row.dossier_id, row.campaign_id, row.prescription_id
            )
            for row in rows
        }

    def ledger_entries(self) -> list[LedgerEntry]:
        with self._tx() as conn:
            rows = conn.execute(select(ledger).order_by(ledger.c.participation_id)).all()
        return [_entry(row._mapping) for row in rows]

    # quarantine ----------------------------------------------------------------------------
    def put_quarantine(self, record: InvalidParticipation, now: datetime) -> None:
        with self._tx() as conn:
            updated = conn.execute(
                update(quarantine)
                .where(quarantine.c.record_key == record.key)
                .values(reason=record.reason, record=record.redacted, last_seen=now)
            )
            if updated.rowcount == 0:
                conn.execute(
                    insert(quarantine).values(
                        record_key=record.key,
                        campaign_id=record.campaign_id,
                        reason=record.reason,
                        record=record.redacted,
                        first_seen=now,
                        last_seen=now,
                    )
                )

    def quarantine_entries(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(
                select(quarantine).order_by(quarantine.c.campaign_id, quarantine.c.record_key)
            ).all()
        return [dict(row._mapping) for row in rows]

    def retry_quarantined(self, record_key: str | None) -> list[str]:
        """Forget quarantined records (one, or all when ``record_key`` is None) and rewind
        their campaigns' cursors, so that the next run reads them again from Pix, fixed or
        not. The ledger makes the re-read harmless. Returns the keys released."""
        with self._tx() as conn:
            query = select(quarantine.c.record_key, quarantine.c.campaign_id)
            if record_key is not None:
                query = query.where(quarantine.c.record_key == record_key)
            rows = conn.execute(query).all()
            keys = [row.record_key for row in rows]
            campaigns = {row.campaign_id for row in rows}
            if keys:
                conn.execute(delete(quarantine).where(quarantine.c.record_key.in_(keys)))
            if campaigns:
                conn.execute(delete(cursors).where(cursors.c.campaign_id.in_(campaigns)))
        return keys

    def quarantine_count(self) -> int:
        with self._tx() as conn:
            return len(conn.execute(select(quarantine.c.record_key)).all())

    # runs ----------------------------------------------------------------------------------
    def start_run(self, run_id: str, now: datetime) -> None:
        with self._tx() as conn:
            conn.execute(insert(runs).values(run_id=run_id, started_at=now))

    def finish_run(self, run_id: str, now: datetime, outcome: str, counts: dict[str, int]) -> None:
        with self._tx() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.run_id == run_id)
                .values(finished_at=now, outcome=outcome, counts=counts)
            )


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        participation_id=row["participation_id"],
        campaign_id=row["campaign_id"],
        structure_code=row["structure_code"],
        dossier_id=row["dossier_id"],
        prescription_id=row["prescription_id"],
        realisation_date=date.fromisoformat(row["realisation_date"]),
        nature=Nature(row["nature"]) if row["nature"] is not None else None,
        comment=row["comment"],
        state=row["state"],
    )
