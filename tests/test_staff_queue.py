"""The triage queue: ROUTING.md's order, filters, search, counts, pagination, query count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.choices import Status
from intake.services.intakes import intake_submit
from intake.services.staff import intake_assign, intake_status_change
from tests.conftest import make_document

QUEUE = reverse("staff:queue")
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily"}
CANNABIS = make_document()["substances"][0]
HIGH_SUICIDE_RISK = {"cssrs": {"q1": True, "q2": True, "q4": True}}


def imported(hours: int, name: str, **changes):
    """An intake as an import brings it in: its own submission time and a name to find."""
    contact = {**make_document()["contact"], **changes.pop("contact", {}), "last_name": name}
    submitted = (T0 + datetime.timedelta(hours=hours)).isoformat()
    return intake_submit(
        document=make_document(submitted_at=submitted, contact=contact, **changes),
        consent=None,
    )


def references(response) -> list[str]:
    return re.findall(
        r'class="reference" href="/staff/intake/([0-9A-Z-]{9})/"', response.content.decode()
    )


@pytest.fixture
def every_case(db):
    """Every escalation, every track and the priority flag, submitted in a shuffled order."""
    return {
        "outpatient_old": imported(-5, "Outold"),
        "inpatient": imported(0, "Inpat", living={"housing": "homeless"}),
        "crisis": imported(1, "Crisis", screening=HIGH_SUICIDE_RISK),
        "detox": imported(2, "Detox", substances=[OPIOIDS_DAILY]),
        "emergency_outpatient": imported(3, "Emout", symptoms=["coma"]),
        "detox_priority": imported(
            4, "Detoxprio", substances=[OPIOIDS_DAILY], medical={"pregnant": True}
        ),
        "emergency_detox": imported(5, "Emdetox", symptoms=["coma"], substances=[OPIOIDS_DAILY]),
        "inpatient_priority": imported(
            6,
            "Inprio",
            living={"housing": "homeless"},
            substances=[{**CANNABIS, "route": "injected"}],
        ),
        "outpatient_priority": imported(7, "Outprio", medical={"pregnant": True}),
        "outpatient_new": imported(8, "Outnew"),
    }


def test_queue_order_follows_routing_md(client, coordinator, every_case):
    case = every_case
    assert case["emergency_detox"].escalation == "emergency"
    assert case["crisis"].escalation == "crisis"
    assert case["detox_priority"].priority and case["inpatient_priority"].priority
    assert case["outpatient_priority"].priority and not case["outpatient_new"].priority
    expected = [
        "emergency_detox",  # emergency first; within it the more intensive track
        "emergency_outpatient",
        "crisis",
        "detox_priority",  # priority population first within its track...
        "detox",  # ...even though it was submitted later
        "inpatient_priority",
        "inpatient",
        "outpatient_priority",
        "outpatient_old",  # then the oldest submission first
        "outpatient_new",
    ]
    client.force_login(coordinator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert references(response) == [case[name].reference for name in expected]


def test_a_clinicians_override_moves_the_intake_in_the_queue(client, clinician, every_case):
    from intake.services.staff import intake_track_review

    detox = every_case["detox"]
    intake_track_review(
        intake=detox,
        actor=clinician,
        action="override",
        track="outpatient",
        reason="Supervised taper already in place",
        expected_version=1,
    )
    client.force_login(clinician)
    order = references(client.get(QUEUE))
    assert order.index(detox.reference) > order.index(every_case["inpatient"].reference)
    assert "Outpatient · overridden" in client.get(QUEUE).content.decode()


def test_rows_show_badges_waiting_and_assignee_but_no_health_details(
    client, coordinator, every_case
):
    intake_assign(
        intake=every_case["emergency_detox"],
        actor=coordinator,
        assignee=coordinator,
        expected_version=1,
    )
    client.force_login(coordinator)
    html = client.get(QUEUE).content.decode()
    for label in (
        "Emergency",
        "Crisis",
        "Detox",
        "Inpatient",
        "Outpatient",
        "Priority population",
        "Medical",
    ):
        assert f">{label}<" in html, label
    assert "Alice" in html  # the assignee
    assert re.search(r"\d+\s(?:month|week|day|hour|minute)", html)
    # Nothing from the answers or the rules' reasons.
    for detail in ("Coma", "coma", "Opioids", "homeless", "Housing", "pregnan"):
        assert detail not in html, detail


def test_minor_and_needs_review_badges(client, coordinator, db):
    imported(
        0,
        "Young",
        contact={"date_of_birth": "2012-01-01"},
        date_of_birth="2012-01-01",
        symptoms=None,
    )
    client.force_login(coordinator)
    html = client.get(QUEUE).content.decode()
    assert ">Minor<" in html
    assert ">Needs clinician review<" in html


# --- Filters and search ----------------------------------------------------------------------


def _names(client, **params) -> set[str]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return set(re.findall(r"class=\"person-name\">Dana ([A-Za-z]+)<", response.content.decode()))


def test_default_shows_open_statuses_only(client, coordinator, every_case):
    intake_status_change(
        intake=every_case["detox"], actor=coordinator, status=Status.CLOSED, expected_version=1
    )
    client.force_login(coordinator)
    assert "Detox" not in _names(client)
    assert "Detox" in _names(client, status="all")
    assert _names(client, status="closed") == {"Detox"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"track": "detox"}, {"Detox", "Detoxprio", "Emdetox"}),
        ({"escalation": "emergency"}, {"Emout", "Emdetox"}),
        ({"escalation": "crisis"}, {"Crisis"}),
        ({"flag": "priority_population"}, {"Detoxprio", "Inprio", "Outprio"}),
        ({"flag": "medical"}, {"Detoxprio"}),
        (
            {"submitted_after": "2026-03-02", "submitted_before": "2026-03-02"},
            # T0 is 09:00 UTC, 04:00 in New York: hours 0..8 fall on 2 March, local time.
            {
                "Inpat",
                "Crisis",
                "Detox",
                "Emout",
                "Detoxprio",
                "Emdetox",
                "Inprio",
                "Outprio",
                "Outnew",
            },
        ),
        ({"q": "detoxprio"}, {"Detoxprio"}),
        ({"q": "Dana Emdetox"}, {"Emdetox"}),
    ],
)
def test_filters(client, coordinator, every_case, params, expected):
    client.force_login(coordinator)
    assert _names(client, **params) == expected


def test_search_by_reference_and_phone(client, coordinator, every_case):
    target = every_case["crisis"]
    client.force_login(coordinator)
    typed = target.reference.lower().replace("-", " ")
    assert _names(client, q=typed) == {"Crisis"}
    other = imported(9, "Phoned", contact={"phone": "(617) 555-0199"})
    assert other.phone == "(617) 555-0199"
    assert _names(client, q="617 555 0199") == {"Phoned"}
    assert _names(client, q="6175550199") == {"Phoned"}


def test_assigned_to_me(client, coordinator, clinician, every_case):
    intake_assign(
        intake=every_case["crisis"], actor=coordinator, assignee=coordinator, expected_version=1
    )
    intake_assign(
        intake=every_case["detox"], actor=coordinator, assignee=clinician, expected_version=1
    )
    client.force_login(coordinator)
    assert _names(client, mine="on") == {"Crisis"}


def test_bad_filter_input_shows_an_error_not_a_crash(client, coordinator, every_case):
    client.force_login(coordinator)
    response = client.get(QUEUE, {"submitted_after": "not-a-date"})
    assert response.status_code == 200
    assert "Some filters could not be read" in response.content.decode()


# --- Counts and pagination -------------------------------------------------------------------


def test_counts_per_track_and_status(client, coordinator, every_case):
    intake_status_change(
        intake=every_case["inpatient"],
        actor=coordinator,
        status=Status.CONTACTED,
        expected_version=1,
    )
    client.force_login(coordinator)
    response = client.get(QUEUE)
    counts = {code: n for code, _label, n in response.context["track_counts"]}
    assert counts == {"detox": 3, "inpatient": 2, "outpatient": 5}
    statuses = {code: n for code, _label, n in response.context["status_counts"]}
    assert statuses["new"] == 9 and statuses["contacted"] == 1
    # Facets: the track counts ignore the track filter, so they still show every track.
    filtered = client.get(QUEUE, {"track": "detox"})
    assert {c: n for c, _l, n in filtered.context["track_counts"]}["inpatient"] == 2
    assert filtered.context["page"].total == 3


def test_pagination_50_a_page(client, coordinator, db):
    for n in range(53):
        imported(n, f"P{n:03d}".replace("0", "o"))
    client.force_login(coordinator)
    first = client.get(QUEUE)
    assert len(references(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(QUEUE, {"page": "2"})
    assert len(references(second)) == 3
    assert not set(references(first)) & set(references(second))
    # Out-of-range and junk page numbers land on a real page.
    assert len(references(client.get(QUEUE, {"page": "99"}))) == 3
    assert len(references(client.get(QUEUE, {"page": "x"}))) == 50


def _count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "dana", "flag": "medical", "mine": "on"}])
def test_query_count_is_the_same_for_5_and_50_intakes(client, coordinator, db, params):
    for n in range(5):
        imported(n, "Few", substances=[OPIOIDS_DAILY] if n % 2 else None)
    client.force_login(coordinator)
    _count_queries(client, params)
    few = _count_queries(client, params)
    for n in range(45):
        imported(n, "Many", symptoms=["coma"] if n % 3 == 0 else [])
    assert _count_queries(client, params) == few


@pytest.mark.parametrize(("params", "queries"), [({}, 6), ({"page": "2"}, 6), ({"q": "few"}, 7)])
def test_queue_queries(client, clinician, db, params, queries):
    """Session, user, second-factor device, the permissions (the user's and their roles' in
    one query), then the kept counts and the first (or last) page's joined rows; a search
    counts its matches with a GROUP BY and reads the page as ids, then rows."""
    for n in range(60):
        imported(n, "Few")
    client.force_login(clinician)
    _count_queries(client, params)
    assert _count_queries(client, params) == queries


# --- Facets from one GROUP BY ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "track", "tracks", "statuses_expected", "total"),
    [
        (None, None, {"detox": 3, "inpatient": 1, "outpatient": 4}, {"new": 5, "closed": 3}, 8),
        (("new",), None, {"detox": 2, "inpatient": 1, "outpatient": 2}, {"new": 5, "closed": 3}, 5),
        (
            ("new",),
            "detox",
            {"detox": 2, "inpatient": 1, "outpatient": 2},
            {"new": 2, "closed": 1},
            2,
        ),
        (
            ("closed",),
            "inpatient",
            {"detox": 1, "inpatient": 0, "outpatient": 2},
            {"new": 1, "closed": 0},
            0,
        ),
    ],
)
def test_fold_facets(statuses, track, tracks, statuses_expected, total):
    from intake.staff.filters import fold_facets

    matrix = {("new", 0): 2, ("new", 1): 1, ("new", 2): 2, ("closed", 0): 1, ("closed", 2): 2}
    facets = fold_facets(matrix, statuses=statuses, track=track)
    assert facets.tracks == tracks
    assert {k: v for k, v in facets.statuses.items() if k in ("new", "closed")} == (
        statuses_expected
    )
    assert facets.total == total


def test_a_deep_page_walks_ids_then_joins(client, coordinator, db):
    """The page's rows come from an id list (index only), then one joined fetch."""
    for n in range(7):
        imported(n, f"Deep{'abcdefg'[n]}")
    from intake.staff import selectors
    from intake.staff.pagination import paginate

    page = paginate(selectors.queue_intakes(), raw_page="2", total=7, per_page=3)
    assert [i.last_name for i in page.items] == ["Deepd", "Deepe", "Deepf"]
    assert (page.has_previous, page.has_next, page.num_pages) == (True, True, 3)


def test_queue_columns_sort_priority_first_within_track():
    # The columns the queue orders on, as the submit service sets them from the engine's decision.
    from intake.models import Intake
    from intake.routing import route
    from intake.services.intakes import apply_queue_fields
    from tests.test_routing import intake, sub

    def queue_rank(decision) -> tuple[int, int, int]:
        row = Intake()
        apply_queue_fields(row, decision)
        return (row.escalation_rank, row.track_rank, 0 if row.priority else 1)

    decisions = {
        "outpatient": route(intake()),
        "outpatient-priority": route(intake(medical={"pregnant": True})),
        "inpatient": route(intake(living={"housing": "homeless"})),
        "detox": route(intake(sub("alcohol", "daily"))),
        "crisis": route(intake(screening={"cssrs": {"q5": True}})),
        "emergency": route(intake(symptoms=["coma"])),
    }
    ordered = sorted(decisions, key=lambda name: queue_rank(decisions[name]))
    assert ordered == [
        "emergency",
        "crisis",
        "detox",
        "inpatient",
        "outpatient-priority",
        "outpatient",
    ]
