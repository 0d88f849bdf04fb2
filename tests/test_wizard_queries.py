"""Query counts per page: small and the same on every step, whatever the answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for

STEP_IDS = ["about", "substances", "substance-details", "together", "symptoms", "health", "life",
            "insurance"]  # fmt: skip
# GET: the session with its draft, one query (intake/sessions.py). POST: that, then the draft
# locked and updated (with the savepoint pair that transaction.atomic adds inside the test's
# transaction).
GET_QUERIES = 1
POST_QUERIES = 5
# The final submit (see test_review_confirmation_and_replay).
SUBMIT_QUERIES = 4 if connection.vendor == "postgresql" else 14


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_each_step_costs_the_same_few_queries(db, client, django_assert_num_queries, step_id):
    Walk(client).run(until=step_id)
    url = reverse("intake:step", args=[step_id])
    with django_assert_num_queries(GET_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(POST_QUERIES):
        assert client.post(url, DEFAULT_POSTS[step_id]).status_code == 302


def test_many_substances_cost_no_more(db, client, django_assert_num_queries):
    codes = ["alcohol", "baclofen", "opioids", "cocaine", "cannabis"]
    details = {}
    for code in codes:
        details |= {
            f"{code}-frequency": "daily",
            f"{code}-last_use": "today",
            f"{code}-route": "oral",
            f"{code}-prescribed": "no",
            f"{code}-amount": "2",
        }
    Walk(client, answers_for(substances={"substances": codes})).run(until="substance-details")
    url = reverse("intake:step", args=["substance-details"])
    with django_assert_num_queries(GET_QUERIES):
        client.get(url)
    with django_assert_num_queries(POST_QUERIES):
        assert client.post(url, details).status_code == 302


def test_an_invalid_post_only_reads(db, client, django_assert_num_queries):
    Walk(client).run(until="about")
    with django_assert_num_queries(GET_QUERIES):
        assert client.post(reverse("intake:step", args=["about"]), {}).status_code == 200


def test_review_confirmation_and_replay(db, client, django_assert_num_queries):
    Walk(client).run(until="review")
    review = reverse("intake:step", args=["review"])
    with django_assert_num_queries(GET_QUERIES):
        client.get(review)
    # The session with its draft; then on PostgreSQL one statement, its own transaction (a
    # savepoint pair here, in the test's transaction): the draft marked submitted if it is as
    # read, the intake, its substances, consent, first timeline line and decision, and the
    # session's activity (test_submit_statements.py). On SQLite, in one transaction: the draft
    # locked (and the new reference checked in the same query), a statement a row and the
    # pointer to the decision; then the intake noted in the session (another pair here, in
    # the test's transaction; outside one a single UPDATE: tests/test_sessions.py).
    with django_assert_num_queries(SUBMIT_QUERIES):
        client.post(review, DEFAULT_POSTS["review"])
    with django_assert_num_queries(2):
        client.get(reverse("intake:done"))
    # A replayed submit only reads: the session with its (submitted) draft.
    with django_assert_num_queries(1):
        assert client.post(review, DEFAULT_POSTS["review"])["Location"] == reverse("intake:done")


def test_an_emergency_submit_adds_only_its_symptoms_and_its_alert(
    db, client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from intake.models import Alert
    from tests.test_wizard_emergency import symptoms_post
    from tests.test_wizard_walk import answers_for

    settings.ALERT_EMAILS = ["oncall@example.org"]
    Walk(client, answers_for(symptoms=symptoms_post("coma"))).run(until="review")
    review = reverse("intake:step", args=["review"])
    # The ordinary submit's queries, plus who receives alerts and the alert row (no savepoint:
    # a new intake has no alert yet), and on SQLite the symptom links (on PostgreSQL they are
    # in the one statement, written under the draft's lock: one query more, so that the alert
    # is in the intake's transaction). The e-mail goes once the transaction commits, from a
    # worker (inline only without a broker).
    more = 1  # PostgreSQL: the draft's lock; SQLite: the symptom links
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_num_queries(SUBMIT_QUERIES + more + 2),
    ):
        assert client.post(review, DEFAULT_POSTS["review"]).status_code == 302
    alert = Alert.objects.get()
    assert (alert.reason, alert.state, alert.recipients) == (
        "emergency",
        "pending",
        ["oncall@example.org"],
    )
    assert len(callbacks) == 1
