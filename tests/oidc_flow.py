"""Signing in through the bundled test identity provider (connector/simulators/oidc.py) with
plain HTTP: its page carries the authorization request as hidden fields, and a button per
demo user."""

from __future__ import annotations

import html
import re

import httpx

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v) for k, v in _HIDDEN.findall(page)}


def through_provider(client: httpx.Client, authorize: str, sub: str) -> httpx.Response:
    """Pick ``sub`` on the provider's page at ``authorize``; the console's answer to the
    callback it is sent back to."""
    page = client.get(authorize)
    picked = client.post(authorize.split("?")[0], data={**hidden_fields(page.text), "sub": sub})
    assert picked.status_code == 302, picked.text[:300]
    return client.get(picked.headers["location"])
