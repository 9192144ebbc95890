"""Paths and helpers shared by the deployment checks."""

from __future__ import annotations

import os
import re
import shutil
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@cache
def known_variables() -> frozenset[str]:
    """Every PIX_*, IMILO_* and CONNECTOR_* name the connector's source spells out."""
    names: set[str] = set()
    for path in (ROOT / "connector").rglob("*.py"):
        names.update(
            re.findall(r"[\"']((?:PIX|IMILO|CONNECTOR)_[A-Z0-9_]+)[\"']", path.read_text("utf-8"))
        )
    return frozenset(names)


SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY", re.IGNORECASE)


def promtool() -> str:
    """promtool's path. Missing, the test is skipped, or fails when PIX_IMILO_REQUIRE_PROMTOOL
    is set (CI sets it, so that the Prometheus checks can never be skipped there)."""
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("PIX_IMILO_REQUIRE_PROMTOOL"):
            pytest.fail("promtool is not installed, and PIX_IMILO_REQUIRE_PROMTOOL is set")
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus); CI has it")
    return path
