"""`pix-imilo demo --console`: a newcomer signs in through the demo's identity provider (which
insists on PKCE S256) and works the review queue, without a browser: plain HTTP."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli import PIX_IMILO, clean_env, free_port
from tests.oidc_flow import hidden_fields

pytestmark = pytest.mark.e2e

DEMO_COUNSELLOR = "demo-conseillere-paris"


def _started(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        found = re.search(r"The console: (http://\S+)", line)
        if found:
            return found.group(1)
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"the demo console did not start: {seen[-1500:]}")


def test_the_demo_console_signs_a_counsellor_in_and_lists_her_structure(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [PIX_IMILO, "demo", "--console", "--port", str(port)],
        env=clean_env(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = _started(process)
        with httpx.Client(timeout=10) as browser:
            going = browser.get(f"{url}/a-verifier")
            assert going.status_code == 303 and going.headers["location"].startswith("/connexion")
            to_idp = browser.get(url + going.headers["location"])
            assert to_idp.status_code == 302
            authorize = to_idp.headers["location"]
            assert "code_challenge_method=S256" in authorize
            page = browser.get(authorize)
            assert page.status_code == 200 and DEMO_COUNSELLOR in page.text
            hidden = hidden_fields(page.text)
            assert hidden["code_challenge_method"] == "S256"
            picked = browser.post(authorize.split("?")[0], data={**hidden, "sub": DEMO_COUNSELLOR})
            assert picked.status_code == 302
            back = browser.get(picked.headers["location"])
            assert back.status_code == 303, back.text[:500]
            listing = browser.get(url + back.headers["location"])
            assert listing.status_code == 200
            assert "À vérifier" in listing.text and "75010S00" in listing.text
            assert "97411S00</td>" not in listing.text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
