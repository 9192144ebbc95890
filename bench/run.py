"""Where a sync spends its time: a benchmark of the connector against the bundled simulators.

    python bench/run.py [--participations 20000] [--structures 100] [--seed 2026]
                        [--scale 10] [--write-results]

For N participations, then for ``--scale`` × N (``--scale 1``: N only):

1. generate a simulator fixture with ``bench/matching/generate.py`` into a temporary directory;
2. serve it with ``pix-imilo simulate pix`` and ``pix-imilo simulate imilo``, each in its own
   process, so that the connector's memory is measured alone;
3. run the connector in a child process (``bench/_connector_run.py``) with ``IMILO_MAX_RPS=0``,
   ``IMILO_CONCURRENCY=4``, a fresh SQLite store and no mappings: two ``run_once()`` in a row,
   the second finding nothing to do. It counts every request and reports its peak RSS;
4. the *bare-HTTP floor*: the writes the connector made (read back from its ledger), one
   ``PUT …/prescriptions/{p}`` and one ``POST …/actualites`` each, with the same bodies and
   idempotency keys, sent by a plain httpx loop on 4 threads to a fresh I-Milo simulator,
   three times (a fresh simulator each time): the floor is the fastest of the three.

It prints a Markdown table; ``--write-results`` also (re)writes ``bench/RESULTS.md`` with the
machine, the command, the date, the table and the verdict on each target:

- connector first run / floor ≤ 1.5;
- second (no-change) run ≤ 5 % of the first, and 0 writes;
- I-Milo reads per applied update ≤ 0.2;
- connector peak RSS at scale × N ≤ 1.5 × at N.

Only N grows: the structures stay ``--structures`` (``--large-structures`` changes that for the
large data set), so at 10 × N each structure holds ten times the people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.matching.generate import generate
from connector.domain.model import Nature, PrescriptionStatus
from connector.imilo.codes import ImiloCodes
from connector.run.writer import idempotency_key
from connector.store.sql import SqlStateStore

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RUNNER = BENCH / "_connector_run.py"
RESULTS = BENCH / "RESULTS.md"

PIX_CLIENT = ("bench-client", "bench-secret")  # the generator's Pix client
IMILO_KEY = "bench-key"  # the generator's I-Milo API key
CONCURRENCY = 4
READY_TIMEOUT = 600.0  # a simulator loading a big fixture takes a while
CONNECTOR_TIMEOUT = 3600.0
FLOOR_REPEATS = 3  # the floor is noisy on a shared machine: keep the best of three

TARGET_FLOOR_RATIO = 1.5
TARGET_SECOND_RUN = 0.05
TARGET_READS_PER_UPDATE = 0.2
TARGET_RSS_GROWTH = 1.5


# --- processes ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _console_script() -> str:
    beside = Path(sys.executable).parent / "pix-imilo"
    if beside.exists():
        return str(beside)
    found = shutil.which("pix-imilo")
    if found is None:
        raise SystemExit("pix-imilo is not installed (pip install -e .)")
    return found


def _clean_env() -> dict[str, str]:
    """The environment without any connector setting the caller may have exported."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIX_", "IMILO_", "CONNECTOR_", "BENCH_"))
    }


def _peak_rss_kb(pid: int) -> int:
    """VmHWM of a live process, in kB (0 if unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Simulator:
    system: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    load_seconds: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_kb(self) -> int:
        return _peak_rss_kb(self.pid)


@contextmanager
def simulator(system: str, data: Path, workdir: Path) -> Iterator[Simulator]:
    """``pix-imilo simulate SYSTEM`` in its own process, once it answers; stopped afterwards."""
    port = _free_port()
    log = workdir / f"simulator-{system}-{port}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_console_script(), "simulate", system, "--data", str(data), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env={**_clean_env(), "CONNECTOR_LOG_LEVEL": "WARNING"},
        )
    sim = Simulator(system, f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"the {system} simulator exited:\n{tail}")
            try:
                httpx.get(sim.url + "/", timeout=2.0)  # any answer, even a 404, will do
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the {system} simulator did not answer") from None
                time.sleep(0.1)
        sim.load_seconds = time.perf_counter() - started
        yield sim
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- one data set ------------------------------------------------------------------------------


@dataclass
class Measure:
    participations: int
    structures: int
    seed: int
    generate_seconds: float = 0.0
    fixture_mb: float = 0.0
    simulator_load_seconds: dict[str, float] = field(default_factory=dict)
    simulator_peak_rss_kb: dict[str, int] = field(default_factory=dict)
    connector: dict[str, Any] = field(default_factory=dict)
    floor_seconds: float = 0.0
    floor_writes: int = 0
    floor_requests: int = 0
    floor_bad_statuses: dict[str, int] = field(default_factory=dict)
    floor_attempts: list[float] = field(default_factory=list)
    floor_cpu_attempts: list[float] = field(default_factory=list)

    @property
    def floor_cpu_seconds(self) -> float:
        """The client CPU of the fastest floor attempt."""
        if not self.floor_cpu_attempts:
            return 0.0
        best = self.floor_attempts.index(min(self.floor_attempts))
        return self.floor_cpu_attempts[best]

    @property
    def first(self) -> dict[str, Any]:
        run: dict[str, Any] = self.connector["runs"][0]
        return run

    @property
    def second(self) -> dict[str, Any]:
        run: dict[str, Any] = self.connector["runs"][1]
        return run


def run_connector(
    pix: Simulator,
    imilo: Simulator,
    state: Path,
    log_level: str,
    concurrency: int,
    profile: bool = False,
) -> dict[str, Any]:
    mappings = state / "mappings"
    mappings.mkdir(parents=True)  # empty: organisations map by their externalId
    env = {
        **_clean_env(),
        "PIX_API_URL": pix.url,
        "PIX_CLIENT_ID": PIX_CLIENT[0],
        "PIX_CLIENT_SECRET": PIX_CLIENT[1],
        "IMILO_API_URL": imilo.url,
        "IMILO_API_KEY": IMILO_KEY,
        "IMILO_MAX_RPS": "0",
        "IMILO_CONCURRENCY": str(concurrency),
        "CONNECTOR_DATABASE_URL": f"sqlite:///{state / 'state.db'}",
        "CONNECTOR_MAPPINGS_DIR": str(mappings),
        "CONNECTOR_LOG_LEVEL": log_level,
        "CONNECTOR_LOG_FORMAT": "json",
        "BENCH_RUNS": "2",
        "BENCH_WATCH_PIDS": f"pix:{pix.pid},imilo:{imilo.pid}",
        "PYTHONPATH": str(ROOT),
    }
    if profile:
        env["BENCH_PROFILE"] = str(state / "profile.json")
    log = state / "connector.log"
    with log.open("wb") as err:
        done = subprocess.run(
            [sys.executable, str(RUNNER)],
            cwd=state,  # no stray .env
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
            timeout=CONNECTOR_TIMEOUT,
        )
    lines = done.stdout.decode("utf-8").strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"the connector run failed ({done.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["concurrency"] = concurrency
    result["log_mb"] = log.stat().st_size / 1e6
    if profile:
        result["profile"] = json.loads((state / "profile.json").read_text(encoding="utf-8"))
    return result


def floor(
    imilo_url: str, database_url: str, concurrency: int
) -> tuple[float, float, int, int, dict[str, int]]:
    """The connector's writes, sent by a plain httpx loop:
    (seconds, CPU seconds of this process, writes, requests, bad statuses)."""
    store = SqlStateStore.open(database_url)
    try:
        entries = [e for e in store.ledger_entries() if e.state == "applied"]
    finally:
        store.close()
    codes = ImiloCodes()
    achieved = codes.statuses[PrescriptionStatus.ACHIEVED]
    ongoing = codes.statuses[PrescriptionStatus.ONGOING]
    natures = {n: codes.natures[n] for n in Nature}
    bad: dict[str, int] = {}
    with httpx.Client(
        base_url=imilo_url,
        headers={"X-Gravitee-Api-Key": IMILO_KEY, "Accept": "application/json"},
        timeout=httpx.Timeout(15.0, connect=5.0),
    ) as client:

        def write(entry: Any) -> list[int]:
            day = entry.realisation_date.isoformat()
            put = client.put(
                f"/operateurs/dossiers/{entry.dossier_id}/prescriptions/{entry.prescription_id}",
                json={
                    "statut": achieved,
                    "dateRealisation": day,
                    "commentaire": entry.comment,
                    "statutAttendu": ongoing,
                },
                headers={
                    "Idempotency-Key": idempotency_key(
                        entry.participation_id, entry.prescription_id, "realisation"
                    )
                },
            )
            if entry.nature is None:  # a test taken alone (modality: autonomous): no actualité
                return [put.status_code]
            post = client.post(
                f"/operateurs/dossiers/{entry.dossier_id}/actualites",
                json={
                    "nature": natures[entry.nature],
                    "date": day,
                    "commentaire": entry.comment,
                    "idPrescription": entry.prescription_id,
                },
                headers={
                    "Idempotency-Key": idempotency_key(
                        entry.participation_id, entry.prescription_id, "actualite"
                    )
                },
            )
            return [put.status_code, post.status_code]

        started = time.perf_counter()
        cpu_started = time.process_time()
        with ThreadPoolExecutor(concurrency) as pool:
            statuses = [s for pair in pool.map(write, entries) for s in pair]
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    for status in statuses:
        if status >= 300:
            bad[str(status)] = bad.get(str(status), 0) + 1
    return seconds, cpu, len(entries), len(statuses), bad


def measure(
    participations: int,
    structures: int,
    seed: int,
    log_level: str,
    concurrency: int,
    profile: bool = False,
) -> Measure:
    result = Measure(participations, structures, seed)
    with tempfile.TemporaryDirectory(prefix="pix-imilo-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        _say(f"N={participations} S={structures}: generating")
        started = time.perf_counter()
        generate(data, participations, structures, seed)
        result.generate_seconds = time.perf_counter() - started
        result.fixture_mb = sum(f.stat().st_size for f in data.rglob("*.json")) / 1e6
        state = root / "state"
        with ExitStack() as stack:
            _say("  starting the simulators")
            pix = stack.enter_context(simulator("pix", data, root))
            imilo = stack.enter_context(simulator("imilo", data, root))
            result.simulator_load_seconds = {"pix": pix.load_seconds, "imilo": imilo.load_seconds}
            _say("  running the connector (two runs)")
            result.connector = run_connector(pix, imilo, state, log_level, concurrency, profile)
            result.simulator_peak_rss_kb = {
                "pix": pix.peak_rss_kb(),
                "imilo": imilo.peak_rss_kb(),
            }
        for attempt in range(1, FLOOR_REPEATS + 1):
            _say(f"  bare-HTTP floor against a fresh I-Milo simulator ({attempt}/{FLOOR_REPEATS})")
            with simulator("imilo", data, root) as fresh:
                seconds, cpu, writes, requests, bad = floor(
                    fresh.url, f"sqlite:///{state / 'state.db'}", concurrency
                )
            result.floor_attempts.append(seconds)
            result.floor_cpu_attempts.append(cpu)
            result.floor_writes, result.floor_requests = writes, requests
            for status, count in bad.items():
                result.floor_bad_statuses[status] = result.floor_bad_statuses.get(status, 0) + count
        # The floor is what a minimal client can do at best: the fastest of the attempts.
        result.floor_seconds = min(result.floor_attempts)
    _say(
        f"  first run {result.first['wall_seconds']:.1f} s, floor {result.floor_seconds:.1f} s, "
        f"peak RSS {result.connector['peak_rss_kb'] / 1024:.0f} MB"
    )
    return result


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- report ------------------------------------------------------------------------------------

STAGES = ("extract", "identify", "plan", "apply")


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def rows(m: Measure) -> list[tuple[str, str]]:
    first, second = m.first, m.second
    counts = first["counts"]
    updated = counts["updated"]
    stages = first["stage_seconds"]
    stages2 = second["stage_seconds"]
    out: list[tuple[str, str]] = [
        ("participations / structures", f"{m.participations:,} / {m.structures}"),
        (
            "first run: fetched / updated / review / unchanged",
            f"{counts['fetched']:,} / {updated:,} / {counts['review']:,} / {counts['unchanged']:,}",
        ),
        ("first run: wall time", f"{first['wall_seconds']:.1f} s"),
        (
            "first run: records/s (fetched / wall)",
            f"{counts['fetched'] / first['wall_seconds']:.0f}",
        ),
        ("first run: updates/s", f"{updated / first['wall_seconds']:.1f}"),
        (
            "first run: CPU connector / Pix sim / I-Milo sim",
            f"{first['cpu_seconds']:.1f} / {first['other_cpu_seconds'].get('pix', 0):.1f} / "
            f"{first['other_cpu_seconds'].get('imilo', 0):.1f} s",
        ),
        (
            "first run: I-Milo reads / writes / Pix requests",
            f"{first['imilo_reads']:,} / {first['imilo_writes']:,} / {first['pix_requests']:,}",
        ),
        ("I-Milo reads per applied update", f"{_ratio(first['imilo_reads'], updated):.3f}"),
        ("I-Milo writes per applied update", f"{_ratio(first['imilo_writes'], updated):.2f}"),
    ]
    if stages:
        parts = [f"{s} {stages.get(s, 0):.1f}" for s in STAGES]
        parts += [f"{s} {v:.1f}" for s, v in sorted(stages.items()) if s not in STAGES]
        out.append(("first run: stage seconds (apply overlaps the others)", ", ".join(parts)))
    else:
        out.append(("first run: stage seconds", "n/a (RunReport has no stage_seconds)"))
    http = first["http_seconds"]
    out.append(
        (
            "first run: HTTP seconds pix / imilo reads / imilo writes (summed over threads)",
            f"{http.get('pix', 0):.1f} / {http.get('imilo_read', 0):.1f} / "
            f"{http.get('imilo_write', 0):.1f}",
        )
    )
    out += [
        (
            "second run: wall time (% of first)",
            f"{second['wall_seconds']:.2f} s "
            f"({100 * second['wall_seconds'] / first['wall_seconds']:.1f} %)",
        ),
        (
            "second run: I-Milo writes / reads, Pix requests",
            f"{second['imilo_writes']} / {second['imilo_reads']:,}, {second['pix_requests']:,}",
        ),
    ]
    if stages2:
        parts2 = [f"{s} {stages2.get(s, 0):.2f}" for s in STAGES]
        out.append(("second run: stage seconds", ", ".join(parts2)))
    attempts = " / ".join(f"{a:.1f}" for a in m.floor_attempts)
    floor_note = (
        f"{m.floor_seconds:.1f} s, best of {attempts} s; client CPU {m.floor_cpu_seconds:.1f} s "
        f"({m.floor_requests:,} requests, {m.floor_writes:,} writes"
    )
    if m.floor_bad_statuses:
        floor_note += f", non-2xx {m.floor_bad_statuses}"
    out += [
        ("bare-HTTP floor (same writes, 4 threads, fresh simulator each time)", floor_note + ")"),
        ("connector first run / floor", f"{_ratio(first['wall_seconds'], m.floor_seconds):.2f}"),
        ("connector peak RSS", _mb(m.connector["peak_rss_kb"])),
        (
            "simulators peak RSS pix / imilo (not the connector's)",
            f"{_mb(m.simulator_peak_rss_kb.get('pix', 0))} / "
            f"{_mb(m.simulator_peak_rss_kb.get('imilo', 0))}",
        ),
        (
            "fixture: generation, size, simulators' load (pix / imilo)",
            f"{m.generate_seconds:.0f} s, {m.fixture_mb:.0f} MB, "
            f"{m.simulator_load_seconds.get('pix', 0):.0f} / "
            f"{m.simulator_load_seconds.get('imilo', 0):.0f} s",
        ),
    ]
    retries = {k: v for k, v in first["retries"].items() if v}
    problems = []
    for label, run in (("first", first), ("second", second)):
        if run["outcome"] != "completed" or run["errors"]:
            problems.append(f"{label} run {run['outcome']}, {run['errors']} error(s)")
    if retries:
        problems.append(f"retries {retries}")
    if problems:
        out.append(("anomalies", "; ".join(problems)))
    return out


def table(measures: list[Measure]) -> str:
    labels = [f"N = {m.participations:,}" for m in measures]
    if len(measures) == 2:
        labels[1] = f"{measures[1].participations // measures[0].participations} × N = " + (
            f"{measures[1].participations:,}"
        )
    per = [dict(rows(m)) for m in measures]
    keys: list[str] = []
    for r in per:
        keys += [k for k in r if k not in keys]
    lines = [
        "| measure | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(measures),
    ]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(r.get(key, "") for r in per) + " |")
    return "\n".join(lines)


def endpoint_table(measures: list[Measure]) -> str:
    """Requests per route: count and mean latency in the first run, count in the second."""
    names: list[str] = []
    for m in measures:
        for run in m.connector["runs"][:2]:
            names += [n for n in sorted(run["endpoints"]) if n not in names]
    header = ["route (first run: requests × mean latency; second run: requests)"]
    for m in measures:
        header += [f"N = {m.participations:,}: first", "second"]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (2 * len(measures))]
    for name in names:
        cells = [f"`{name}`"]
        for m in measures:
            count, seconds = m.first["endpoints"].get(name, [0, 0.0])
            cells.append(f"{count:,} × {1000 * seconds / count:.1f} ms" if count else "0")
            cells.append(f"{m.second['endpoints'].get(name, [0])[0]:,}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mean_ms(run: dict[str, Any], kind: str) -> float:
    """Mean latency of the I-Milo reads (kind GET) or writes (other methods), in ms."""
    count = seconds = 0.0
    for name, (n, spent) in run["endpoints"].items():
        if name.startswith("imilo ") and (name.split()[1] == "GET") == (kind == "GET"):
            count += n
            seconds += spent
    return 1000 * seconds / count if count else 0.0


@dataclass
class Verdict:
    target: str
    met: bool
    detail: str
    bound: str = ""  # why it is missed, and what bounds it


_FIXED_READS = ("/structures/{code}", "/offres", "/inscrits")


def _fixed_reads(run: dict[str, Any]) -> int:
    """The reads every structure costs whatever its size: structure, offers, open
    prescriptions (the dossier look-ups grow with the people to identify)."""
    return sum(
        n
        for name, (n, _) in run["endpoints"].items()
        if name.startswith("imilo GET") and name.split("?")[0].endswith(_FIXED_READS)
    )


def verdicts(measures: list[Measure]) -> list[Verdict]:
    out = []
    for m in measures:
        tag = f"N = {m.participations:,}"
        first, second = m.first, m.second
        wall = first["wall_seconds"]
        ratio = _ratio(wall, m.floor_seconds)
        out.append(
            Verdict(
                f"connector / floor ≤ {TARGET_FLOOR_RATIO} ({tag})",
                ratio <= TARGET_FLOOR_RATIO,
                f"{wall:.1f} s / {m.floor_seconds:.1f} s = {ratio:.2f}",
                f"the connector's process is CPU-bound: {first['cpu_seconds']:.1f} s of CPU in "
                f"{wall:.1f} s ({100 * first['cpu_seconds'] / wall:.0f} % of one core; Python "
                "runs one thread at a time), against "
                f"{m.floor_cpu_seconds:.1f} s for the floor's client sending the same writes. "
                "The difference is reading Pix and I-Milo, matching, planning and the ledger: "
                "they overlap the writes in time but share that core, and their fixed "
                "per-structure part weighs most when structures are small.",
            )
        )
        share = second["wall_seconds"] / first["wall_seconds"]
        http2 = sum(second["http_seconds"].values())
        out.append(
            Verdict(
                f"second run ≤ {TARGET_SECOND_RUN:.0%} of the first, 0 writes ({tag})",
                share <= TARGET_SECOND_RUN and second["imilo_writes"] == 0,
                f"{second['wall_seconds']:.2f} s = {100 * share:.1f} % of "
                f"{first['wall_seconds']:.1f} s; {second['imilo_writes']} write(s)",
                f"a run with nothing new still asks Pix for each organisation's campaigns and "
                f"each campaign's recent participations (Pix has no change feed across "
                f"campaigns): {second['pix_requests']:,} Pix requests and "
                f"{second['imilo_reads']:,} I-Milo reads ({http2:.2f} s of request time, "
                f"summed over the threads that make them), and {second['cpu_seconds']:.2f} s "
                "of the connector's CPU to make and read them. That cost grows with the number "
                "of campaigns and structures, not of participations, so the share shrinks as "
                "N grows.",
            )
        )
        updated = first["counts"]["updated"]
        reads = _ratio(first["imilo_reads"], updated)
        fixed = _fixed_reads(first)
        out.append(
            Verdict(
                f"I-Milo reads per applied update ≤ {TARGET_READS_PER_UPDATE} ({tag})",
                reads <= TARGET_READS_PER_UPDATE,
                f"{first['imilo_reads']:,} reads / {updated:,} updates = {reads:.3f}",
                f"{fixed:,} of the reads are the fixed ones of {m.structures} structures "
                f"(structure, offers, open prescriptions): {_ratio(fixed, updated):.3f} per "
                f"update before any look-up, at {updated / m.structures:.0f} updates per "
                "structure. The look-ups themselves are batched (numbers and e-mails 50 per "
                "request, names 50 per request).",
            )
        )
    if len(measures) == 2:
        small, large = (m.connector["peak_rss_kb"] for m in measures)
        growth = _ratio(large, small)
        out.append(
            Verdict(
                f"peak RSS at {measures[1].participations:,} ≤ {TARGET_RSS_GROWTH} × at "
                f"{measures[0].participations:,}",
                growth <= TARGET_RSS_GROWTH,
                f"{_mb(large)} / {_mb(small)} = {growth:.2f}",
            )
        )
    return out


def observations(measures: list[Measure]) -> list[str]:
    """Plain facts read off the figures: which stage dominates, who burns the CPU."""
    notes = []
    for m in measures:
        first = m.first
        wall = first["wall_seconds"]
        stages = dict(first["stage_seconds"])
        tag = f"N = {m.participations:,}"
        if stages:
            deciding = sum(v for s, v in stages.items() if s != "apply")
            applying = stages.get("apply", 0.0)
            notes.append(
                f"{tag}: of {wall:.1f} s of wall time, the writes (apply, in the background) "
                f"took {applying:.1f} s and reading and deciding the structures (extract, "
                f"identify, plan) {deciding:.1f} s, the two overlapping; "
                f"**{'apply' if applying >= deciding else 'deciding'}** is the critical path."
            )
        apply_wall = first["stage_seconds"].get("apply", 0.0)
        write_http = first["http_seconds"].get("imilo_write", 0.0)
        if apply_wall:
            notes.append(
                f"{tag}: apply took {apply_wall:.1f} s for {write_http:.1f} s of write requests "
                f"summed over its threads: on average {write_http / apply_wall:.1f} request(s) "
                f"in flight out of {m.connector.get('concurrency', CONCURRENCY)} allowed; the "
                "rest of apply is outside HTTP (the ledger's commits, Python)."
            )
        cpu = first["other_cpu_seconds"]
        notes.append(
            f"{tag}: CPU during the first run: connector {first['cpu_seconds']:.0f} s, "
            f"I-Milo simulator {cpu.get('imilo', 0):.0f} s, Pix simulator "
            f"{cpu.get('pix', 0):.0f} s, for {wall:.0f} s of wall time on "
            f"{os.cpu_count()} core(s)."
        )
        floor_rate = m.floor_requests / m.floor_seconds if m.floor_seconds else 0
        notes.append(
            f"{tag}: the floor sends {floor_rate:.0f} requests/s to the I-Milo simulator; the "
            f"connector's first run makes {first['imilo_reads'] + first['imilo_writes']:,} "
            f"I-Milo and {first['pix_requests']:,} Pix requests for the floor's "
            f"{m.floor_requests:,}."
        )
    if len(measures) == 2:
        small_m, large_m = measures
        grown = large_m.connector["peak_rss_kb"] - small_m.connector["peak_rss_kb"]
        added = large_m.participations - small_m.participations
        notes.append(
            f"The connector's peak RSS grows by {grown / 1024:.0f} MB from "
            f"{small_m.participations:,} to {large_m.participations:,} participations, "
            f"{1024 * grown / added:,.0f} bytes per added participation, on top of "
            f"{_mb(small_m.connector['peak_rss_kb'])} at N."
        )
        small, large = (_mean_ms(m.first, "GET") for m in measures)
        small_w, large_w = (_mean_ms(m.first, "write") for m in measures)
        notes.append(
            f"A mean I-Milo read takes {small:.1f} ms at N = {measures[0].participations:,} and "
            f"{large:.1f} ms at {measures[1].participations:,} (×{_ratio(large, small):.1f}); "
            f"a mean write {small_w:.1f} ms and {large_w:.1f} ms (×{_ratio(large_w, small_w):.1f})."
            + (
                " Reads slow down as each structure holds more people: a name search returns "
                "more namesakes, and a page of open prescriptions is fuller."
                if _ratio(large, small) > 2
                else ""
            )
        )
    return notes


def profiles(measures: list[Measure], top: int = 25) -> str:
    """The sampled stacks of the first run: share of thread samples per function."""
    lines = [
        "",
        "## Sampled profile of the first run (timings above are slowed by the sampling)",
        "",
    ]
    for m in measures:
        sampled = m.connector.get("profile")
        if not sampled:
            continue
        total = sampled["samples"] or 1
        lines += [f"N = {m.participations:,}: {total:,} thread samples", "", "```"]
        lines.append("inclusive (on the stack):")
        lines += [
            f"  {100 * n / total:5.1f} %  {name}"
            for name, n in list(sampled["inclusive"].items())[:top]
        ]
        lines.append("self (on top of the stack):")
        lines += [
            f"  {100 * n / total:5.1f} %  {name}" for name, n in list(sampled["self"].items())[:top]
        ]
        lines += ["```", ""]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    return {
        "nproc": nproc,
        "cpu": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
    }


def markdown(
    measures: list[Measure], command: str, when: str, box: dict[str, str], note: str = ""
) -> str:
    sizes = (
        f"Only N grows between the two data sets: both have {measures[0].structures} "
        "structures, so the large one has "
        f"{measures[1].participations // measures[0].participations} times the people per "
        "structure."
        if len(measures) == 2 and measures[0].structures == measures[1].structures
        else ""
    )
    judged = verdicts(measures)
    verdict_lines = []
    for v in judged:
        verdict_lines.append(f"- **{'met' if v.met else 'NOT met'}**: {v.target}: {v.detail}")
        if not v.met and v.bound:
            verdict_lines.append(f"  - Why, and what bounds it: {v.bound}")
    met = sum(v.met for v in judged)
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `bench/run.py --write-results` (see its docstring for the method). "
            "Simulators and connector each run in their own process; the connector runs with "
            "`IMILO_MAX_RPS=0`, `IMILO_CONCURRENCY=4`, a fresh SQLite store, no mappings and "
            "logs at INFO (JSON, to a file). The connector was measured as it is, not tuned.",
            "",
            f"- date: {when}",
            f"- command: `{command}`",
            f"- machine: {box['nproc']} core(s), {box['cpu']}; {box['python']}; {box['os']}",
            "",
            *([sizes, ""] if sizes else []),
            *([note, ""] if note else []),
            table(measures),
            "",
            "### Requests by route",
            "",
            endpoint_table(measures),
            "",
            f"## Targets: {met} of {len(judged)} met",
            "",
            *verdict_lines,
            "",
            "## Observations",
            "",
            *(f"- {note}" for note in observations(measures)),
            "",
            "Notes: *reads* are I-Milo GETs, *writes* every other method; *stage seconds* come "
            "from `RunReport.stage_seconds` (per structure: extract = Pix campaigns and "
            "participations, identify = evidence look-ups and matching, plan, apply = the "
            "writes and the ledger). A structure's writes run in the background while the "
            "next structure is read and decided, so apply overlaps the other stages and the "
            "stages add up to more than the wall time. HTTP seconds are summed request "
            "durations as the connector's clients see them. The simulators share the machine "
            "with the connector, so every figure includes their CPU.",
            "",
        ]
    )


def _without_note(args: list[str]) -> list[str]:
    """The command line less ``--note`` and its text: the note is printed on its own."""
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note="):
            kept.append(arg)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--participations", type=int, default=20_000, metavar="N")
    parser.add_argument("--structures", type=int, default=100, metavar="S")
    parser.add_argument("--seed", type=int, default=2026, metavar="K")
    parser.add_argument(
        "--scale", type=int, default=10, help="also measure scale × N (1: N only; default 10)"
    )
    parser.add_argument(
        "--large-structures", type=int, metavar="S", help="structures of the large data set"
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--log-level", default="INFO", help="the connector's (default INFO)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the connector's stacks during the first run (slows it: a diagnosis, "
        "not a measure)",
    )
    parser.add_argument("--note", default="", help="a paragraph to add to the results")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also dump the raw figures")
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="FILE",
        help="measure nothing: render the figures a --json FILE holds",
    )
    parser.add_argument("--write-results", action="store_true", help=f"(re)write {RESULTS}")
    args = parser.parse_args(argv)
    raw_args = sys.argv[1:] if argv is None else argv

    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        measures = [Measure(**m) for m in saved["measures"]]
        command, when, box = saved["command"], saved["date"], saved["machine"]
        note = args.note or saved.get("note", "")
        profiled = any("profile" in m.connector for m in measures)
    else:
        command = shlex.join(["python", "bench/run.py", *_without_note(raw_args)])
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        box, note, profiled = machine(), args.note, args.profile
        sizes = [(args.participations, args.structures)]
        if args.scale > 1:
            sizes.append(
                (args.participations * args.scale, args.large_structures or args.structures)
            )
        measures = [
            measure(n, s, args.seed, args.log_level, args.concurrency, args.profile)
            for n, s in sizes
        ]
        if args.json:
            saved = {
                "command": command,
                "date": when,
                "machine": box,
                "note": note,
                "measures": [m.__dict__ for m in measures],
            }
            args.json.write_text(json.dumps(saved, indent=1), encoding="utf-8")
    text = markdown(measures, command, when, box, note)
    if profiled:
        text += profiles(measures)
    print(text)
    if args.write_results:
        RESULTS.write_text(text, encoding="utf-8")
        _say(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
