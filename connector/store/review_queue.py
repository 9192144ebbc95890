"""The review queue: participations a counsellor must decide, and their decisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from connector.domain.model import Participation, ParticipationStatus
from connector.domain.plan import Review
from connector.store.schema import review

__all__ = [
    "APPLIED",
    "DISMISSED",
    "OPEN",
    "RESOLVED",
    "AlreadyDecided",
    "ReviewEntry",
    "ReviewQueue",
    "UnknownReviewItem",
]

OPEN, RESOLVED, APPLIED, DISMISSED = "open", "resolved", "applied", "dismissed"
_PERSONAL = {"first_name": None, "last_name": None, "external_id": None}


class UnknownReviewItem(LookupError):
    """No review item has that id, or it is not in a state that allows the change."""


class AlreadyDecided(RuntimeError):
    """The item was decided by someone else (resolved or dismissed) before this decision:
    compare-and-set lost, nothing changed. The message carries ids and states only."""


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    participation_id: int
    campaign_id: int
    structure_code: str
    reason: str
    dossier_id: int | None
    ranked: list[tuple[int, float]]
    status: str
    resolved_dossier_id: int | None
    created_at: datetime
    shared_at: datetime | None
    mastery_rate: float | None
    first_seen: datetime
    last_seen: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None  # who decided: a console user, or `review resolve --by`
    # Shown to counsellors by `review show` only; never logged.
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | None = None

    def as_participation(self) -> Participation:
        """The shared participation, rebuilt to carry out a resolution after its window."""
        return Participation(
            id=self.participation_id,
            campaign_id=self.campaign_id,
            status=ParticipationStatus.SHARED,
            created_at=self.created_at,
            shared_at=self.shared_at,
            participant_id=None,
            mastery_rate=self.mastery_rate,
            first_name=self.first_name or "",
            last_name=self.last_name or "",
            external_id=self.external_id,
        )


def _entry(row: object) -> ReviewEntry:
    m = row._mapping  # type: ignore[attr-defined]
    return ReviewEntry(
        participation_id=m["participation_id"],
        campaign_id=m["campaign_id"],
        structure_code=m["structure_code"],
        reason=m["reason"],
        dossier_id=m["dossier_id"],
        ranked=[(int(d), float(s)) for d, s in m["ranked"]],
        status=m["status"],
        resolved_dossier_id=m["resolved_dossier_id"],
        created_at=m["created_at"],
        shared_at=m["shared_at"],
        mastery_rate=m["mastery_rate"],
        first_seen=m["first_seen"],
        last_seen=m["last_seen"],
        decided_at=m["decided_at"],
        decided_by=m["decided_by"],
        first_name=m["first_name"],
        last_name=m["last_name"],
        external_id=m["external_id"],
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _who(by: str | None) -> str | None:
    """Who decided, as stored: trimmed, at most 200 characters, None when not said."""
    text = (by or "").strip()
    return text[:200] or None


class ReviewQueue:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, items: Sequence[tuple[Review, Participation]], now: datetime) -> int:
        """Add or refresh items; a participation is never queued twice, and a dismissed one
        never comes back. A resolution that could not be carried out is reopened with the
        new reason. Returns how many items are open after the call among those given."""
        if not items:
            return 0
        with self._engine.begin() as conn:
            existing = {
                row.participation_id: row.status
                for row in conn.execute(
                    select(review.c.participation_id, review.c.status).where(
                        review.c.participation_id.in_([r.participation_id for r, _ in items])
                    )
                )
            }
            fresh: list[dict[str, Any]] = []
            seen_again: list[dict[str, Any]] = []
            for item, participation in {r.participation_id: (r, p) for r, p in items}.values():
                status = existing.get(item.participation_id)
                if status in (DISMISSED, APPLIED):
                    continue
                values = {
                    "reason": item.reason.value,
                    "dossier_id": item.dossier_id,
                    "ranked": [list(pair) for pair in item.ranked],
                    "status": OPEN,
                    "last_seen": now,
                    "first_name": participation.first_name,
                    "last_name": participation.last_name,
                    "external_id": participation.external_id,
                }
                if status is None:
                    fresh.append(
                        {
                            "participation_id": item.participation_id,
                            "campaign_id": item.campaign_id,
                            "structure_code": item.structure_code,
                            "created_at": participation.created_at,
                            "shared_at": participation.shared_at,
                            "mastery_rate": participation.mastery_rate,
                            "first_seen": now,
                            **values,
                        }
                    )
                else:
                    # "was": only if no decision came in since it was read (compare-and-set).
                    seen_again.append({"item": item.participation_id, "was": status, **values})
            if fresh:
                conn.execute(insert(review), fresh)
            if seen_again:
                conn.execute(
                    update(review).where(
                        review.c.participation_id == bindparam("item"),
                        review.c.status == bindparam("was"),
                    ),
                    seen_again,
                )
            queued = len(fresh) + len(seen_again)
            return queued

    def decided(self, structure_code: str) -> dict[int, ReviewEntry]:
        """Items of the structure resolved or dismissed by a counsellor, by participation."""
        with self._engine.begin() as conn:
            rows = conn.execute(
                select(review).where(
                    review.c.structure_code == structure_code,
                    review.c.status.in_([RESOLVED, DISMISSED]),
                )
            ).all()
        return {entry.participation_id: entry for entry in map(_entry, rows)}

    def entries(
        self, structure_code: str | None = None, status: str | None = OPEN
    ) -> list[ReviewEntry]:
        query = select(review).order_by(review.c.structure_code, review.c.participation_id)
        if structure_code is not None:
            query = query.where(review.c.structure_code == structure_code)
        if status is not None:
            query = query.where(review.c.status == status)
        with self._engine.begin() as conn:
            return [_entry(row) for row in conn.execute(query).all()]

    def open_count(self) -> int:
        with self._engine.begin() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(review).where(review.c.status == OPEN)
                ).scalar_one()
            )

    def backlog(self) -> tuple[dict[str, int], dict[str, datetime]]:
        """Open items per structure, and when each structure's oldest open item was first
        seen, in one query (structures with none open are left out)."""
        query = (
            select(review.c.structure_code, func.count(), func.min(review.c.first_seen))
            .where(review.c.status == OPEN)
            .group_by(review.c.structure_code)
        )
        with self._engine.begin() as conn:
            rows = conn.execute(query).all()
        counts = {str(code): int(count) for code, count, _ in rows}
        first_seen = {
            str(code): _aware(first) for code, _, first in rows if isinstance(first, datetime)
        }
        return counts, first_seen

    def open_counts(self) -> dict[str, int]:
        """Open items per structure code (structures with none are left out)."""
        return self.backlog()[0]

    def oldest_open(self) -> datetime | None:
        """When the oldest open item was first seen (None: none open)."""
        return min(self.backlog()[1].values(), default=None)

    def open_items(
        self,
        structures: Collection[str] | None,
        *,
        reason: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[ReviewEntry], int]:
        """A page of open items of these structures (None: every one), oldest first, and
        how many there are in all. The filter is in SQL: other structures' rows never load."""
        where = [review.c.status == OPEN]
        if structures is not None:
            where.append(review.c.structure_code.in_(sorted(structures)))
        if reason:
            where.append(review.c.reason == reason)
        query = (
            select(review)
            .where(*where)
            .order_by(review.c.first_seen, review.c.participation_id)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.begin() as conn:
            total = conn.execute(select(func.count()).select_from(review).where(*where))
            count = int(total.scalar_one())
            return [_entry(row) for row in conn.execute(query).all()], count

    def get(self, participation_id: int) -> ReviewEntry:
        with self._engine.begin() as conn:
            row = conn.execute(
                select(review).where(review.c.participation_id == participation_id)
            ).first()
        if row is None:
            raise UnknownReviewItem(f"no review item {participation_id}")
        return _entry(row)

    def _decide(self, participation_id: int, now: datetime, **values: object) -> None:
        """Compare-and-set: decide the item only while it is still open, in one conditional
        UPDATE, so that of concurrent decisions exactly one wins (on PostgreSQL the losers
        wait on the row lock and then see it no longer open; SQLite serialises writers).
        A decision already taken stands: changing it is not a race to win."""
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(review)
                .where(review.c.participation_id == participation_id, review.c.status == OPEN)
                .values(decided_at=now, **values)
            )
            if changed.rowcount == 1:
                return
            status = conn.execute(
                select(review.c.status).where(review.c.participation_id == participation_id)
            ).scalar_one_or_none()
        if status in (RESOLVED, DISMISSED):
            raise AlreadyDecided(
                f"review item {participation_id} already decided ({status}): "
                "nothing changed (see `pix-imilo review show ID`)"
            )
        raise UnknownReviewItem(
            f"no open review item {participation_id} (see `pix-imilo review list`)"
        )

    def resolve(
        self, participation_id: int, dossier_id: int, now: datetime, *, by: str | None = None
    ) -> None:
        """A counsellor (``by``) names the young person's dossier; the next sync writes it."""
        self._decide(
            participation_id,
            now,
            status=RESOLVED,
            resolved_dossier_id=dossier_id,
            decided_by=_who(by),
        )

    def dismiss(self, participation_id: int, now: datetime, *, by: str | None = None) -> None:
        """A counsellor (``by``) decides nothing is to be written for this participation."""
        self._decide(participation_id, now, status=DISMISSED, decided_by=_who(by), **_PERSONAL)

    @staticmethod
    def mark_applied(conn: Connection, participation_ids: Sequence[int]) -> None:
        """Close these items in the caller's transaction, erasing what was typed."""
        conn.execute(
            update(review)
            .where(review.c.participation_id.in_(participation_ids))
            .values(status=APPLIED, **_PERSONAL)
        )
