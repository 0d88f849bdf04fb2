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


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "closed", "track": "detox"},
        {"status": "bogus"},
        {"q": "dana", "track": "outpatient"},
        {"flag": "priority_population", "overdue": "on"},
        {"submitted_after": "", "submitted_before": ""},
        {"submitted_after": "2000-01-01"},
        {"submitted_after": "not a date", "track": "detox"},
    ],
)
def test_counted_is_the_filters_without_status_and_track(intakes, rf, coordinator, data):
    """QueueFilter.counted gives what a second filter set over the same data, minus status and
    track, gives: the same rows, and "narrows" exactly when that set has another filter set or
    an error."""
    from django.utils import timezone

    from intake.staff import selectors
    from intake.staff.filters import ALL, QueueFilter

    Intake.objects.filter(pk=intakes[0].pk).update(status=Status.CLOSED)
    request = rf.get("/staff/")
    request.user = coordinator
    now = timezone.now()
    main = QueueFilter(data, queryset=selectors.queue_intakes(), request=request, now=now)
    queryset, narrows = main.counted("status", "track")

    other = {key: value for key, value in data.items() if key not in ("status", "track")}
    second = QueueFilter(
        {**other, "status": ALL}, queryset=selectors.queue_intakes(), request=request, now=now
    )
    assert sorted(queryset.values_list("pk", flat=True)) == sorted(
        second.qs.values_list("pk", flat=True)
    )
    expected = not second.is_valid() or any(
        name not in ("status", "track")
        and value not in (None, "", False)
        and not (isinstance(value, slice) and value.start is None and value.stop is None)
        for name, value in second.form.cleaned_data.items()
    )
    assert narrows == expected
