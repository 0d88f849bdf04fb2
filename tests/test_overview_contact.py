"""The overview's first-contact numbers: time to first attempt, reached within target, tries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.services.followup import contact_attempt_add
from intake.services.intakes import intake_submit
from intake.staff.overview import overview_data
from intake.staff.overview_contact import percentile
from tests.conftest import make_document

TODAY = datetime.date(2026, 6, 17)  # a Wednesday
MONDAY = datetime.datetime(2026, 6, 15, 13, 0, tzinfo=datetime.UTC)  # 9 a.m. in New York
LAST_MONDAY = MONDAY - datetime.timedelta(days=7)
NOW = datetime.datetime(2026, 6, 17, 16, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)
HIGH_SUICIDE_RISK = {"cssrs": {"q1": True, "q2": True, "q4": True}}


def submitted(at, **changes):
    return intake_submit(
        document=make_document(submitted_at=at.isoformat(), **changes), consent=None, now=at
    )


def tries(intake, actor, *outcomes_after_minutes):
    for minutes, outcome in outcomes_after_minutes:
        intake.refresh_from_db()
        contact_attempt_add(
            intake=intake,
            actor=actor,
            expected_version=intake.version,
            channel="phone",
            outcome=outcome,
            now=intake.submitted_at + minutes * MIN,
        )


def test_percentile_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5], 0.9) == 5
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 11)), 0.5) == 5


@pytest.mark.django_db
def test_first_contact_numbers(coordinator):
    # Crisis (30 min target): tried after 10, 20 and 40 minutes; reached on the first two.
    a = submitted(MONDAY, screening=HIGH_SUICIDE_RISK)
    b = submitted(MONDAY, screening=HIGH_SUICIDE_RISK)
    c = submitted(LAST_MONDAY, screening=HIGH_SUICIDE_RISK)
    tries(a, coordinator, (10, "reached"))
    tries(b, coordinator, (20, "no_answer"), (25, "left_voicemail"), (29, "reached"))
    tries(c, coordinator, (40, "reached"))
    # Outpatient (24 h target), submitted an hour ago: not yet judged; never tried.
    submitted(NOW - 60 * MIN)
    data = overview_data(today=TODAY, now=NOW)["first_contact"]
    crisis = next(row for row in data["summary"] if row["urgency"] == "crisis")
    assert (crisis["attempted"], crisis["median"], crisis["p90"]) == (3, 20, 40)
    assert (crisis["judged"], crisis["within"], crisis["within_share"]) == (3, 2, 67)
    outpatient = next(row for row in data["summary"] if row["urgency"] == "outpatient")
    assert (outpatient["attempted"], outpatient["judged"], outpatient["within_share"]) == (
        0,
        0,
        None,
    )
    assert data["weekly"]["crisis"][-1] == {"median": 15, "p90": 20}
    assert data["weekly"]["crisis"][-2] == {"median": 40, "p90": 40}
    assert data["attempts"] == {
        "histogram": {"1": 2, "2": 0, "3": 1, "4+": 0},
        "reached": 3,
        "mean": round(5 / 3, 1),
    }


@pytest.mark.django_db
def test_the_page_shows_them_in_a_flat_number_of_queries(client, administrator, coordinator):
    recent = timezone.now() - datetime.timedelta(days=2)
    intake = submitted(recent, screening=HIGH_SUICIDE_RISK)
    tries(intake, coordinator, (10, "no_answer"), (70, "reached"))
    client.force_login(administrator)
    client.get(reverse("staff:overview"))  # warm up: the first request caches permissions
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("staff:overview")).content.decode()
    assert "First contact" in html and "90th percentile" in html
    assert "Attempts before reaching someone" in html
    for n in range(10):
        more = submitted(recent + n * MIN, screening=HIGH_SUICIDE_RISK)
        tries(more, coordinator, (5, "no_answer"), (9, "reached"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("staff:overview"))
    assert len(many.captured_queries) == len(few.captured_queries)
