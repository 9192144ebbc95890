"""`pix-imilo sync --once --json` against hostile servers: each case ends within its
deadline, with the right exit code, and the other structures' results are written.

A hostile server (``tests.hostile.server``) stands in front of one simulator and misbehaves on
one route only: slow bytes, slow headers, a stall, huge bodies, deep JSON, huge ids, endless
pages repeating the same ids, redirects. The requests are bounded small (2 s, 1 MB) so that
a case that goes wrong shows in seconds.

The cases mostly wait on a socket: they run side by side, a few at a time (one module
fixture), and each test checks one case's results.
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from connector.domain.model import Campaign
from connector.errors import ApiError
from connector.pix import maddo
from connector.transport.retry import NO_RETRY
from tests import scenario
from tests.conftest import Systems, start_systems
from tests.e2e.test_cli import PIX_IMILO, appears, clean_env
from tests.hostile.server import Hostile, HostileServer

pytestmark = pytest.mark.e2e

PARALLEL = 4  # cases run at once (each mostly waits on a socket)
TIMEOUT_S = 2  # PIX_TIMEOUT and IMILO_TIMEOUT
ATTEMPTS = 4  # connector.transport.retry.DEFAULT_RETRY
BACKOFF_S = 0.5 + 1 + 2 + 3 * 0.5  # its three waits between attempts, with their most jitter
SLACK_S = 15  # starting the process, the rest of the run, a busy CI machine
# What each kind of case may take, from the retry policy.
TIMED_OUT = ATTEMPTS * TIMEOUT_S + BACKOFF_S + SLACK_S  # every attempt runs to its deadline
RETRIED = BACKOFF_S + SLACK_S  # every attempt fails at once (malformed answers)
ONCE = SLACK_S  # one attempt (an answer over the size cap is not retried)

# Cayenne's only campaign is 30 (organisation 3); Paris reads offre 1; see tests/scenario.py.
CAYENNE_PARTICIPATIONS = r"/api/campaigns/30/participations"
PARIS, REUNION, CAYENNE = (
    (501, 502, 507, 515, 517, 520, 525),
    (503, 504),
    (505, 506),
)
EVERYONE = PARIS + REUNION + CAYENNE
# Records a whole run fetches: those of the mapped assessment campaigns, the two malformed
# ones included (campaigns 12, 13, 40 and 50 are not read); two of them are Cayenne's.
FETCHED = 23
assert set(EVERYONE) == set(scenario.EXPECTED)


@dataclass(frozen=True)
class Case:
    name: str
    hostile: Hostile
    deadline: float  # seconds, wall clock, for the whole command
    exit_code: int = 1
    untouched: tuple[int, ...] = CAYENNE  # prescriptions the run must not realise
    api: str = "pix"  # the simulator the hostile server stands in front of
    hits: int | None = None  # targeted requests expected (None: at least one)
    # The report's counts: Cayenne's two records are not counted when its campaign fails.
    fetched: int = FETCHED - len(CAYENNE)
    updated: int | None = None  # None: every expected write but the untouched ones
    failed: int = 0
    quarantined: int = len(scenario.MALFORMED)
    error: str = ""  # a part of one of the report's errors
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    # Every attempt times out: the campaign fails after ATTEMPTS tries, the others go on.
    Case(
        "pix_slow_bytes",
        Hostile(CAYENNE_PARTICIPATIONS, "slow_bytes"),
        TIMED_OUT,
        hits=ATTEMPTS,
        error="campaign 30: pix: participations of campaign 30 page 1 timed out",
    ),
    Case(
        "pix_slow_headers",
        Hostile(CAYENNE_PARTICIPATIONS, "slow_headers"),
        TIMED_OUT,
        hits=ATTEMPTS,
        error="campaign 30: pix: participations of campaign 30 page 1 timed out",
    ),
    Case(
        "pix_stall",
        Hostile(CAYENNE_PARTICIPATIONS, "stall"),
        TIMED_OUT,
        hits=ATTEMPTS,
        error="campaign 30: pix: participations of campaign 30 page 1 timed out",
    ),
    Case(
        "pix_organisations_slow_bytes",
        Hostile(r"/api/organizations", "slow_bytes"),
        TIMED_OUT,
        untouched=EVERYONE,
        hits=ATTEMPTS,
        quarantined=0,
        error="pix: organisations timed out",
        fetched=0,
    ),
    Case(
        "imilo_dossier_search_slow_bytes",
        Hostile(r"/operateurs/structures/97411S00/dossiers", "slow_bytes"),
        TIMED_OUT,
        untouched=REUNION,
        api="imilo",
        hits=ATTEMPTS,
        error="structure 97411S00: imilo: dossiers search page 1 timed out",
        fetched=FETCHED,
        failed=len(REUNION),
    ),
    Case(
        "imilo_slow_write_answer",
        Hostile(r"/operateurs/dossiers/1000005/prescriptions/505", "slow_bytes"),
        TIMED_OUT,
        untouched=(),
        api="imilo",
        hits=ATTEMPTS,
        fetched=FETCHED,
        updated=len(scenario.EXPECTED) - 1,
        failed=1,
    ),
    # Answers over the size cap: one attempt, the campaign or structure fails.
    Case(
        "pix_huge_declared_body",
        Hostile(CAYENNE_PARTICIPATIONS, "huge_declared"),
        ONCE,
        hits=1,
        error="larger than the size cap",
    ),
    Case(
        "pix_huge_chunked_body",
        Hostile(CAYENNE_PARTICIPATIONS, "huge_chunked"),
        ONCE,
        hits=1,
        error="larger than the size cap",
    ),
    Case(
        "imilo_huge_offres",
        Hostile(r"/operateurs/structures/97302S00/offres", "huge_chunked"),
        ONCE,
        api="imilo",
        hits=1,
        error="structure 97302S00: imilo: offres: the answer is larger than the size cap",
    ),
    # Malformed answers: retried at once, then the campaign or structure fails.
    Case(
        "pix_deep_json",
        Hostile(CAYENNE_PARTICIPATIONS, "deep_json"),
        RETRIED,
        hits=ATTEMPTS,
        error="nested too deep",
    ),
    Case(
        "imilo_inscrits_deep_json",
        Hostile(r"/operateurs/structures/75010S00/offres/1/inscrits", "deep_json"),
        RETRIED,
        untouched=PARIS,
        api="imilo",
        hits=ATTEMPTS,
        error="structure 75010S00: imilo: inscrits of offre 1 page 1: the answer is nested too deep",
        fetched=FETCHED,
        failed=FETCHED - len(REUNION) - len(CAYENNE) - len(scenario.MALFORMED),
    ),
    Case(
        "pix_huge_campaign_id",
        Hostile(r"/api/organizations/3/campaigns", "rewrite_id", old_id=30),
        ONCE,
        hits=1,
        error="organisation 3: pix: campaigns: an item's id is outside 1..2^63-1",
    ),
    Case(
        "pix_endless_repeating_pages",
        Hostile(CAYENNE_PARTICIPATIONS, "endless_pages"),
        ONCE,
        hits=2,
        error="page 2: repeats the ids of earlier pages",
    ),
    Case(
        "pix_redirect_to_loopback",
        Hostile(CAYENNE_PARTICIPATIONS, "redirect", location="{canary}/api/campaigns/30"),
        RETRIED,
        hits=ATTEMPTS,
        error="expected JSON",
    ),
    Case(
        "pix_redirect_to_another_host",
        Hostile(CAYENNE_PARTICIPATIONS, "redirect", status=301, location="https://pix.invalid/"),
        RETRIED,
        hits=ATTEMPTS,
        error="expected JSON",
    ),
    # A record with an id out of range is quarantined alone: the run completes.
    Case(
        "pix_huge_participation_id",
        Hostile(CAYENNE_PARTICIPATIONS, "rewrite_id", old_id=5),
        ONCE,
        exit_code=0,
        untouched=(505,),
        hits=1,
        quarantined=len(scenario.MALFORMED) + 1,
        fetched=FETCHED,
    ),
    Case(
        "pix_participation_id_of_5000_digits",
        Hostile(CAYENNE_PARTICIPATIONS, "rewrite_id", old_id=5, new_id="9" * 5000),
        ONCE,
        exit_code=0,
        untouched=(505,),
        hits=1,
        quarantined=len(scenario.MALFORMED) + 1,
        fetched=FETCHED,
    ),
    # Organisation 3 cannot be read: Cayenne is not synced, and the run says so (exit 1).
    Case(
        "pix_huge_organisation_id",
        Hostile(r"/api/organizations", "rewrite_id", old_id=3),
        ONCE,
        hits=1,
    ),
    # The run's deadline cuts a request that would wait ten minutes.
    Case(
        "run_deadline_cuts_a_stalled_request",
        Hostile(r"/api/organizations", "stall"),
        ONCE,
        untouched=EVERYONE,
        quarantined=0,
        error="CONNECTOR_RUN_DEADLINE",
        env={"PIX_TIMEOUT": "600", "CONNECTOR_RUN_DEADLINE": "3"},
        fetched=0,
    ),
    # Pages that never end, each with new ids (a few hundred a second): the run's deadline
    # ends the run before the page limit, and the structures after Cayenne's wait for the
    # next run (see also test_paging_past_the_page_limit_fails_the_campaign).
    Case(
        "pix_endless_fresh_pages",
        Hostile(CAYENNE_PARTICIPATIONS, "fresh_pages"),
        6 + ONCE,
        untouched=CAYENNE + REUNION,
        error="CONNECTOR_RUN_DEADLINE",
        env={"CONNECTOR_RUN_DEADLINE": "6"},
        fetched=FETCHED - len(CAYENNE) - len(REUNION),
    ),
]


@dataclass
class Run:
    """What one case's command did, and what the systems held afterwards."""

    case: Case
    returncode: int | None  # None: killed, it did not end in time
    seconds: float
    stdout: str
    stderr: str
    prescriptions: dict[int, tuple[str, str | None]]
    hits: int
    hostile_sent: int
    canary_connections: int
    threads_left: str = ""  # the hostile servers' threads still running after close


def bounded_env(systems: Systems, server: HostileServer, case: Case, root: Path) -> dict[str, str]:
    env = systems.env(f"sqlite:///{root / 'state' / 'pix-imilo.db'}")
    env["IMILO_API_URL" if case.api == "imilo" else "PIX_API_URL"] = server.url
    env.update(
        {
            "PIX_TIMEOUT": str(TIMEOUT_S),
            "IMILO_TIMEOUT": str(TIMEOUT_S),
            "PIX_MAX_ANSWER_MB": "1",
            "IMILO_MAX_ANSWER_MB": "1",
            "CONNECTOR_LOG_LEVEL": "DEBUG",
            **case.env,
        }
    )
    return clean_env(env)


class Started:
    """One case's systems, hostile server and command, running."""

    def __init__(self, case: Case, root: Path) -> None:
        self.case = case
        self.stack = ExitStack()
        try:
            self._start(case, root)
        except BaseException:
            self.stack.close()
            raise

    def _start(self, case: Case, root: Path) -> None:
        self.systems = self.stack.enter_context(start_systems(root))
        self.canary = self.stack.enter_context(HostileServer(None))
        upstream = self.systems.imilo_url if case.api == "imilo" else self.systems.pix_url
        hostile = replace(
            case.hostile, location=case.hostile.location.format(canary=self.canary.url)
        )
        self.server = self.stack.enter_context(HostileServer(upstream, hostile))
        self.out = (root / "stdout").open("w+")
        self.err = (root / "stderr").open("w+")
        self.stack.callback(self.out.close)
        self.stack.callback(self.err.close)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [PIX_IMILO, "sync", "--once", "--json"],
            env=bounded_env(self.systems, self.server, case, root),
            cwd=root,
            stdout=self.out,
            stderr=self.err,
        )

    def finish(self, returncode: int | None) -> Run:
        seconds = time.monotonic() - self.started
        if returncode is None:
            self.process.kill()
            self.process.wait()
        self.out.seek(0)
        self.err.seek(0)
        run = Run(
            case=self.case,
            returncode=returncode,
            seconds=seconds,
            stdout=self.out.read(),
            stderr=self.err.read(),
            prescriptions=self.systems.prescriptions(),
            hits=len(self.server.stats.hits),
            hostile_sent=self.server.stats.hostile_sent,
            canary_connections=self.canary.stats.connections,
        )
        try:
            self.stack.close()
        except RuntimeError as error:
            run.threads_left = str(error)
        return run


def run_side_by_side(cases: list[Case], base: Path) -> dict[str, Run]:
    """Run the cases, ``PARALLEL`` at a time, the longest first; kill one past twice its
    deadline (it then fails its test)."""
    waiting = sorted(cases, key=lambda c: -c.deadline)
    running: list[Started] = []
    runs: dict[str, Run] = {}
    try:
        while waiting or running:
            while waiting and len(running) < PARALLEL:
                case = waiting.pop(0)
                root = base / case.name
                root.mkdir()
                running.append(Started(case, root))
            time.sleep(0.05)
            for started in list(running):
                code = started.process.poll()
                late = time.monotonic() - started.started > 2 * started.case.deadline
                if code is not None or late:
                    runs[started.case.name] = started.finish(code)
                    running.remove(started)
    finally:
        for started in running:
            started.finish(None)
    return runs


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """Every case selected in this session, run once."""
    selected = {
        item.callspec.params["case"].name: item.callspec.params["case"]
        for item in request.session.items
        if "runs" in getattr(item, "fixturenames", ())
        and hasattr(item, "callspec")
        and "case" in item.callspec.params
    }
    return run_side_by_side(list(selected.values()), tmp_path_factory.mktemp("hostile"))


def forbidden_words() -> list[str]:
    """Secrets and personal values of the scenario, as tests/e2e/test_cli.py lists them."""
    words = [scenario.CLIENT_SECRET, scenario.API_KEY]
    for dossier_id, _, nom, usage, prenom in scenario.PEOPLE:
        words += [nom, prenom, scenario.mail(dossier_id), scenario.birth_date(dossier_id)]
        words += [usage] if usage else []
    for _, _, _, _, first, last, external in scenario.PARTICIPATIONS:
        words += [first, last]
        if external and external.strip() and not external.strip().isdigit():
            words.append(external.strip())
    return words


def expected_prescriptions(untouched: tuple[int, ...]) -> dict[int, tuple[str, str | None]]:
    written = {k: v for k, v in scenario.EXPECTED.items() if k not in untouched}
    return {**scenario.initial_prescriptions(), **written}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_server_costs_only_its_own_structure(case: Case, runs: dict[str, Run]) -> None:
    """Within its deadline, the right exit code and counts; the hostile route met as often
    as the retry policy says; every other structure written; no redirect followed, no read
    far past the cap, no personal value or secret in the output, no server thread left."""
    run = runs[case.name]
    print(
        f"{case.name}: exit {run.returncode} in {run.seconds:.1f} s (deadline {case.deadline:g} s)"
    )
    assert run.returncode is not None, f"still running after {run.seconds:.0f} s: killed"
    assert run.seconds < case.deadline, f"took {run.seconds:.1f} s"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == case.exit_code, run.stderr[-3000:]
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["outcome"] == ("completed" if case.exit_code == 0 else "failed")
    errors = report["errors"]
    if case.exit_code == 0:
        assert errors == []
    assert case.error in " | ".join(errors), errors
    # The other structures are written, the hostile one is left as it was.
    assert run.prescriptions == expected_prescriptions(case.untouched)
    updated = len(scenario.EXPECTED) - len(case.untouched) if case.updated is None else case.updated
    counts = {k: report[k] for k in ("fetched", "updated", "quarantined", "failed")}
    assert counts == {
        "fetched": case.fetched,
        "updated": updated,
        "quarantined": case.quarantined,
        "failed": case.failed,
    }
    # Every record fetched ends in exactly one of these.
    ends = ("updated", "unchanged", "review", "quarantined", "failed")
    assert report["fetched"] == sum(report[k] for k in ends)
    # The hostile route was met, as often as the retry policy says.
    if case.hits is None:
        assert run.hits >= 1
    else:
        assert run.hits == case.hits
    assert run.canary_connections == 0, "a redirect was followed"
    assert run.hostile_sent < 16 * 1024 * 1024, "the connector read far past its size cap"
    assert not run.threads_left
    output = run.stdout + run.stderr
    for line in run.stderr.splitlines():
        json.loads(line)  # every log line is JSON: nothing printed raw
    for word in forbidden_words():
        assert not appears(word, output), "personal data or secret in the output"


@pytest.mark.integration
def test_paging_past_the_page_limit_fails_the_campaign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that never end, each bringing new ids: past ``MAX_PAGES`` the read is an error
    for the campaign (issue #12), not a read taken as whole and confirmed."""
    monkeypatch.setattr(maddo, "MAX_PAGES", 5)
    campaign = Campaign(
        id=30, organization_id=3, code="CAYDIAG", type="ASSESSMENT", target_profile_name=None
    )
    with (
        start_systems(tmp_path) as systems,
        HostileServer(systems.pix_url, Hostile(CAYENNE_PARTICIPATIONS, "fresh_pages")) as server,
    ):
        pix = maddo.MaddoPix(
            server.url, scenario.CLIENT_ID, scenario.CLIENT_SECRET, timeout=5, retry=NO_RETRY
        )
        try:
            with pytest.raises(ApiError):
                for _ in pix.participations(campaign, None):
                    pass
        finally:
            pix.close()
    assert len(server.stats.hits) <= maddo.MAX_PAGES + 1
