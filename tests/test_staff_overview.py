"""/staff/overview/: the numbers behind the charts, the page, and its query count."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.services.intakes import intake_submit
from intake.services.staff import intake_note_add, intake_track_review
from intake.staff.overview import overview_data, week_starts
from tests.conftest import make_document

OVERVIEW = reverse("staff:overview")
TODAY = datetime.date(2026, 6, 17)  # a Wednesday
THIS_MONDAY = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
OPIOIDS_DAILY = [{"substance": "opioids", "frequency": "daily"}]


def submitted(at: datetime.datetime, **changes):
    return intake_submit(
        document=make_document(submitted_at=at.isoformat(), **changes), consent=None
    )


def test_week_starts_are_mondays_oldest_first():
    weeks = week_starts(TODAY, 3)
    assert weeks == [
        datetime.date(2026, 6, 1),
        datetime.date(2026, 6, 8),
        datetime.date(2026, 6, 15),
    ]


def test_intakes_and_escalations_per_week(db):
    last_week = THIS_MONDAY - datetime.timedelta(days=7)
    submitted(THIS_MONDAY, substances=OPIOIDS_DAILY)
    submitted(THIS_MONDAY, symptoms=["coma"])
    submitted(last_week)
    submitted(last_week, screening={"cssrs": {"q1": True, "q2": True, "q4": True}})
    submitted(THIS_MONDAY - datetime.timedelta(weeks=20))  # outside the window
    data = overview_data(today=TODAY, weeks=2)
    assert data["weeks"] == ["2026-06-08", "2026-06-15"]
    assert data["tracks"] == {"detox": [0, 1], "inpatient": [0, 0], "outpatient": [2, 1]}
    assert data["escalations"] == {"emergency": [0, 1], "crisis": [1, 0]}
    assert data["total"] == 4


def test_median_time_to_first_staff_action(db, coordinator):
    for hours in (1, 2, 10):
        intake = submitted(THIS_MONDAY)
        intake_note_add(
            intake=intake,
            actor=coordinator,
            text="called",
            expected_version=1,
            now=THIS_MONDAY + datetime.timedelta(hours=hours),
        )
    submitted(THIS_MONDAY)  # not acted on yet: not in the median
    data = overview_data(today=TODAY, weeks=2)
    assert data["median_hours"] == [None, 2.0]
    assert data["median_hours_overall"] == 2.0


def test_override_rate_per_fired_rule(db, clinician):
    reviewed_at = THIS_MONDAY + datetime.timedelta(hours=1)
    # D4 fires on all three; R1 on the two homeless ones; F4 (duties, outpatient) on none.
    first = submitted(THIS_MONDAY, substances=OPIOIDS_DAILY)
    second = submitted(THIS_MONDAY, substances=OPIOIDS_DAILY, living={"housing": "homeless"})
    third = submitted(THIS_MONDAY, substances=OPIOIDS_DAILY, living={"housing": "homeless"})
    intake_track_review(
        intake=first, actor=clinician, action="confirm", expected_version=1, now=reviewed_at
    )
    intake_track_review(
        intake=second,
        actor=clinician,
        action="override",
        track="inpatient",
        reason="Already withdrawn",
        expected_version=1,
        now=reviewed_at,
    )
    intake_track_review(
        intake=third,
        actor=clinician,
        action="override",
        track="outpatient",
        reason="Supervised taper",
        expected_version=1,
        now=reviewed_at,
    )
    rules = {row["code"]: row for row in overview_data(today=TODAY, weeks=2)["rules"]}
    assert rules["D4"] == {"code": "D4", "reviews": 3, "overrides": 2, "rate": 66.7}
    assert rules["R1"] == {"code": "R1", "reviews": 2, "overrides": 2, "rate": 100.0}
    assert list(rules) == sorted(rules, key=lambda c: ("EDRF".index(c[0]), int(c[1:])))


def test_page_renders_charts_from_json_script(client, administrator, submit):
    submit()
    client.force_login(administrator)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    for canvas in ("chart-tracks", "chart-escalations", "chart-median"):
        assert f'id="{canvas}"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/overview.js" in html
    # No inline script (CSP): the only <script> without src is the JSON data block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="overview-data" type="application/json"']
    data = json.loads(
        re.search(r'id="overview-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert sum(data["tracks"]["outpatient"]) == 1
    assert data["labels"]["tracks"]["detox"] == "Detox"


@pytest.mark.parametrize("persona", ["coordinator", "clinician"])
def test_only_administrators_see_it(client, request, db, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(OVERVIEW).status_code == 403


def test_query_count_is_the_same_for_5_and_50_intakes_and_reviews(client, administrator, clinician):
    now = timezone.now()

    def add(n):
        for i in range(n):
            intake = submitted(
                now - datetime.timedelta(days=i % 60, hours=1),
                substances=OPIOIDS_DAILY if i % 2 else None,
                symptoms=["coma"] if i % 5 == 0 else [],
            )
            if i % 3 == 0:
                intake_track_review(
                    intake=intake, actor=clinician, action="confirm", expected_version=1
                )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(OVERVIEW).status_code == 200
        return len(ctx.captured_queries)

    add(5)
    client.force_login(administrator)
    count()
    few = count()
    add(45)
    assert count() == few
