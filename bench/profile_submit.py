"""The final submit in-process, A/B: time and SQL statements of POST /intake/step/review/.

Each submit needs a fresh finished draft: `/work/wt/profile-db.sh <checkout> <db>` (or
bench/prepare.py) writes `.profile-<db>.json` whose ``submit_sessions`` are each usable once.

    # A/B, interleaved: one worker process per checkout, rounds of --batch submits each
    python bench/profile_submit.py ab p_name .profile-p_name.json /path/to/main /path/to/new
    # fresh drafts, without prepare.py's checks of the database's size
    python bench/profile_submit.py drafts p_name .submit-drafts.json /path/to/checkout --count 600
    # where the time goes in one checkout (cProfile, CPU or WALL=1 wall clock)
    python bench/profile_submit.py profile p_name .profile-p_name.json /path/to/checkout

A worker serves the WSGI handler of its checkout (production settings, the bench's database,
the throttles raised as bench/run.py raises them), times each POST with perf_counter and counts
the statements it sent through Django (BEGIN and COMMIT are not statements Django executes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve()


def _setup(checkout: str, database: str):
    sys.path.insert(0, checkout)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    from bench.run import app_env

    env = app_env(database)
    env["PYTHONPATH"] = checkout
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)

    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.client import FakePayload, RequestFactory

    handler = get_wsgi_application()
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def post(session: str, csrf: str, body: bytes) -> tuple[int, float, list[str]]:
        environ = RequestFactory()._base_environ(
            PATH_INFO="/intake/step/review/", REQUEST_METHOD="POST",
            HTTP_COOKIE=f"sessionid={session}; csrftoken={csrf}", SERVER_NAME="127.0.0.1",
            CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)),
            **{"wsgi.input": FakePayload(body)},
        )  # fmt: skip
        statements.clear()
        status = []
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = handler(environ, lambda s, h, e=None: status.append(s))
            b"".join(response)
            response.close()
            elapsed = time.perf_counter() - started
        return int(status[0].split()[0]), elapsed, list(statements)

    return post


def worker(checkout: str, database: str) -> None:
    """stdin: one JSON line per request {"session", "csrf", "body"}; stdout: the result."""
    post = _setup(checkout, database)
    for line in sys.stdin:
        job = json.loads(line)
        status, elapsed, statements = post(job["session"], job["csrf"], job["body"].encode())
        print(json.dumps({"status": status, "ms": elapsed * 1000, "statements": statements}),
              flush=True)  # fmt: skip


def _jobs(profile: dict) -> list[dict]:
    body = urlencode({**profile["review_post"], "csrfmiddlewaretoken": profile["csrf"]})
    return [{"session": s, "csrf": profile["csrf"], "body": body}
            for s in profile["submit_sessions"]]  # fmt: skip


def ab(args) -> None:
    jobs = _jobs(json.loads(Path(args.profile).read_text()))
    names = [Path(c).name for c in args.checkouts]
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE), "worker", args.database, c],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=c,
        )  # fmt: skip
        for c in args.checkouts
    ]
    results: dict[str, list[dict]] = {n: [] for n in names}

    def run(i: int) -> dict:
        proc = procs[i]
        proc.stdin.write(json.dumps(jobs.pop()) + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    for i in range(len(procs)):  # warm-up: imports, first connection, caches
        for _ in range(args.warmup):
            run(i)
    rounds = 0
    while len(jobs) >= args.batch * len(procs):
        order = range(len(procs)) if rounds % 2 == 0 else reversed(range(len(procs)))
        for i in order:
            for _ in range(args.batch):
                results[names[i]].append(run(i))
        rounds += 1
    for proc in procs:
        proc.stdin.close()
        proc.wait()
    for name in names:
        rows = results[name]
        bad = [r["status"] for r in rows if r["status"] != 302]
        ms = sorted(r["ms"] for r in rows)
        counts = sorted({len(r["statements"]) for r in rows})
        print(f"{name:>16}: n={len(rows)} median {statistics.median(ms):.2f} ms, "
              f"p25 {ms[len(ms) // 4]:.2f}, p75 {ms[3 * len(ms) // 4]:.2f}, "
              f"statements {counts}, non-302 {bad[:5]}")  # fmt: skip
    if args.show:
        for name in names:
            print(f"--- {name}")
            for sql in results[name][-1]["statements"]:
                print("  ", sql[:150])


def profile(args) -> None:
    import cProfile
    import io
    import pstats

    jobs = _jobs(json.loads(Path(args.profile).read_text()))
    os.chdir(args.checkouts[0])
    post = _setup(args.checkouts[0], args.database)
    for _ in range(args.warmup):
        job = jobs.pop()
        post(job["session"], job["csrf"], job["body"].encode())
    clock = time.perf_counter if os.environ.get("WALL") else time.process_time
    profiler = cProfile.Profile(clock)
    count = 0
    profiler.enable()
    while jobs:
        job = jobs.pop()
        post(job["session"], job["csrf"], job["body"].encode())
        count += 1
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
    stats.print_stats(args.top)
    if args.callees:
        stats.print_callees(args.callees)
    print(f"{count} submits profiled")
    print(out.getvalue())


def drafts(args) -> None:
    """Write ``args.profile`` with ``--count`` fresh finished drafts (as bench/prepare.py makes
    them, without its checks of the database's size: submits add intakes)."""
    os.chdir(args.checkouts[0])
    _setup(args.checkouts[0], args.database)
    from django.test import Client

    from bench.prepare import POSTS, REVIEW_POST, csrf_token, patient_session, walk
    from intake.models import Draft
    from intake.services.drafts import draft_create

    walker = Client()
    walk(walker, POSTS)
    plain = Draft.objects.get(pk=walker.session["intake_draft"])
    sessions = []
    for _ in range(args.count):
        copy, token = draft_create(answers=plain.answers, completed_steps=plain.completed_steps)
        sessions.append(patient_session(copy.pk, token))
    Path(args.profile).write_text(json.dumps(
        {"csrf": csrf_token(), "review_post": REVIEW_POST, "submit_sessions": sessions}
    ))  # fmt: skip
    print(f"wrote {args.profile}: {len(sessions)} submit_sessions")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[3], sys.argv[2])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["ab", "profile", "drafts"])
    parser.add_argument("database")
    parser.add_argument("profile", help=".profile-<db>.json with submit_sessions")
    parser.add_argument("checkouts", nargs="+")
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="print one submit's statements")
    parser.add_argument("--count", type=int, default=400, help="drafts: how many")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--callees", default="", help="profile: also what these functions call")
    args = parser.parse_args()
    args.checkouts = [str(Path(c).resolve()) for c in args.checkouts]
    {"ab": ab, "profile": profile, "drafts": drafts}[args.mode](args)


if __name__ == "__main__":
    main()
