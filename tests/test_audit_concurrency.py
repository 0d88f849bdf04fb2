"""The audit chain under concurrent writers (PostgreSQL): no number twice, no fork.

A page view appends its record in a transaction of its own, in two round trips (BEGIN, the
advisory lock and the head read; then the INSERT and COMMIT); a service appends inside its own
transaction. Both serialise on the same advisory lock, and the head is read by a statement that
starts after the lock is held, so it sees what the previous holder committed.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from intake.models import AuditEvent
from intake.services.audit import audit_record, audit_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's"
    ),
]


def _chain() -> list[tuple[int, str]]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "intake_reference"))


def _waiting_on_an_advisory_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def test_a_view_outside_a_transaction_appends_in_two_round_trips():
    audit_record(action=AuditEvent.Action.VIEW, reference="AAAA-AAAA")
    with CaptureQueriesContext(connection) as ctx:
        event = audit_record(action=AuditEvent.Action.VIEW, reference="BBBB-BBBB")
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["BEGIN;", "INSERT"]
    assert not connection.in_atomic_block and connection.connection.info.transaction_status == 0
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.hash, stored.prev_hash) == (2, event.hash, _head_hash(1))
    assert audit_verify().ok


def _head_hash(seq: int) -> str:
    return AuditEvent.objects.get(seq=seq).hash


def test_a_failed_insert_rolls_back_and_releases_the_lock(monkeypatch):
    audit_record(action=AuditEvent.Action.VIEW, reference="AAAA-AAAA")
    # A record longer than its column: the INSERT fails after the lock was taken.
    with pytest.raises(Exception):  # noqa: B017, PT011 (the database's own error)
        audit_record(action="x" * 17, reference="BBBB-BBBB")
    assert connection.connection.info.transaction_status == 0  # idle, not in a transaction
    audit_record(action=AuditEvent.Action.VIEW, reference="CCCC-CCCC")
    assert _chain() == [(1, "AAAA-AAAA"), (2, "CCCC-CCCC")]
    assert audit_verify().ok


def test_a_view_waiting_on_the_lock_chains_after_the_record_committed_meanwhile():
    """The interleaving a head read in the lock's own statement would get wrong: its snapshot
    would predate the wait and miss the record committed by the lock's holder."""
    audit_record(action=AuditEvent.Action.VIEW, reference="AAAA-AAAA")
    holding, release = threading.Event(), threading.Event()
    errors = []

    def service():  # appends inside its transaction, then holds the lock a while
        try:
            with transaction.atomic():
                audit_record(action=AuditEvent.Action.NOTE, reference="BBBB-BBBB")
                holding.set()
                release.wait(10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def view():
        try:
            audit_record(action=AuditEvent.Action.VIEW, reference="CCCC-CCCC")
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=service)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=view)
    second.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_an_advisory_lock() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _waiting_on_an_advisory_lock() == 1  # the view waits for the service's lock
    release.set()
    first.join(10)
    second.join(10)
    assert not errors
    assert _chain() == [(1, "AAAA-AAAA"), (2, "BBBB-BBBB"), (3, "CCCC-CCCC")]
    assert audit_verify().ok


def test_concurrent_views_and_services_keep_one_unbroken_chain():
    writers, each = 6, 15
    start = threading.Barrier(writers)
    errors = []

    def write(n: int):
        try:
            start.wait(10)
            for i in range(each):
                reference = f"{n:04d}-{i:04d}"
                if (n + i) % 3 == 0:  # a service: inside its own transaction
                    with transaction.atomic():
                        audit_record(action=AuditEvent.Action.NOTE, reference=reference)
                else:  # a page view: a transaction of its own
                    audit_record(action=AuditEvent.Action.VIEW, reference=reference)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    chain = _chain()
    assert [seq for seq, _ in chain] == list(range(1, writers * each + 1))
    assert len({reference for _, reference in chain}) == writers * each
    report = audit_verify()
    assert report.ok, report.problems
    assert report.checked == writers * each
