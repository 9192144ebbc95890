"""``MaddoPix``: the Pix partner pull API ("MaDDo") as a ``PixSource``.

Pix pages participations by offset. A participation added, deleted or newly shared between
two page reads shifts the rows: one can be read twice, or skipped. A read of one page is one
answer, so it is whole. A read of several pages is confirmed: every page is read again, and
rows the earlier passes did not bring are given too. Once a pass brings nothing new the read
is settled; after ``MAX_READ_PASSES`` passes that all brought something new, ``UnsettledRead``
is raised after the last record, so that the campaign's cursor does not move this run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import structlog

from connector.domain.model import Campaign, Organisation
from connector.errors import FatalApiError, MalformedResponse, UnsettledRead
from connector.pix.auth import PixTokenAuth
from connector.pix.records import (
    MAX_ID,
    InvalidParticipation,
    ParticipationRecord,
    parse_participation,
)
from connector.transport.answers import json_body, raise_if_transient, send
from connector.transport.exchange import Answer, Bounds, GuardedTransport, exchange
from connector.transport.instrumented import ApiObserver
from connector.transport.retry import DEFAULT_RETRY, Retrier, RetryPolicy

__all__ = ["CAMPAIGNS_PAGE_SIZE", "MAX_READ_PASSES", "PARTICIPATIONS_PAGE_SIZE", "MaddoPix"]

CAMPAIGNS_PAGE_SIZE = 1000  # Pix's maximum
PARTICIPATIONS_PAGE_SIZE = 200  # Pix's maximum
DEFAULT_TIMEOUT = 30.0  # seconds for a whole request: connect, headers and body
DEFAULT_MAX_ANSWER_MB = 20.0
# A guard against a server that never stops paging: 2 million participations in one
# campaign, or 10 million campaigns; the run's deadline usually comes first.
MAX_PAGES = 10_000
# A read of several pages is read again until a pass brings no row the earlier ones did not.
MAX_READ_PASSES = 3

log = structlog.get_logger("connector.pix")


class _OutOfRange(ValueError):
    pass


def _id(value: Any) -> int:
    """An id as Pix serves it (a number, or its digits), within 1..2^63-1 as the store keeps
    ids; ``_OutOfRange`` (a ``ValueError``) outside."""
    number = int(value)  # a float is cut, as before; str beyond 4300 digits is a ValueError
    if not 1 <= number <= MAX_ID:
        raise _OutOfRange("outside 1..2^63-1")
    return number


def _check(response: Answer, what: str) -> Any:
    raise_if_transient("pix", what, response)
    if response.status_code == 403:
        raise FatalApiError("pix", f"{what} is outside this client's organisations or scopes", 403)
    return json_body("pix", what, response)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class MaddoPix:
    """Reads organisations, campaigns and participations through the MaDDo API."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_answer_mb: float = DEFAULT_MAX_ANSWER_MB,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        observer: ApiObserver | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        on_retry = (lambda: observer.observe_retry("pix")) if observer else lambda: None
        self._retrier = Retrier(retry, on_retry=on_retry, stop=stop)
        auth = (
            PixTokenAuth(base_url, client_id, client_secret, clock=clock)
            if clock is not None
            else PixTokenAuth(base_url, client_id, client_secret)
        )
        self.auth = auth
        self.unreadable_organisations = 0
        self._bounds = Bounds.of(timeout, max_answer_mb, stop)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            transport=transport or GuardedTransport(),
        )

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str, what: str, params: dict[str, str] | None = None) -> Any:
        def attempt() -> Any:
            answer = send(
                "pix",
                what,
                lambda: exchange(self._client, "GET", path, self._bounds, params=params),
            )
            return _check(answer, what)

        return self._retrier(attempt)

    def organisations(self) -> list[Organisation]:
        body = self._get("/api/organizations", "organisations")
        if not isinstance(body, list):
            raise MalformedResponse("pix", "organisations: expected a list")
        organisations = []
        self.unreadable_organisations = 0
        for item in body:
            try:
                external = item.get("externalId")
                organisations.append(
                    Organisation(
                        id=_id(item["id"]),
                        name=str(item.get("name") or ""),
                        external_id=str(external).strip() or None if external else None,
                    )
                )
            except _OutOfRange:
                # Only this organisation is left out: the others are synced.
                log.error("organisation_skipped", reason="its id is outside 1..2^63-1")
                self.unreadable_organisations += 1
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                raise MalformedResponse("pix", "organisations: an item has no valid id") from None
        return organisations

    def _pages(
        self, path: str, what: str, key: str, size: int, params: dict[str, str]
    ) -> Iterator[list[Any]]:
        """The rows of each page in turn, until ``page.count`` (or an empty page).

        A page whose rows all have ids already read in this pass is an error: a row inserted
        between two reads shifts one row onto the next page, never a whole page of them. Only
        a last page of one row, shifted there, is let through."""
        number = 1
        seen: set[int | str] = set()
        while number <= MAX_PAGES:
            query = {**params, "page[number]": str(number), "page[size]": str(size)}
            body = self._get(path, f"{what} page {number}", query)
            rows = body.get(key) if isinstance(body, dict) else None
            if not isinstance(rows, list):
                raise MalformedResponse("pix", f"{what} page {number}: no {key} list")
            page = body.get("page")
            count = page.get("count") if isinstance(page, dict) else None
            if not isinstance(count, int):
                raise MalformedResponse("pix", f"{what} page {number}: no page count")
            ids = [_row_id(row) for row in rows]
            repeated = bool(rows) and all(i is not None and i in seen for i in ids)
            if repeated and (len(rows) > 1 or number < count):
                raise MalformedResponse(
                    "pix", f"{what} page {number}: repeats the ids of earlier pages"
                )
            seen.update(i for i in ids if i is not None)
            yield rows
            if number >= count or not rows:
                return
            number += 1
        raise MalformedResponse("pix", f"{what}: more than {MAX_PAGES} pages")

    def campaigns(self, organisation_id: int) -> Iterator[Campaign]:
        path = f"/api/organizations/{organisation_id}/campaigns"
        what = f"campaigns of organisation {organisation_id}"
        params = {"withArchived": "true"}
        for rows in self._pages(path, what, "campaigns", CAMPAIGNS_PAGE_SIZE, params):
            for item in rows:
                yield _campaign(item, organisation_id)

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        """Every row of the first pass as served (a row shifted onto the next page comes
        twice: the reader drops the copy), then the rows each confirming pass adds."""
        path = f"/api/campaigns/{campaign.id}/participations"
        what = f"participations of campaign {campaign.id}"
        params = {"since": _iso(since)} if since is not None else {}
        seen: set[str] = set()
        for number in range(1, MAX_READ_PASSES + 1):
            pages = added = 0
            for rows in self._pages(
                path, what, "campaignParticipations", PARTICIPATIONS_PAGE_SIZE, params
            ):
                pages += 1
                for raw in rows:
                    record = parse_participation(raw, campaign.id)
                    key = _key(record)
                    if number == 1 or key not in seen:
                        seen.add(key)
                        added += 1
                        yield record
            if pages <= 1 or (number > 1 and added == 0):
                # One page is one answer, whole by itself; or this pass confirmed the earlier.
                return
        raise UnsettledRead(
            "pix", f"{what} kept changing over {MAX_READ_PASSES} reads: read again next run"
        )


def _row_id(row: Any) -> int | str | None:
    """A raw row's id, to tell a page that repeats earlier ones (None: no usable id)."""
    value = row.get("id") if isinstance(row, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= 64:
        return value
    return None


def _key(record: ParticipationRecord) -> str:
    """What tells two rows apart across passes (the quarantine key's form)."""
    if isinstance(record, InvalidParticipation):
        return record.key
    return f"{record.campaign_id}:{record.id}"


def _campaign(item: Any, organisation_id: int) -> Campaign:
    """A campaign as the partner API serves it. ``externalIdLabel`` is not served there (the
    internal API has it): read when present, needed by nothing."""
    try:
        label = item.get("externalIdLabel")
        return Campaign(
            id=_id(item["id"]),
            organization_id=organisation_id,
            code=str(item.get("code") or ""),
            type=str(item.get("type") or ""),
            target_profile_name=item.get("targetProfileName"),
            external_id_label=label if isinstance(label, str) else None,
            name=str(item.get("name") or ""),
        )
    except _OutOfRange:
        raise MalformedResponse("pix", "campaigns: an item's id is outside 1..2^63-1") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        raise MalformedResponse("pix", "campaigns: an item has no valid id") from None
