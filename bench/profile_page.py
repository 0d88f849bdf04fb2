"""Profile one page in-process, as `make bench` serves it (production settings, the bench's
database): where a request's time goes, by function. For finding what to fix, not a figure.

    python bench/profile_page.py bench_app_1k /intake/step/symptoms/ --cookie "sessionid=..."

The profile counts CPU time; with WALL=1 in the environment it counts wall-clock time, which
shows the waits for PostgreSQL (psycopg's wait) that CPU time leaves out.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", help="a database bench/run.py prepared, e.g. bench_app_1k")
    parser.add_argument("path")
    parser.add_argument("--cookie", default="")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    from bench.run import app_env

    os.environ.update(app_env(args.database))

    from django.core.wsgi import get_wsgi_application
    from django.test.client import RequestFactory

    handler = get_wsgi_application()
    path, _, query = args.path.partition("?")

    def one() -> int:
        environ = RequestFactory()._base_environ(
            PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET", HTTP_COOKIE=args.cookie,
            SERVER_NAME="127.0.0.1",
        )  # fmt: skip
        status = []
        body = handler(environ, lambda s, h, e=None: status.append(s))
        b"".join(body)
        body.close()
        return int(status[0].split()[0])

    print("status", one())
    for _ in range(20):
        one()
    started = time.perf_counter()
    for _ in range(args.n):
        one()
    print(f"{(time.perf_counter() - started) / args.n * 1000:.2f} ms a request, unprofiled")
    profiler = cProfile.Profile(time.perf_counter if os.environ.get("WALL") else time.process_time)
    profiler.enable()
    for _ in range(args.n):
        one()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
