"""EXPLAIN ANALYZE of the queue's queries on a bench database (for docs/performance.md).

    python bench/explain.py bench_app_100k

Runs the queue page in-process for the default queue's first, middle and deepest pages and a
name search, captures the SQL each one sends and prints PostgreSQL's plan with timings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    from bench.run import app_env

    os.environ.update(app_env(sys.argv[1] if len(sys.argv) > 1 else "bench_app_100k"))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.prepare import signed_in_clinician
    from intake.choices import OPEN_STATUSES
    from intake.models import Intake

    client = signed_in_clinician()  # staff pages need the second factor
    pages = -(-Intake.objects.filter(status__in=OPEN_STATUSES).count() // 50)
    for label, url in [
        ("first page", "/staff/"),
        ("middle page", f"/staff/?page={pages // 2}"),
        ("deepest page", f"/staff/?page={pages}"),
        ("search by name", "/staff/?q=Garcia"),
        ("overdue filter", "/staff/?overdue=on"),
    ]:
        client.get(url)  # warm: the session write on the first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        print(f"\n## {label}: GET {url} ({len(queries)} queries)\n")
        for query in queries.captured_queries:
            sql = query["sql"]
            if sql.startswith(("INSERT", "UPDATE")) or not (
                "intake_intake" in sql or "intake_queuecount" in sql
            ):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("```sql\n" + sql + "\n```\n```\n" + plan + "\n```\n")


if __name__ == "__main__":
    main()
