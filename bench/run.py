"""`make bench`: how fast the parts a person waits on are. Prints figures; asserts nothing.

1. The routing engine: documents per second over the demo vignettes (pure Python).
2. The staff queue and an intake page at 100,000 intakes (SQLite by default, or DATABASE_URL):
   median and 95th-percentile time over repeated requests through Django's test client.
   Intakes are bulk-inserted with realistic queue fields (not through the submit service, which
   would take many minutes); one in a thousand goes through the real service.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import warnings  # noqa: E402

import django  # noqa: E402

# whitenoise looks for collected static files, which a benchmark does not need.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_INTAKES = int(os.environ.get("BENCH_INTAKES", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def bench_routing() -> None:
    from django.utils import timezone

    from intake.demo import demo_documents
    from intake.routing import route

    documents = demo_documents(300, now=timezone.now())
    for document in documents[:20]:
        route(document)
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < 3:
        for document in documents:
            route(document)
        rounds += 1
    elapsed = time.perf_counter() - started
    print(
        f"routing: {rounds * len(documents) / elapsed:,.0f} documents/s "
        f"({len(documents)} varied documents, {rounds} rounds, single process)"
    )


def timed(client, url: str) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], status


def bench_pages() -> None:
    from django.test import Client

    from bench.populate import populate
    from intake.models import Intake, User

    count = populate(N_INTAKES)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does on a live database: statistics and the visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    user = User.objects.get(username="bench-clinician")
    client = Client()
    client.force_login(user)
    reference = Intake.objects.order_by("-submitted_at").values_list("reference", flat=True)[0]
    print(f"pages over {count:,} intakes on {settings.DATABASES['default']['ENGINE']}:")
    for name, url in [
        ("queue, first page", "/staff/"),
        ("queue, page 50", "/staff/?page=50"),
        ("queue, filtered detox", "/staff/?track=detox"),
        ("queue, medical flag", "/staff/?flag=medical"),
        ("queue, search by name", "/staff/?q=Garcia"),
        ("queue, search by reference", f"/staff/?q={reference}"),
        ("intake page", f"/staff/intake/{reference}/"),
        ("overview", "/staff/overview/"),
        ("admin intake changelist", "/admin/intake/intake/"),
    ]:
        median, p95, status = timed(client, url)
        print(f"  {name:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms   (HTTP {status})")


if __name__ == "__main__":
    bench_routing()
    if "--routing-only" not in sys.argv:
        from django.test.utils import setup_databases, teardown_databases

        setup_test_environment()
        old = setup_databases(verbosity=0, interactive=False)
        try:
            bench_pages()
        finally:
            teardown_databases(old, verbosity=0)
