"""The queue's counts per status and track, kept by database triggers (QueueCount), always
equal a GROUP BY over the intakes, whatever changes them; the queue reads them when no filter
but status and track narrows it."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.choices import Status
from intake.models import Intake, QueueCount
from intake.services.intakes import intake_submit
from tests.conftest import make_document

OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily"}


def grouped() -> dict:
    rows = Intake.objects.order_by().values("status", "track_rank").annotate(n=Count("*"))
    return {(r["status"], r["track_rank"]): r["n"] for r in rows}


def kept() -> dict:
    return {
        (status, rank): n
        for status, rank, n in QueueCount.objects.values_list("status", "track_rank", "n")
        if n
    }


@pytest.fixture
def intakes(db):
    made = []
    for n in range(6):
        substances = [OPIOIDS_DAILY] if n % 2 else None
        made.append(intake_submit(document=make_document(substances=substances), consent=None))
    return made


def test_submits_are_counted(intakes):
    assert kept() == grouped()
    assert sum(kept().values()) == 6


def test_status_and_track_changes_move_the_counts(intakes):
    Intake.objects.filter(pk=intakes[0].pk).update(status=Status.CLOSED)
    Intake.objects.filter(pk__in=[i.pk for i in intakes[1:3]]).update(
        status=Status.CONTACTED, track_rank=1
    )
    intake = Intake.objects.get(pk=intakes[3].pk)
    intake.status = Status.IN_REVIEW
    intake.save()
    # An update that leaves both columns as they were changes no count.
    Intake.objects.filter(pk=intakes[4].pk).update(status=intakes[4].status)
    assert kept() == grouped()
    assert kept()[(Status.CLOSED, intakes[0].track_rank)] == 1


def test_deleting_and_rolling_back_keep_the_counts_right(intakes):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Intake.objects.filter(pk=intakes[0].pk).update(status=Status.CLOSED)
        raise RuntimeError
    assert kept() == grouped()
    with connection.cursor() as cursor:
        # Raw SQL too: the triggers, not the ORM, keep the counts.
        cursor.execute(
            "UPDATE intake_intake SET status = 'declined', track_rank = 0 WHERE id = %s",
            [intakes[1].pk],
        )
    assert kept() == grouped()
    # An intake with no decision yet (the append-only decisions refuse deletion) comes and goes.
    bare = Intake.objects.create(reference="RAWSQL-01", first_name="A", last_name="B")
    assert kept() == grouped()
    bare.delete()
    assert kept() == grouped()
    assert sum(kept().values()) == 6


def test_the_unfiltered_queue_reads_the_kept_counts(client, coordinator, intakes):
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as plain:
        response = client.get(reverse("staff:queue"))
    sql = " ".join(q["sql"] for q in plain.captured_queries)
    assert "intake_queuecount" in sql and "GROUP BY" not in sql
    assert response.context["page"].total == 6
    # A search counts what it matches, with a GROUP BY.
    with CaptureQueriesContext(connection) as searched:
        response = client.get(reverse("staff:queue"), {"q": "nobody-by-this-name"})
    sql = " ".join(q["sql"] for q in searched.captured_queries)
    assert "intake_queuecount" not in sql and "GROUP BY" in sql
    assert response.context["page"].total == 0


@pytest.mark.parametrize(
    "params", [{"track": "detox"}, {"status": "all"}, {"status": "closed", "track": "outpatient"}]
)
def test_status_and_track_filters_count_the_same_either_way(client, coordinator, intakes, params):
    Intake.objects.filter(pk=intakes[0].pk).update(status=Status.CLOSED)
    client.force_login(coordinator)
    fast = client.get(reverse("staff:queue"), params).context
    # The same filters with a filter that narrows nothing: counted by GROUP BY.
    slow = client.get(reverse("staff:queue"), {**params, "submitted_after": "2000-01-01"}).context
    assert fast["page"].total == slow["page"].total
    assert fast["track_counts"] == slow["track_counts"]
    assert fast["status_counts"] == slow["status_counts"]
