"""« À vérifier »: the review queue a counsellor works, in the console.

The list shows no names. An item shows what the young person typed and the candidate
dossiers with their names, read from I-Milo as the page opens and never stored. A decision
goes through the review queue's compare-and-set (``ReviewQueue.resolve``/``dismiss``), with
who decided; the next sync carries it out, as for ``pix-imilo review resolve``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from connector.console.auth import SignedIn
from connector.console.context import ConsoleContext
from connector.console.pages import NotFound, Pages, check_form
from connector.domain.model import Dossier
from connector.domain.review_words import REASON_WORDS, reason_words
from connector.errors import ApiError
from connector.pix.csv_export import guarded
from connector.store.campaign_facts import CampaignFact
from connector.store.review_queue import OPEN, AlreadyDecided, ReviewEntry, UnknownReviewItem

__all__ = ["ReviewPages"]

PAGE_SIZE = 50
_DIAGNOSTIC = {"short": "court", "long": "long"}
log = structlog.get_logger("connector.console")


@dataclass(frozen=True, slots=True)
class CandidateView:
    dossier_id: int
    score: float | None
    typed: bool  # the number the young person typed
    dossier: Dossier | None
    readable: bool  # I-Milo answered
    elsewhere: bool  # I-Milo places it in another structure: no name shown, no button


def _age(first_seen: datetime, now: datetime) -> str:
    days = max(0, (now - first_seen).days)
    return "aujourd'hui" if days == 0 else ("1 jour" if days == 1 else f"{days} jours")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class ReviewPages:
    def __init__(self, context: ConsoleContext, pages: Pages) -> None:
        self._context = context
        self._pages = pages

    def _campaign(self, facts: dict[int, CampaignFact], campaign_id: int) -> dict[str, str]:
        fact = facts.get(campaign_id)
        if fact is None:
            return {"label": f"n° {campaign_id}", "diagnostic": "inconnu"}
        return {
            "label": guarded(fact.code) + (f" — {guarded(fact.name)}" if fact.name else ""),
            "diagnostic": _DIAGNOSTIC.get(fact.diagnostic or "", "inconnu"),
        }

    def _test_day(self, entry: ReviewEntry) -> str:
        moment = entry.shared_at or entry.created_at
        return f"{moment.astimezone(self._context.zone_of(entry.structure_code)):%d/%m/%Y}"

    def _visible(self, user: SignedIn, code: str) -> bool:
        return self._context.mappings.access().may_see(user.viewer, code)

    def _entry(self, user: SignedIn, item_id: int) -> ReviewEntry:
        """The item, if this user may see it; anything else is « not found » (404)."""
        try:
            entry = self._context.store.reviews.get(item_id)
        except UnknownReviewItem:
            raise NotFound("review_item_unknown") from None
        if not self._visible(user, entry.structure_code):
            raise NotFound("review_item_of_another_structure")
        return entry

    # ---- the list -----------------------------------------------------------------------
    def listing(self, request: Request, user: SignedIn) -> Response:
        access = self._context.mappings.access()
        admin = access.is_admin(user.viewer)
        visible = None if admin else access.structures_for(user.viewer)
        structure = request.query_params.get("structure") or None
        reason = request.query_params.get("raison") or None
        if reason not in (None, *REASON_WORDS):
            reason = None
        if structure is not None:
            if not access.may_see(user.viewer, structure):
                raise NotFound("review_list_of_another_structure")
            visible = frozenset({structure})
        page = max(1, _int(request.query_params.get("page"), 1))
        entries, total = self._context.store.reviews.open_items(
            visible, reason=reason, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        pages = max(1, math.ceil(total / PAGE_SIZE))
        facts = self._context.store.campaigns.all()
        now = self._context.clock()
        rows = [
            {
                "id": e.participation_id,
                "structure": e.structure_code,
                "reason": reason_words(e.reason),
                "test_day": self._test_day(e),
                "campaign": self._campaign(facts, e.campaign_id),
                "age": _age(e.first_seen, now),
            }
            for e in entries
        ]
        self._context.refresh_backlog()
        choices = sorted(access.structures if admin else access.structures_for(user.viewer))
        return self._pages.render(
            request,
            user,
            "review_list.html",
            section="review",
            title="À vérifier",
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            structures=choices,
            structure=structure,
            reasons=sorted(REASON_WORDS.items(), key=lambda item: item[1]),
            reason=reason,
            flash=request.session.pop("flash", None),
            is_admin=admin,
        )

    # ---- one item -------------------------------------------------------------------------
    def _candidates(self, entry: ReviewEntry) -> list[CandidateView]:
        ranked: list[tuple[int, float | None]] = list(entry.ranked)
        if entry.dossier_id is not None and entry.dossier_id not in {d for d, _ in ranked}:
            ranked.insert(0, (entry.dossier_id, None))
        views = []
        for dossier_id, score in ranked:
            try:
                dossier = self._context.imilo.dossier(dossier_id)
                readable = True
            except ApiError as error:
                log.warning("console_dossier_unreadable", error_type=type(error).__name__)
                dossier, readable = None, False
            elsewhere = (
                dossier is not None
                and dossier.structure_code is not None
                and dossier.structure_code != entry.structure_code
            )
            views.append(
                CandidateView(
                    dossier_id=dossier_id,
                    score=score,
                    typed=dossier_id == entry.dossier_id,
                    dossier=None if elsewhere else dossier,
                    readable=readable,
                    elsewhere=elsewhere,
                )
            )
        return views

    def item(self, request: Request, user: SignedIn, item_id: int) -> Response:
        entry = self._entry(user, item_id)
        facts = self._context.store.campaigns.all()
        candidates = self._candidates(entry) if entry.status == OPEN else []
        typed = {
            "first_name": guarded(entry.first_name) if entry.first_name else None,
            "last_name": guarded(entry.last_name) if entry.last_name else None,
            "external_id": guarded(entry.external_id) if entry.external_id else None,
        }
        zone = self._context.zone_of(entry.structure_code)
        decided_at = entry.decided_at.astimezone(zone) if entry.decided_at else None
        return self._pages.render(
            request,
            user,
            "review_item.html",
            section="review",
            title=f"À vérifier — n° {entry.participation_id}",
            entry=entry,
            open=entry.status == OPEN,
            reason=reason_words(entry.reason),
            test_day=self._test_day(entry),
            campaign=self._campaign(facts, entry.campaign_id),
            typed=typed,
            candidates=candidates,
            decided_at=f"{decided_at:%d/%m/%Y à %H:%M}" if decided_at else None,
            age=_age(entry.first_seen, self._context.clock()),
        )

    # ---- a decision -----------------------------------------------------------------------
    async def decide(self, request: Request, user: SignedIn, item_id: int) -> Response:
        form = await check_form(request)
        entry = await run_in_threadpool(self._entry, user, item_id)
        choice = str(form.get("choix", ""))
        if entry.status != OPEN:
            return self._after(request, item_id, "Cet élément a déjà été décidé.")
        if choice == "rien":
            return await run_in_threadpool(self._decide, request, user, entry, None)
        allowed = {d for d, _ in entry.ranked} | (
            {entry.dossier_id} if entry.dossier_id is not None else set()
        )
        dossier = _int(choice.removeprefix("dossier:"), 0) if choice.startswith("dossier:") else 0
        if dossier not in allowed:
            return self._pages.error(
                request, user, 400, "Ce choix n'est pas proposé pour cet élément."
            )
        return await run_in_threadpool(self._decide, request, user, entry, dossier)

    def _decide(
        self, request: Request, user: SignedIn, entry: ReviewEntry, dossier: int | None
    ) -> Response:
        reviews, now = self._context.store.reviews, self._context.clock()
        try:
            if dossier is None:
                reviews.dismiss(entry.participation_id, now, by=user.label)
            else:
                reviews.resolve(entry.participation_id, dossier, now, by=user.label)
        except AlreadyDecided:
            return self._after(
                request,
                entry.participation_id,
                "Un collègue a décidé cet élément juste avant vous : sa décision est gardée.",
            )
        kind = "nothing" if dossier is None else "dossier"
        self._context.metrics.console_decisions.labels(kind).inc()
        self._context.refresh_backlog()
        log.info(
            "console_decision",
            item=entry.participation_id,
            decision=kind,
            structure=entry.structure_code,
        )
        if dossier is None:
            said = f"Élément n° {entry.participation_id} : rien ne sera écrit."
        else:
            said = (
                f"Élément n° {entry.participation_id} : le dossier {dossier} est retenu ; "
                "le prochain passage du connecteur l'écrira dans I-Milo."
            )
        request.session["flash"] = said
        return RedirectResponse("/a-verifier", status_code=303)

    def _after(self, request: Request, item_id: int, said: str) -> Response:
        request.session["flash"] = said
        return RedirectResponse(f"/a-verifier/{item_id}", status_code=303)
