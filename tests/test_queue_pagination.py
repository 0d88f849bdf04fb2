"""The queue's pages: the same rows in the same order whichever way a page's ids are found."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.choices import Status
from intake.models import Intake
from intake.services.intakes import intake_submit
from intake.staff import selectors
from intake.staff.filters import QueueFilter
from intake.staff.pagination import paginate
from tests.conftest import make_document

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily"}


@pytest.fixture
def queue(db):
    """23 intakes over every track, some with priority, a few closed, names to search for."""
    for n in range(23):
        changes = {}
        if n % 3 == 0:
            changes["substances"] = [OPIOIDS_DAILY]
        if n % 4 == 0:
            changes["medical"] = {"pregnant": True}
        contact = {**make_document()["contact"], "last_name": "Garcia" if n % 2 else "Lee"}
        submitted = (T0 + datetime.timedelta(hours=n)).isoformat()
        intake = intake_submit(
            document=make_document(submitted_at=submitted, contact=contact, **changes),
            consent=None,
        )
        if n % 5 == 0:
            Intake.objects.filter(pk=intake.pk).update(status=Status.CLOSED)


def _open_queue(**data):
    return QueueFilter(data, queryset=selectors.queue_intakes()).qs


def _every_page(queryset, total: int, **options) -> list[list[str]]:
    pages = []
    for number in range(1, -(-total // 5) + 1):
        page = paginate(queryset, raw_page=str(number), total=total, per_page=5, **options)
        pages.append([intake.reference for intake in page.items])
    return pages


@pytest.mark.parametrize("selective", [False, True])
def test_every_page_holds_the_queue_order_in_slices(queue, selective):
    queryset = _open_queue()
    in_order = [intake.reference for intake in queryset]
    assert len(in_order) == 18
    pages = _every_page(queryset, len(in_order), selective=selective)
    assert [len(page) for page in pages] == [5, 5, 5, 3]
    assert sum(pages, []) == in_order


def test_a_search_sorts_its_matches_into_the_same_order(queue):
    queryset = _open_queue(q="garcia")
    in_order = [intake.reference for intake in queryset]
    assert len(in_order) == 9
    assert _every_page(queryset, len(in_order), selective=True) == _every_page(
        queryset, len(in_order)
    )


def test_pages_past_the_middle_count_from_the_far_end(queue):
    """The deepest page costs what the first does: no OFFSET, the same order reversed; both
    ends are one joined query, a page between them ids then rows."""
    queryset = _open_queue()
    with CaptureQueriesContext(connection) as first:
        paginate(queryset, raw_page="1", total=18, per_page=5)
    with CaptureQueriesContext(connection) as last:
        page = paginate(queryset, raw_page="4", total=18, per_page=5)
    with CaptureQueriesContext(connection) as third:
        paginate(queryset, raw_page="3", total=18, per_page=5)
    assert len(page.items) == 3
    assert len(first.captured_queries) == len(last.captured_queries) == 1
    first_sql, last_sql = first.captured_queries[0]["sql"], last.captured_queries[0]["sql"]
    assert "OFFSET" not in first_sql and "OFFSET" not in last_sql
    assert 'escalation_rank" DESC' in last_sql and 'escalation_rank" DESC' not in first_sql
    assert len(third.captured_queries) == 2
    third_ids = third.captured_queries[0]["sql"]
    assert "OFFSET 3" in third_ids and 'escalation_rank" DESC' in third_ids


@pytest.mark.parametrize("per_page", [5, 6])  # 18 rows: a short last page, and a full one
def test_a_page_past_the_end_is_the_last_page_in_one_query(queue, per_page):
    # The bench asks for the deepest page this way: its own submits keep adding open intakes.
    queryset = _open_queue()
    pages = -(-18 // per_page)
    with CaptureQueriesContext(connection) as asked:
        page = paginate(queryset, raw_page=str(pages + 1_000_000), total=18, per_page=per_page)
    last = paginate(queryset, raw_page=str(pages), total=18, per_page=per_page)
    assert page.number == pages and not page.has_next
    assert [i.reference for i in page.items] == [i.reference for i in last.items]
    assert len(page.items) == 18 - (pages - 1) * per_page
    assert len(asked.captured_queries) == 1
