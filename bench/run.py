"""`make bench`: the app against a bare Django project, through gunicorn and PostgreSQL.

    make bench            N = 1,000 and 100,000; 5 rounds of 2-second runs per endpoint
    make bench QUICK=1    N = 1,000 and 20,000; 3 rounds of 1-second runs (under 5 minutes)

How it measures (docs/performance.md says why):
- Two gunicorn servers with sync workers, one per core: the app (config.settings in production
  mode: DEBUG off, collected static files) and the bare Django project in bench/baseline/, both
  on the same PostgreSQL server with persistent connections, both wrapped by bench/counting.py
  so that each response says how many SQL queries it made.
- wrk (Debian's, written in C: one thread on loopback keeps 2 sync workers busy while taking a
  fraction of a core) with bench/lua/bench.lua, which also sends the POSTs: a step's POST and
  final submits, each submit with a fresh finished draft (made by bench/prepare.py).
- Each app endpoint runs right after its baseline endpoint, round after round (baseline, app,
  baseline, app...), and each figure is the median over rounds, so machine drift cancels in the
  ratios. Absolute times on a shared 2-core machine move by tens of percent between runs.
- The app's throttles (drafts per address per hour) would refuse a benchmark's drafts: the
  bench raises them through the environment (INTAKE_THROTTLE_PER_HOUR), and says so.

It prints one table, writes the same rows to bench/results/latest.json (a list of objects) and
the run's context to bench/results/latest-meta.json, and exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
PER_PAGE = 50
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
APP_PORT = int(os.environ.get("BENCH_APP_PORT", "18001"))
BARE_PORT = int(os.environ.get("BENCH_BARE_PORT", "18002"))
# Another checkout benchmarking on the same server names its databases apart (BENCH_DB_PREFIX).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench")
BARE_DB = f"{DB_PREFIX}_bare"
ROUTING_TARGET = 30_000

# --- targets ------------------------------------------------------------------------------------
# Each target names the rows it applies to and what it asks of them; check_targets() applies
# them to a run's rows and returns what was missed (an empty list: every target met).


def _ratio_rps_at_least(limit: float):
    def check(row: dict, rows: list[dict]) -> str | None:
        if row["ratio_rps"] is None or row["ratio_rps"] < limit:
            return f"req/s {row['ratio_rps']} x the baseline's, wanted >= {limit}"
        return None

    return check


def _ratio_p50_at_most(limit: float):
    def check(row: dict, rows: list[dict]) -> str | None:
        if row["ratio_p50"] is None or row["ratio_p50"] > limit:
            return f"p50 {row['ratio_p50']} x the baseline's, wanted <= {limit}"
        return None

    return check


def _p50_vs_first_page_at_most(limit: float):
    def check(row: dict, rows: list[dict]) -> str | None:
        first = next(
            (r for r in rows if r["endpoint"] == "queue, first page" and r["n"] == row["n"]),
            None,
        )
        if first is None:
            return "no first-page row at the same N to compare with"
        ratio = row["app"]["p50_ms"] / first["app"]["p50_ms"]
        row["ratio_first_page"] = round(ratio, 2)
        if ratio > limit:
            return f"p50 {ratio:.2f} x the first page's, wanted <= {limit}"
        return None

    return check


TARGETS: list[tuple[str, str, object]] = [
    # (endpoint prefix, what the table says, check)
    ("wizard GET", "req/s >= 0.25 x no-op", _ratio_rps_at_least(0.25)),
    ("queue, first page", "p50 <= 3 x list page", _ratio_p50_at_most(3.0)),
    ("queue, deepest page", "p50 <= 1.5 x first page", _p50_vs_first_page_at_most(1.5)),
    ("queue, search by name", "p50 <= 2 x first page", _p50_vs_first_page_at_most(2.0)),
    ("queue, overdue filter", "p50 <= 1.5 x first page", _p50_vs_first_page_at_most(1.5)),
    ("intake page", "p50 <= 3 x list page", _ratio_p50_at_most(3.0)),
    ("final submit", "p50 <= 3 x one-row insert", _ratio_p50_at_most(3.0)),
]


def target_for(endpoint: str):
    return next(((label, check) for prefix, label, check in TARGETS if endpoint.startswith(prefix)),
                (None, None))  # fmt: skip


def check_targets(rows: list[dict], routing_rate: float | None = None) -> list[str]:
    """What the run missed, one line each: the ratio targets, zero errors, the same queries per
    request at every N, and (when measured) the routing engine's documents per second."""
    misses = []
    for row in rows:
        where = f"{row['endpoint']} (N={row['n']:,})"
        label, check = target_for(row["endpoint"])
        problem = check(row, rows) if check else None
        row["target"] = label
        row["met"] = None if check is None else problem is None
        if problem:
            misses.append(f"{where}: {problem}")
        errors = row["app"]["errors"] + (row["baseline"] or {}).get("errors", 0)
        if errors:
            row["met"] = False
            kinds = [
                f"{side} {kind} {count}"
                for side in ("app", "baseline")
                for kind, count in ((row[side] or {}).get("error_kinds") or {}).items()
            ]
            misses.append(f"{where}: {errors} errors" + (f" ({', '.join(kinds)})" if kinds else ""))
    by_endpoint: dict[str, dict[int, int | None]] = {}
    for row in rows:
        by_endpoint.setdefault(row["endpoint"], {})[row["n"]] = row["queries"]
    for endpoint, counts in by_endpoint.items():
        if len(set(counts.values())) > 1:
            shown = ", ".join(f"{q} at N={n:,}" for n, q in sorted(counts.items()))
            misses.append(f"{endpoint}: queries per request differ with N ({shown})")
            for row in rows:
                if row["endpoint"] == endpoint:
                    row["met"] = False
    if routing_rate is not None and routing_rate < ROUTING_TARGET:
        misses.append(
            f"routing engine: {routing_rate:,.0f} documents/s, wanted >= {ROUTING_TARGET:,}"
        )
    return misses


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk run's requests: where to send them, how many at once, once each or round again."""

    port: int
    lines: list[str]  # METHOD \t PATH \t COOKIE \t BODY
    connections: int = 2
    once: bool = False
    expect: int = 200  # the status a correct answer has (checked on a probe request)
    # Where a correct answer redirects (checked on the probe, and on every answer of a "once"
    # run by bench.lua); None: anywhere.
    location: str | None = None


@dataclass
class Endpoint:
    name: str
    app: Load
    baseline: Load
    baseline_name: str
    samples: list[tuple[dict, dict]] = field(default_factory=list)
    queries: int | None = None
    baseline_queries: int | None = None
    # Final submits: each line is used once, so each round takes the next slice.
    slice_size: int = 0
    # Final submits: the draft of each line of app.lines (bench/prepare.py's submit_drafts).
    drafts: list[str] = field(default_factory=list)
    # Final submits: for each draft answered, the round that answered it.
    answered: dict[str, int] = field(default_factory=dict)


def line(method: str, path: str, cookie: str, body: dict | None = None) -> str:
    encoded = urllib.parse.urlencode(body or {}, doseq=True)
    return f"{method}\t{path}\t{cookie}\t{encoded}"


# wrk's kinds of error: a connection refused, a socket read or write failing (or closed before
# the response ended), a status of 400 or more, no answer within the timeout; and bench.lua's
# own: in a "once" run, an answer whose status or Location is not the expected one ("wrong").
WRK_ERROR_KINDS = ("connect", "read", "write", "status", "timeout", "wrong")
# And the submit rows' check against the database (main()): a line answered twice ("twice"),
# a draft answered whose intake was not made ("lost"), more intakes than answers ("extra").
ERROR_KINDS = (*WRK_ERROR_KINDS, "twice", "lost", "extra")


def wrk(load: Load, seconds: float, lines: list[str] | None = None) -> dict:
    # bench.lua's "once" mode asks for a line only when the one before it is answered.
    if load.once and load.connections != 1:
        raise ValueError("a once-each run takes one connection")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines or load.lines) + "\n")
        listing = handle.name
    try:
        command = [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{load.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "lua" / "bench.lua"),
            f"http://127.0.0.1:{load.port}",
            "--",
            listing,
            "once" if load.once else "cycle",
            str(load.expect),
            load.location or "",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(listing)
    result = json.loads(next(x[6:] for x in output.splitlines() if x.startswith("BENCH ")))
    kinds = {kind: result[kind] for kind in WRK_ERROR_KINDS if result[kind]}
    if result["wrong_first"]:
        print(f"    {result['wrong']} wrong answers (line status location): "
              f"{'; '.join(result['wrong_first'])}", flush=True)  # fmt: skip
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "requests": result["requests"],
        "used": result["used"],  # responses to a line of the list (bench.lua)
        # "once" runs: the lines answered (1-based, in order), those sent again on a new
        # connection after theirs was lost unanswered.
        "lines": result["lines"],
        "resent": result["resent"],
    }


def probe(load: Load, request_line: str) -> int:
    """Send one request; check its status; return its SQL query count."""
    method, path, cookie, body = request_line.split("\t")
    connection = HTTPConnection("127.0.0.1", load.port, timeout=30)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    location = response.getheader("Location") or ""
    if response.status != load.expect or (load.location and location != load.location):
        raise SystemExit(
            f"bench: {method} {path} on port {load.port} answered {response.status} "
            f"({location}), expected {load.expect} {load.location or ''}"
        )
    return int(response.getheader("X-Bench-Queries", "-1"))


def summarise(samples: list[dict]) -> dict:
    def median(key):
        return round(statistics.median(s[key] for s in samples), 2)

    kinds = {
        kind: total
        for kind in ERROR_KINDS
        if (total := sum(s.get("error_kinds", {}).get(kind, 0) for s in samples))
    }
    return {
        "rps": round(statistics.median(s["rps"] for s in samples), 1),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "errors": sum(s["errors"] for s in samples),
        "error_kinds": kinds,
        "requests": sum(s["requests"] for s in samples),
    }


# --- servers and databases ----------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", f"{PG_URL}/{database}", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
         "-c", sql],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def ensure_database(name: str, *, fresh: bool = False) -> None:
    if fresh:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        psql(f'CREATE DATABASE "{name}"')


def app_env(database: str) -> dict:
    """The app in production mode, on the bench's database, with the throttles raised."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{PG_URL}/{database}",
        "DEBUG": "false",
        "TESTING": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "AUDIT_KEY": "bench-only-audit-key-" + "y" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # A benchmark makes thousands of drafts from one address in minutes.
        "INTAKE_THROTTLE_PER_HOUR": "100000000",
        "RESUME_THROTTLE_PER_HOUR": "100000000",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


def bare_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.baseline.settings",
        "BENCH_BARE_DATABASE_URL": f"{PG_URL}/{BARE_DB}",
        "PYTHONPATH": str(ROOT),
    }


def workers() -> int:
    return int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 2))


class Server:
    """A gunicorn we started, stopped by its own process group when the bench ends."""

    def __init__(self, wsgi: str, port: int, env: dict, log: Path, count: int | None = None):
        _port_free(port)
        self.port = port
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", wsgi, "--workers", str(count or workers()),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn {wsgi} exited; see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"bench: gunicorn {wsgi} did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.log.close()


def _port_free(port: int) -> None:
    with socket.socket() as probe_socket:
        if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"bench: port {port} is taken (set BENCH_APP_PORT/BENCH_BARE_PORT)")


def run_json(command: list[str], env: dict) -> dict:
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"bench: {' '.join(command[1:3])} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def prepare_app(n: int, drafts: int) -> tuple[str, dict]:
    size = f"{n // 1000}k" if n % 1000 == 0 else str(n)
    database = f"{DB_PREFIX}_app_{size}"
    command = [PYTHON, "bench/prepare.py", "--intakes", str(n), "--drafts", str(drafts)]
    ensure_database(database)
    started = time.monotonic()
    info = run_json(command, app_env(database))
    if info["stale"]:
        print(f"  {database}: schema or row count changed; building it again", flush=True)
        ensure_database(database, fresh=True)
        info = run_json(command, app_env(database))
    took = time.monotonic() - started
    print(f"  {database}: {info['intakes']:,} intakes ({info['open']:,} open), "
          f"{'populated' if info['populated'] else 'kept from the last run'}, "
          f"ready in {took:.0f} s", flush=True)  # fmt: skip
    return database, info


def prepare_bare(n: int) -> dict:
    ensure_database(BARE_DB)
    env = bare_env()
    subprocess.run([PYTHON, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return run_json([PYTHON, "-m", "django", "baseline_setup", "--rows", str(n)], env)


# --- the endpoints ------------------------------------------------------------------------------


# Pages added past the last one the bench counted (the deepest page's request).
PAST_THE_END = 1_000_000


def endpoints(n: int, app: dict, bare: dict, *, every_step: bool, rounds: int) -> list[Endpoint]:
    csrf = app["csrf"]
    staff = f"sessionid={app['staff_session']}; csrftoken={csrf}"
    patient = f"sessionid={app['step_session']}; csrftoken={csrf}"
    signed_in = f"sessionid={bare['session']}; csrftoken={csrf}"
    noop = Load(BARE_PORT, [line("GET", "/noop/", signed_in)])
    pages = max(1, math.ceil(app["open"] / PER_PAGE))

    def listing(page: int = 1) -> Load:
        return Load(BARE_PORT, [line("GET", f"/list/?page={page}", signed_in)])

    def insert(connections: int, once: bool, count: int = 1) -> Load:
        body = {"csrfmiddlewaretoken": csrf, "name": "Dana Rivers"}
        return Load(BARE_PORT, [line("POST", "/insert/", signed_in, body)] * count,
                    connections=connections, once=once, expect=302)  # fmt: skip

    def staff_get(path: str) -> Load:
        return Load(APP_PORT, [line("GET", path, staff)])

    # Pages that read no intake (the landing, the wizard's steps) are measured at the first N
    # only, except the largest step (symptoms), which shows that their cost does not move.
    result = []
    if every_step:
        result.append(
            Endpoint("landing", Load(APP_PORT, [line("GET", "/", "")]), noop, "no-op view")
        )
    steps = app["steps"] if every_step else ["symptoms"]
    for step in steps:
        result.append(
            Endpoint(
                f"wizard GET {step}",
                Load(APP_PORT, [line("GET", f"/intake/step/{step}/", patient)]),
                noop,
                "no-op view",
            )  # fmt: skip
        )
    about = {**app["about_post"], "csrfmiddlewaretoken": csrf}
    post_lines = [
        line("POST", "/intake/step/about/", f"sessionid={s}; csrftoken={csrf}", about)
        for s in app["post_sessions"]
    ]
    if every_step:
        result.append(
            Endpoint(
                "wizard POST about",
                Load(APP_PORT, post_lines, expect=302),
                insert(2, once=False),
                "one-row insert",
            )  # fmt: skip
        )
    review = {**app["review_post"], "csrfmiddlewaretoken": csrf}
    submit_lines = [
        line("POST", "/intake/step/review/", f"sessionid={s}; csrftoken={csrf}", review)
        for s in app["submit_sessions"]
    ]
    per_round = (len(submit_lines) - 1) // rounds
    result.append(
        Endpoint(
            "final submit (1 client)",
            Load(
                APP_PORT,
                submit_lines,
                connections=1,
                once=True,
                expect=302,
                location="/intake/done/",
            ),
            insert(1, once=True, count=per_round),
            "one-row insert",
            slice_size=per_round,
            drafts=list(app["submit_drafts"]),
        )  # fmt: skip
    )
    middle = max(1, pages // 2)
    # The deepest page is asked for past the end (the queue serves its last page, as for any
    # number too large): the run's own final submits add open intakes, so page `pages` stops
    # being the last one. With `open` a multiple of 50 the submit's probe alone made it a page
    # before the end, served in two queries instead of one: "queries differ with N".
    deepest = f"/staff/?page={pages + PAST_THE_END}"
    for name, path, page in [
        ("queue, first page", "/staff/", 1),
        ("queue, middle page", f"/staff/?page={middle}", middle),
        ("queue, deepest page", deepest, pages),
        ("queue, filtered by track", "/staff/?track=detox", 1),
        ("queue, overdue filter", "/staff/?overdue=on", 1),
        ("queue, search by name", f"/staff/?q={app['last_name']}", 1),
        ("queue, search by reference", f"/staff/?q={app['reference']}", 1),
        ("intake page", f"/staff/intake/{app['reference']}/", 1),
        ("overview", "/staff/overview/", 1),
    ]:
        label = "list page" if page == 1 else f"list page {page:,}"
        result.append(Endpoint(name, staff_get(path), listing(page), label))
    return result


def note_submits(endpoint: Endpoint, app: dict, start: int, round_: int) -> None:
    """Note which drafts a submit round answered (its lines start at app.lines[start]); a line
    answered twice (a replayed draft, which makes no intake) counts as an error."""
    for number in app["lines"]:
        draft = endpoint.drafts[start + number - 1]
        if draft in endpoint.answered:
            app["errors"] += 1
            app["error_kinds"]["twice"] = app["error_kinds"].get("twice", 0) + 1
            print(f"    round {round_}: line {number} answered twice", flush=True)
        endpoint.answered[draft] = round_
    if app["resent"]:
        print(f"    round {round_}: sent again on a new connection, the last one closed "
              f"unanswered: line {', '.join(map(str, app['resent']))}", flush=True)  # fmt: skip


def measure(endpoints_: list[Endpoint], *, rounds: int, seconds: float) -> None:
    # Probes per endpoint: the right status (a signed-in page, not a redirect to sign in), the
    # query count, and warm workers. The count is the least of three requests: a session's
    # first request, and one a minute after that, also write the session (the middleware's
    # activity clocks), which is not the endpoint's own cost. A submit's probe uses up the
    # first fresh draft, so it is probed once.
    for endpoint in endpoints_:
        times = 1 if endpoint.slice_size else 3
        endpoint.queries = min(probe(endpoint.app, endpoint.app.lines[0]) for _ in range(times))
        endpoint.baseline_queries = min(
            probe(endpoint.baseline, endpoint.baseline.lines[0]) for _ in range(times)
        )
        if endpoint.slice_size:
            endpoint.answered[endpoint.drafts[0]] = 0  # the probe: "round 0"
            endpoint.app.lines = endpoint.app.lines[1:]
            endpoint.drafts = endpoint.drafts[1:]
    for round_ in range(rounds):
        for endpoint in endpoints_:
            app_lines = None
            if endpoint.slice_size:
                start = round_ * endpoint.slice_size
                app_lines = endpoint.app.lines[start : start + endpoint.slice_size]
            base = wrk(endpoint.baseline, seconds)
            app = wrk(endpoint.app, seconds, app_lines)
            endpoint.samples.append((app, base))
            if endpoint.slice_size:
                note_submits(endpoint, app, start, round_ + 1)
        print(f"    round {round_ + 1}/{rounds} done", flush=True)


def rows_for(n: int, endpoints_: list[Endpoint]) -> list[dict]:
    rows = []
    for endpoint in endpoints_:
        app = summarise([a for a, _ in endpoint.samples])
        base = summarise([b for _, b in endpoint.samples])
        rows.append(
            {
                "endpoint": endpoint.name,
                "n": n,
                "baseline_endpoint": endpoint.baseline_name,
                "app": app,
                "baseline": base,
                "ratio_p50": round(app["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None,
                "ratio_rps": round(app["rps"] / base["rps"], 3) if base["rps"] else None,
                "queries": endpoint.queries,
                "baseline_queries": endpoint.baseline_queries,
            }
        )
    return rows


def submitted_by_bench(database: str) -> int:
    return int(psql("SELECT count(*) FROM intake_intake WHERE submission_key IS NOT NULL",
                    database))  # fmt: skip


def drafts_submitted(database: str, drafts: list[str]) -> set[str]:
    """Which of these drafts (the bench's, by id) have an intake."""
    if not drafts:
        return set()
    listed = ",".join(f"'{uuid.UUID(draft)}'" for draft in drafts)  # ids only, parsed
    sql = f"SELECT id FROM intake_draft WHERE submitted_intake_id IS NOT NULL AND id IN ({listed})"
    return set(psql(sql, database).split())


def check_submits(submit: Endpoint, submitted: set[str], made: int, rounds: int) -> list[str]:
    """Each draft answered must have its intake; a draft with an intake that was not answered
    can only be the one in flight when a round's time was up (at most one per round); and each
    intake made is a draft's. Adds what it finds to the submit row's errors (kinds "lost" and
    "extra") and returns it, one line each."""
    lost = sorted(set(submit.answered) - submitted, key=lambda draft: submit.answered[draft])
    unanswered = len(submitted - set(submit.answered))
    found: list[tuple[str, int, str]] = []
    if lost:
        shown = ", ".join(f"{draft} (round {submit.answered[draft]})" for draft in lost[:5])
        found.append(("lost", len(lost), f"{len(lost)} answered but no intake: {shown}"))
    if unanswered > rounds:
        found.append(("extra", unanswered - rounds,
                      f"{unanswered} submitted but not answered, in {rounds} rounds"))  # fmt: skip
    if made != len(submitted):
        found.append(("extra", abs(made - len(submitted)),
                      f"{made} intakes made for {len(submitted)} drafts submitted"))  # fmt: skip
    app = submit.samples[-1][0]
    for kind, count, _ in found:
        app["errors"] += count
        app["error_kinds"][kind] = app["error_kinds"].get(kind, 0) + count
    return [text for _, _, text in found]


# --- the routing engine -------------------------------------------------------------------------


def bench_routing(seconds: float) -> dict:
    """The routing engine alone, in one process, over 300 varied vignettes: documents per
    second through route_validated() (what the submit service calls, on the document it has
    validated) and through route() (validation included, for outside callers)."""
    code = f"""
import json, os, sys, time
sys.path.insert(0, {str(ROOT)!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TESTING", "true")
import django; django.setup()
from django.utils import timezone
from intake.demo import demo_documents
from intake.routing import route, route_validated
from intake.schema import validate_document
documents = demo_documents(300, now=timezone.now())
validated = [validate_document(document) for document in documents]
def rate(function, items):
    for item in items[:50]:
        function(item)
    started, rounds = time.perf_counter(), 0
    while time.perf_counter() - started < {seconds}:
        for item in items:
            function(item)
        rounds += 1
    return rounds * len(items) / (time.perf_counter() - started)
engine = rate(route_validated, validated)
print(json.dumps({{"engine": engine, "with_validation": rate(route, documents)}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    output = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


# --- the table ----------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    head = ("endpoint", "N", "req/s", "p50 ms", "p99 ms", "err", "SQL", "baseline",
            "req/s", "p50 ms", "p50 x", "req/s x", "target", "met")  # fmt: skip
    body = []
    for r in rows:
        a, b = r["app"], r["baseline"]
        met = {True: "yes", False: "NO", None: ""}[r.get("met")]
        body.append((r["endpoint"], f"{r['n']:,}", f"{a['rps']:.0f}", f"{a['p50_ms']:.1f}",
                     f"{a['p99_ms']:.1f}", str(a["errors"] + b["errors"]), str(r["queries"]),
                     r["baseline_endpoint"], f"{b['rps']:.0f}", f"{b['p50_ms']:.1f}",
                     f"{r['ratio_p50']:.2f}", f"{r['ratio_rps']:.3f}", r.get("target") or "",
                     met))  # fmt: skip
    widths = [max(len(str(x)) for x in column) for column in zip(head, *body, strict=True)]

    def fmt(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [fmt(x) for x in body])  # fmt: skip


def machine() -> dict:
    model = ""
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": psql("SHOW server_version"),
        "wrk": (wrk_version.splitlines() or [""])[0],
        "gunicorn_workers": workers(),
    }


def main() -> int:
    quick = os.environ.get("QUICK", "") not in ("", "0") or "--quick" in sys.argv
    if "--routing-only" in sys.argv:
        rates = bench_routing(3)
        print(f"routing engine: {rates['engine']:,.0f} documents/s "
              f"({rates['with_validation']:,.0f} with validation)")  # fmt: skip
        return 0
    sizes = [1_000, 20_000] if quick else [1_000, 100_000]
    if os.environ.get("BENCH_SIZES"):
        sizes = [int(x) for x in os.environ["BENCH_SIZES"].split(",")]
    rounds, seconds = (3, 1) if quick else (5, 2)
    started = time.monotonic()
    print(f"make bench{' QUICK=1' if quick else ''}: N = {', '.join(f'{n:,}' for n in sizes)}; "
          f"{rounds} rounds of {seconds}-second wrk runs, baseline and app interleaved; "
          f"gunicorn {workers()} sync workers each; INTAKE_THROTTLE_PER_HOUR raised for the "
          "bench's drafts", flush=True)  # fmt: skip
    rates = bench_routing(1 if quick else 3)
    routing_rate = rates["engine"]
    routing_line = (
        f"routing engine: {routing_rate:,.0f} documents/s in one process (route_validated, as "
        f"the submit service calls it; {rates['with_validation']:,.0f} through route(), "
        "validation included)"
    )
    print(routing_line, flush=True)

    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   env=app_env("postgres"), check=True)  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    rows: list[dict] = []
    for index, n in enumerate(sizes):
        print(f"N = {n:,}:", flush=True)
        # Final submits use a fresh draft each: enough for every round at ~100 submits/s.
        database, app = prepare_app(n, drafts=rounds * int(seconds * 120) + 1)
        bare = prepare_bare(n)
        servers = []
        try:
            servers.append(Server("bench.app_wsgi:application", APP_PORT, app_env(database),
                                  RESULTS / f"gunicorn-app-{n}.log"))  # fmt: skip
            servers.append(Server("bench.baseline.wsgi:application", BARE_PORT, bare_env(),
                                  RESULTS / f"gunicorn-bare-{n}.log"))  # fmt: skip
            chosen = endpoints(n, app, bare, every_step=index == 0, rounds=rounds)
            before = submitted_by_bench(database)
            measure(chosen, rounds=rounds, seconds=seconds)
        finally:
            for server in servers:
                server.stop()
        submit = next(e for e in chosen if e.slice_size)
        # Every submit answered must have made an intake (a replayed draft would redirect just
        # the same): bench.lua says which lines were answered, the database which drafts have
        # an intake. A request in flight when wrk's time is up is not answered but may still
        # make its intake: at most one per round.
        made = submitted_by_bench(database) - before
        submitted = drafts_submitted(database, [*submit.answered, *submit.drafts])
        problems = check_submits(submit, submitted, made, rounds)
        print(f"  final submits: {len(submit.answered)} answered (probe included), "
              f"{len(submitted)} of the bench's drafts submitted, {made} intakes made"
              + "".join(f"; {p}" for p in problems), flush=True)  # fmt: skip
        rows += rows_for(n, chosen)

    misses = check_targets(rows, routing_rate)
    print()
    print(table(rows))
    print(f"\n{routing_line}; target >= {ROUTING_TARGET:,}")
    meta = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "sizes": sizes,
        "rounds": rounds,
        "seconds_per_run": seconds,
        "routing_documents_per_s": round(routing_rate),
        "routing_with_validation_per_s": round(rates["with_validation"]),
        "machine": machine(),
        "misses": misses,
        "took_s": round(time.monotonic() - started),
    }
    (RESULTS / "latest.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / "latest-meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {RESULTS / 'latest.json'} in {meta['took_s']} s")
    if misses:
        print("\nTARGETS MISSED:")
        for miss in misses:
            print(f"  - {miss}")
        return 1
    print("\nevery target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
