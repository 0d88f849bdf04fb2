"""The emergency page: shown for each life-threatening sign, E3 sign and high suicide risk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake import catalog
from tests.test_wizard_walk import DEFAULT_POSTS, HELP_NOW, Walk, answers_for, draft_of

NO_HISTORY = {"withdrawal_seizures": "no", "withdrawal_delirium": "no"}


def symptoms_post(*codes: str) -> dict:
    """The symptoms page's post with ``codes`` ticked in whichever group shows them."""
    from intake.public.forms.symptoms import GROUP_CHOICES

    post = dict(NO_HISTORY)
    for group, choices in GROUP_CHOICES.items():
        ticked = [code for code, _label in choices if code in codes]
        if ticked:
            post[group] = ticked
    return post


def url(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


def post_symptoms(client, *codes):
    Walk(client).run(until="symptoms")
    return client.post(url("symptoms"), symptoms_post(*codes))


@pytest.mark.parametrize("code", sorted(catalog.LIFE_THREATENING))
def test_each_life_threatening_sign_brings_the_emergency_page(db, client, code):
    response = post_symptoms(client, code)
    assert response["Location"] == HELP_NOW
    page = client.get(HELP_NOW)
    html = page.content.decode()
    assert page.context["emergency"].medical
    # Plainly, and first: call 911; then the other numbers; then the way back to the intake.
    assert "Call 911 now" in html
    assert html.index('href="tel:911"', html.index("<main")) < html.index("Continue my intake")
    assert 'href="tel:+18002221222"' in html
    assert page.context["continue_url"] == url("health")


@pytest.mark.parametrize(
    "codes",
    [("delirium",), ("hyperthermia",), ("chest_pain",), ("hallucinations", "confusion")],
)
def test_each_e3_sign_brings_the_emergency_page(db, client, codes):
    assert post_symptoms(client, *codes)["Location"] == HELP_NOW
    assert client.get(HELP_NOW).context["emergency"].medical


@pytest.mark.parametrize(
    "codes",
    [(), ("hallucinations",), ("confusion",), ("tremors", "tachycardia", "anxiety"),
     ("nausea", "vomiting", "drowsiness", "heart_problems", "vertigo")],
)  # fmt: skip
def test_no_emergency_page_without_an_emergency_sign(db, client, codes):
    assert post_symptoms(client, *codes)["Location"] == url("health")


@pytest.mark.parametrize(
    ("health", "safety"),
    [
        ({"q1": "yes", "q2": "yes", "q6": "no"}, {"q3": "no", "q4": "yes", "q5": "no"}),
        ({"q1": "yes", "q2": "yes", "q6": "no"}, {"q3": "yes", "q4": "no", "q5": "yes"}),
        ({"q1": "no", "q2": "no", "q6": "yes"}, {"q6_past_3_months": "yes"}),
    ],
)
def test_high_suicide_risk_brings_the_988_page(db, client, health, safety):
    Walk(client).run(until="health")
    client.post(url("health"), {**DEFAULT_POSTS["health"], **health})
    response = client.post(url("safety"), safety)
    assert response["Location"] == HELP_NOW
    page = client.get(HELP_NOW)
    html = page.content.decode()
    assert page.context["emergency"].suicide_risk and not page.context["emergency"].medical
    assert "call or text 988 now" in html
    assert html.index('href="tel:988"', html.index("<main")) < html.index(
        'href="tel:911"', html.index("<main")
    )
    assert page.context["continue_url"] == url("life")


@pytest.mark.parametrize(
    ("health", "safety"),
    [
        ({"q1": "yes", "q2": "no", "q6": "no"}, None),
        ({"q1": "yes", "q2": "yes", "q6": "no"}, {"q3": "yes", "q4": "no", "q5": "no"}),
        ({"q1": "no", "q2": "no", "q6": "yes"}, {"q6_past_3_months": "no"}),
    ],
)
def test_lower_suicide_risk_does_not_bring_the_page(db, client, health, safety):
    Walk(client).run(until="health")
    response = client.post(url("health"), {**DEFAULT_POSTS["health"], **health})
    if safety is not None:
        response = client.post(url("safety"), safety)
    assert response["Location"] == url("life")


def test_the_page_comes_once_then_an_alert_stays(db, client):
    post_symptoms(client, "seizures")
    client.get(HELP_NOW)
    response = client.post(url("health"), DEFAULT_POSTS["health"])
    assert response["Location"] == url("life")  # not again
    page = client.get(url("life")).content.decode()
    assert "emergency-alert" in page and 'href="tel:911"' in page
    # Saving the same symptoms again is not a new emergency either.
    response = client.post(url("symptoms"), symptoms_post("seizures"))
    assert response["Location"] == url("health")


def test_a_new_emergency_sign_brings_the_page_again(db, client):
    post_symptoms(client, "seizures")
    response = client.post(url("symptoms"), symptoms_post("seizures", "blue_lips"))
    assert response["Location"] == HELP_NOW


def test_no_alert_on_ordinary_pages(db, client):
    Walk(client).run(until="life")
    assert "emergency-alert" not in client.get(url("life")).content.decode()


def test_emergency_walk_can_still_be_finished(db, client):
    posts = answers_for(symptoms=symptoms_post("coma"))
    walk = Walk(client, posts).run()
    assert walk.emergency_after == ["symptoms"]
    assert draft_of(client).submitted_intake.escalation == "emergency"


def test_the_page_works_without_a_draft(db, client):
    page = client.get(HELP_NOW)
    assert page.status_code == 200
    assert 'href="tel:911"' in page.content.decode()
