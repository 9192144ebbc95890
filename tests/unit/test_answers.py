"""The shared steps of both HTTP adapters on answers that are not what they claim (respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from connector.errors import FatalApiError, MalformedResponse
from connector.pix.maddo import MaddoPix
from connector.transport.answers import json_body
from connector.transport.retry import NO_RETRY

BASE = "http://pix.test"
DEEP = b"[" * 200_000 + b"]" * 200_000


def answer(content: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(200, headers={"content-type": content_type}, content=content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (DEEP, "nested too deep"),
        (b'{"a": [1, 2', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_a_body_that_cannot_be_read_is_malformed(content: bytes, message: str) -> None:
    with pytest.raises(MalformedResponse, match=message):
        json_body("pix", "campaigns", answer(content))


def test_a_body_that_is_not_json_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="expected JSON"):
        json_body("pix", "campaigns", answer(b"<html/>", "text/html"))


def test_a_refusal_is_fatal() -> None:
    with pytest.raises(FatalApiError):
        json_body("pix", "campaigns", httpx.Response(404, json={}))


@respx.mock
def test_a_deep_answer_fails_only_its_request() -> None:
    """JSON nested 200,000 deep is a MalformedResponse, not a RecursionError that ends the run."""
    respx.post(f"{BASE}/api/application/token").mock(
        return_value=httpx.Response(
            200, json={"token_type": "bearer", "access_token": "t", "client_id": "c"}
        )
    )
    respx.get(f"{BASE}/api/organizations").mock(return_value=answer(DEEP))
    pix = MaddoPix(BASE, "c", "s", retry=NO_RETRY)
    try:
        with pytest.raises(MalformedResponse, match="nested too deep"):
            pix.organisations()
    finally:
        pix.close()
