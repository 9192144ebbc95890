"""« Activité » (what the connector did, per structure and month) and « Charte » (each
structure's « Evaluation PIX » offer against the charter, as ``charte check`` shows it)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from connector.console.activity import (
    COLUMNS,
    activity_csv,
    activity_lines,
    displayed_row,
    national_lines,
)
from connector.console.auth import SignedIn
from connector.console.context import ConsoleContext
from connector.console.pages import NotFound, Pages
from connector.domain.timezones import METROPOLITAN_TIMEZONE
from connector.errors import ApiError
from connector.run.charter_check import UNKNOWN_RULE, check_structure, unknown_structure
from connector.store.activity import read_activity

__all__ = ["CHARTER_TTL", "OverviewPages"]

CHARTER_TTL = timedelta(minutes=15)


class OverviewPages:
    def __init__(self, context: ConsoleContext, pages: Pages) -> None:
        self._context = context
        self._pages = pages
        self._lock = threading.Lock()
        self._checked: dict[str, tuple[datetime, dict[str, Any]]] = {}

    def _scope(self, user: SignedIn) -> tuple[bool, frozenset[str] | None]:
        access = self._context.mappings.access()
        if access.is_admin(user.viewer):
            return True, None
        return False, access.structures_for(user.viewer)

    def activity(self, request: Request, user: SignedIn) -> Response:
        admin, visible = self._scope(user)
        realised, waiting = read_activity(self._context.store.engine, visible)
        zone_of = self._context.zone_of
        structures = [displayed_row(line) for line in activity_lines(realised, waiting, zone_of)]
        national = (
            [displayed_row(line) for line in national_lines(realised, waiting, zone_of)]
            if admin
            else []
        )
        return self._pages.render(
            request,
            user,
            "activity.html",
            section="activity",
            title="Activité",
            headers=[header for _, header in COLUMNS],
            structures=structures,
            national=national,
            is_admin=admin,
        )

    def activity_csv(self, request: Request, user: SignedIn) -> Response:
        view = request.query_params.get("vue", "structures")
        if view not in ("structures", "national"):
            raise NotFound("activity_view_unknown")
        admin, visible = self._scope(user)
        if view == "national" and not admin:
            raise NotFound("national_view_not_admin")
        realised, waiting = read_activity(self._context.store.engine, visible)
        lines = (national_lines if view == "national" else activity_lines)(
            realised, waiting, self._context.zone_of
        )
        return Response(
            activity_csv(lines),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="pix-imilo-activite-{view}.csv"'
            },
        )

    def charter(self, request: Request, user: SignedIn) -> Response:
        admin, visible = self._scope(user)
        mappings = self._context.mappings.mappings()
        if visible is None:
            access = self._context.mappings.access()
            codes = set(access.structures) | set(mappings.organisations.values())
            codes |= {f.structure_code for f in self._context.store.campaigns.all().values()}
        else:
            codes = set(visible)
        name = mappings.imilo.offer_name
        results = [self._verdict(code, name) for code in sorted(codes)]
        with self._lock:
            checked = min((self._checked[c][0] for c in codes if c in self._checked), default=None)
        zone = ZoneInfo(METROPOLITAN_TIMEZONE)
        return self._pages.render(
            request,
            user,
            "charter.html",
            section="charter",
            title="Charte",
            results=results,
            offer_name=name,
            unknown_rule=UNKNOWN_RULE,
            is_admin=admin,
            checked=f"{checked.astimezone(zone):%d/%m/%Y à %H:%M}" if checked else None,
        )

    def _verdict(self, code: str, name: str) -> dict[str, Any]:
        """The structure's verdict, read from I-Milo at most every ``CHARTER_TTL``: a
        national admin's page would otherwise cost two requests per structure each time."""
        now = self._context.clock()
        with self._lock:
            at, found = self._checked.get(code, (None, None))
        if at is not None and found is not None and now - at < CHARTER_TTL:
            return found
        try:
            # The console reads no Pix: an offer's start date is checked against nothing.
            found = check_structure(self._context.imilo, code, name, lambda: None)
        except ApiError:
            # Not kept: the next page asks again.
            return {**unknown_structure(code), "problem": "I-Milo n'a pas répondu"}
        verdict = found or unknown_structure(code)
        with self._lock:
            self._checked[code] = (now, verdict)
        return verdict
