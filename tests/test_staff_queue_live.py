"""The queue's live refresh: /staff/queue/live/ gives the page's counts and rows, same filters,
and how many intakes (and emergencies) came in since the page was opened."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

LIVE = reverse("staff:queue_live")


def refs(html: str) -> list[str]:
    return re.findall(r'class="reference" href="[^"]+">([A-Z0-9-]+)<', html)


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_the_page_carries_what_its_script_needs(signed_in):
    page = signed_in.get(reverse("staff:queue") + "?escalation=emergency").content.decode()
    assert 'id="queue-results"' in page
    assert f'data-live-url="{LIVE}?escalation=emergency"' in page
    assert 'data-poll-seconds="25"' in page
    assert 'aria-live="assertive"' in page
    assert "/static/js/queue-live.js" in page


def test_rows_keep_the_filters_and_new_arrivals_are_counted(signed_in, submit):
    opened = timezone.now()
    before = submit()
    later = (opened + datetime.timedelta(seconds=5)).isoformat()
    after = [submit(submitted_at=later), submit(symptoms=["coma"], submitted_at=later)]
    since = (opened + datetime.timedelta(seconds=1)).isoformat()
    response = signed_in.get(LIVE, {"escalation": "emergency", "since": since})
    assert response.status_code == 200
    assert response["X-Queue-Live"] == "1" and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert refs(html) == [after[1].reference]  # the filter holds
    assert before.reference not in html
    assert 'data-new-count="2"' in html and 'data-new-emergencies="1"' in html
    # Page links keep the filters and never carry `since`.
    assert "since=" not in html


def test_odd_since_values_never_fail(signed_in, submit):
    submit()
    for since in ("", "yesterday", "2026-13-45", "2026-11-29T10:00:00"):
        response = signed_in.get(LIVE, {"since": since})
        assert response.status_code == 200
        assert 'data-new-count="0"' in response.content.decode()


def test_signed_out_and_no_role_get_no_rows(client, no_role, submit):
    submit()
    assert client.get(LIVE)["Location"].startswith(reverse("staff:login"))
    client.force_login(no_role)
    assert client.get(LIVE).status_code == 403


def test_the_refresh_costs_the_same_queries_for_5_and_50_intakes(signed_in, submit):
    since = timezone.now().isoformat()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert signed_in.get(LIVE, {"since": since}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        submit()
    count()  # warm the session and permission caches alike
    few = count()
    for _ in range(45):
        submit()
    assert count() == few
