"""Whatever a staff form posts, the intake page answers with a page, never a server error,
and the queue's filters and search take any text."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_public_fuzz import NASTY

ACTIONS = {
    "intake_assign": ["assign-version", "assign-assignee"],
    "intake_status": ["status-version", "status-status"],
    "intake_review": ["review-version", "review-action", "review-track", "review-reason"],
    "intake_note": ["note-version", "note-text"],
    "intake_contact": [
        "contact-version",
        "contact-channel",
        "contact-outcome",
        "contact-next_attempt",
        "contact-next_at",
        "contact-note",
        "contact-voicemail_reason",
        "contact-confirm_status",
    ],
}
QUEUE_PARAMETERS = [
    "q",
    "status",
    "track",
    "escalation",
    "flag",
    "mine",
    "overdue",
    "submitted_min",
    "submitted_max",
    "page",
    "after",
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("action", list(ACTIONS))
@FUZZ
@given(data=st.data())
def test_any_action_post_gets_a_page_not_an_error(db, client, clinician, submit, action, data):
    intake = submit()
    client.force_login(clinician)
    posted = {name: data.draw(NASTY) for name in ACTIONS[action]}
    response = client.post(reverse(f"staff:{action}", args=[intake.reference]), posted)
    assert response.status_code in (200, 302, 400, 403, 409), (posted, response.status_code)


@FUZZ
@given(data=st.data())
def test_any_queue_query_gets_a_page_not_an_error(db, client, clinician, submit, data):
    submit()
    client.force_login(clinician)
    query = {
        name: data.draw(NASTY)
        for name in data.draw(st.lists(st.sampled_from(QUEUE_PARAMETERS), min_size=1, unique=True))
    }
    response = client.get(reverse("staff:queue"), query)
    assert response.status_code in (200, 400), (query, response.status_code)


@FUZZ
@given(reference=NASTY)
def test_any_reference_in_the_url_gets_a_page_not_an_error(db, client, clinician, reference):
    client.force_login(clinician)
    response = client.get(f"/staff/intake/{reference}/")
    assert response.status_code in (404, 301, 302), (reference, response.status_code)


@FUZZ
@given(page=NASTY)
def test_my_followups_takes_any_page_number(db, client, clinician, page):
    client.force_login(clinician)
    response = client.get(reverse("staff:followups"), {"page": page})
    assert response.status_code == 200, (page, response.status_code)


@FUZZ
@given(data=st.data())
def test_any_contact_attempt_input_gets_a_page_not_an_error(db, client, clinician, submit, data):
    """The version right, every other field anything: a message or a saved attempt."""
    intake = submit()
    client.force_login(clinician)
    posted = {name: data.draw(NASTY) for name in ACTIONS["intake_contact"][1:]}
    posted["contact-version"] = intake.version
    posted["contact-outcome"] = data.draw(
        st.sampled_from(["reached", "no_answer", posted["contact-outcome"]])
    )
    posted["contact-channel"] = data.draw(
        st.sampled_from(["phone", "voicemail", posted["contact-channel"]])
    )
    response = client.post(reverse("staff:intake_contact", args=[intake.reference]), posted)
    assert response.status_code in (302, 400), (posted, response.status_code)
