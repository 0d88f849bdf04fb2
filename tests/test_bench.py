"""`make bench` itself (too slow for `make test`): it imports, its targets catch a bad run, and
its bare Django baseline project answers through gunicorn."""

from __future__ import annotations

import copy
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import counting, populate, run  # noqa: F401 - importing is the first check


def _row(endpoint: str, *, n=1000, app_p50=10.0, base_p50=5.0, app_rps=100.0, base_rps=200.0,
         queries=5, errors=0) -> dict:  # fmt: skip
    return {
        "endpoint": endpoint,
        "n": n,
        "baseline_endpoint": "baseline",
        "app": {"rps": app_rps, "p50_ms": app_p50, "p99_ms": app_p50 * 2, "errors": errors},
        "baseline": {"rps": base_rps, "p50_ms": base_p50, "p99_ms": base_p50 * 2, "errors": 0},
        "ratio_p50": round(app_p50 / base_p50, 2),
        "ratio_rps": round(app_rps / base_rps, 3),
        "queries": queries,
    }


def good_run() -> list[dict]:
    rows = []
    for n in (1000, 100_000):
        rows += [
            _row("wizard GET symptoms", n=n, app_rps=100, base_rps=300, queries=2),
            _row("queue, first page", n=n, app_p50=20, base_p50=8),
            _row("queue, deepest page", n=n, app_p50=25, base_p50=9),
            _row("queue, search by name", n=n, app_p50=30, base_p50=8),
            _row("intake page", n=n, app_p50=20, base_p50=8, queries=9),
            _row("final submit (1 client)", n=n, app_p50=40, base_p50=15, queries=12),
            _row("overview", n=n, app_p50=500, base_p50=8),  # no target: any ratio passes
        ]
    return rows


def test_a_good_run_meets_every_target():
    rows = good_run()
    assert run.check_targets(rows, routing_rate=45_000) == []
    assert all(row["met"] in (True, None) for row in rows)


@pytest.mark.parametrize(
    ("endpoint", "n", "change", "expected"),
    [
        ("wizard GET symptoms", 1000, {"app": {"rps": 50.0}, "ratio_rps": 0.167}, "req/s 0.167"),
        ("queue, first page", 1000, {"ratio_p50": 3.2}, "p50 3.2 x the baseline"),
        ("queue, deepest page", 100_000, {"app": {"p50_ms": 31.0}}, "1.55 x the first page"),
        ("queue, search by name", 100_000, {"app": {"p50_ms": 41.0}}, "2.05 x the first page"),
        ("intake page", 1000, {"ratio_p50": 3.01}, "p50 3.01 x the baseline"),
        ("final submit (1 client)", 100_000, {"ratio_p50": 4.0}, "p50 4.0 x the baseline"),
        ("overview", 1000, {"app": {"errors": 2}}, "2 errors"),
        (
            "final submit (1 client)",
            1000,
            {"app": {"errors": 3, "error_kinds": {"read": 1, "status": 2}}},
            "3 errors (app read 1, app status 2)",
        ),
        ("intake page", 100_000, {"queries": 10}, "queries per request differ with N"),
    ],
)
def test_a_made_up_bad_row_misses_its_target(endpoint, n, change, expected):
    rows = copy.deepcopy(good_run())
    row = next(r for r in rows if r["endpoint"] == endpoint and r["n"] == n)
    for key, value in change.items():
        if isinstance(value, dict):
            row[key].update(value)
        else:
            row[key] = value
    misses = run.check_targets(rows, routing_rate=45_000)
    assert len(misses) == 1, misses
    assert endpoint in misses[0] and expected in misses[0]
    assert row["met"] is False


def test_a_slow_routing_engine_misses_its_target():
    misses = run.check_targets(good_run(), routing_rate=29_999)
    assert misses == ["routing engine: 29,999 documents/s, wanted >= 30,000"]


def test_the_table_shows_each_row_and_whether_it_met_its_target():
    rows = good_run()
    rows[1]["ratio_p50"] = 9.0
    run.check_targets(rows)
    lines = run.table(rows).splitlines()
    assert len(lines) == 2 + len(rows)
    assert "queue, first page" in lines[3] and "| NO " in lines[3]
    assert "| yes " in lines[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_baseline_project_answers_through_gunicorn(tmp_path):
    env = {
        **run.bare_env(),
        "BENCH_BARE_DATABASE_URL": f"sqlite:///{tmp_path / 'bare.sqlite3'}",
    }
    manage = [sys.executable, "-m", "django"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=run.ROOT, env=env, check=True)
    setup = run.run_json([*manage, "baseline_setup", "--rows", "120"], env)
    server = run.Server("bench.baseline.wsgi:application", _free_port(), env,
                        tmp_path / "gunicorn.log", count=1)  # fmt: skip
    try:
        cookie = f"sessionid={setup['session']}; csrftoken={'a' * 32}"
        noop = run.Load(server.port, [], expect=200)
        assert run.probe(noop, run.line("GET", "/noop/", "")) == 0
        # The signed-in list page: its session, its user and its 50 rows.
        listing = run.line("GET", "/list/?page=3", cookie)
        assert run.probe(noop, listing) == 3
        # Not signed in: sent to sign in, not shown the list.
        run.probe(run.Load(server.port, [], expect=302), run.line("GET", "/list/", ""))
        insert = run.line("POST", "/insert/", cookie,
                          {"csrfmiddlewaretoken": "a" * 32, "name": "Dana"})  # fmt: skip
        assert run.probe(run.Load(server.port, [], expect=302), insert) >= 1
        # Without the CSRF token the insert is refused, as in any Django project.
        forged = run.line("POST", "/insert/", cookie, {"name": "Dana"})
        run.probe(run.Load(server.port, [], expect=403), forged)
    finally:
        server.stop()


def test_the_summary_keeps_the_kinds_of_error_apart():
    samples = [
        {"rps": 10.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 1, "requests": 20,
         "error_kinds": {"read": 1}},
        {"rps": 12.0, "p50_ms": 1.2, "p99_ms": 2.2, "errors": 2, "requests": 24,
         "error_kinds": {"read": 1, "status": 1}},
        {"rps": 11.0, "p50_ms": 1.1, "p99_ms": 2.1, "errors": 0, "requests": 22,
         "error_kinds": {}},
    ]  # fmt: skip
    summary = run.summarise(samples)
    assert summary["errors"] == 3
    assert summary["error_kinds"] == {"read": 2, "status": 1}
    assert summary["requests"] == 66 and summary["rps"] == 11.0


def _submit_endpoint(drafts: list[str]) -> run.Endpoint:
    app = run.Load(0, [f"line {d}" for d in drafts], connections=1, once=True, expect=302)
    endpoint = run.Endpoint("final submit (1 client)", app, app, "one-row insert",
                            slice_size=2, drafts=list(drafts))  # fmt: skip
    endpoint.samples.append(({"errors": 0, "error_kinds": {}}, {"errors": 0, "error_kinds": {}}))
    return endpoint


def test_a_submit_round_notes_the_drafts_its_lines_answered_and_a_line_answered_twice():
    endpoint = _submit_endpoint(["a", "b", "c", "d"])
    first = {"lines": [1, 2], "resent": [], "errors": 0, "error_kinds": {}}
    run.note_submits(endpoint, first, 0, 1)
    second = {"lines": [1, 2, 2], "resent": [2], "errors": 0, "error_kinds": {}}
    run.note_submits(endpoint, second, 2, 2)
    assert endpoint.answered == {"a": 1, "b": 1, "c": 2, "d": 2}
    assert first["errors"] == 0
    assert second["errors"] == 1 and second["error_kinds"] == {"twice": 1}


def test_the_submit_check_finds_a_draft_answered_without_its_intake():
    endpoint = _submit_endpoint(["a", "b", "c", "d"])
    endpoint.answered = {"a": 0, "b": 1, "c": 1}
    assert run.check_submits(endpoint, {"a", "b", "c", "d"}, made=4, rounds=1) == []
    problems = run.check_submits(endpoint, {"a", "c"}, made=2, rounds=1)
    assert problems == ["1 answered but no intake: b (round 1)"]
    app = endpoint.samples[-1][0]
    assert app["errors"] == 1 and app["error_kinds"] == {"lost": 1}


def test_the_submit_check_allows_one_unanswered_intake_per_round_and_no_more():
    endpoint = _submit_endpoint(["a", "b", "c", "d"])
    endpoint.answered = {"a": 0, "b": 1}
    assert run.check_submits(endpoint, {"a", "b", "c", "d"}, made=4, rounds=2) == []
    problems = run.check_submits(endpoint, {"a", "b", "c", "d"}, made=5, rounds=1)
    assert problems == [
        "2 submitted but not answered, in 1 rounds",
        "5 intakes made for 4 drafts submitted",
    ]
    assert endpoint.samples[-1][0]["error_kinds"] == {"extra": 2}


class _Recorder(BaseHTTPRequestHandler):
    """Answers like a submit through gunicorn's sync workers (a redirect, then the connection
    closed), except on /wrong/; notes each path it is sent."""

    protocol_version = "HTTP/1.0"
    seen: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(self.path)
        self.send_response(200 if self.path == "/wrong/" else 302)
        self.send_header("Location", "/done/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_a_once_run_sends_each_line_once_in_order_and_flags_a_wrong_answer():
    # wrk calls request() once before it connects and never sends that one: the script must
    # not skip the first line for it (and then send the last one twice).
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        paths = ["/a/", "/b/", "/wrong/", "/c/", "/d/"]
        lines = [run.line("POST", path, "", {"n": "1"}) for path in paths]
        load = run.Load(server.server_address[1], lines, connections=1, once=True, expect=302,
                        location="/done/")  # fmt: skip
        result = run.wrk(load, 1)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.seen == paths
    assert result["used"] == 5 and result["lines"] == [1, 2, 3, 4, 5]
    assert result["resent"] == []
    assert result["errors"] == 1 and result["error_kinds"] == {"wrong": 1}
