"""Moving through the intake: progress, Back, direct URLs, conditional steps, change links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.draft_document import build_document
from intake.models import Intake
from intake.public import steps
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for, draft_of


def url(step_id: str, **query) -> str:
    path = reverse("intake:step", args=[step_id])
    return path + ("?review=1" if query.get("review") else "")


@pytest.mark.parametrize(
    ("step_id", "topic"),
    [("about", 1), ("substances", 2), ("substance-details", 2), ("together", 3),
     ("symptoms", 4), ("health", 5), ("life", 6), ("insurance", 7), ("review", 8)],
)  # fmt: skip
def test_every_page_says_which_step_of_eight(db, client, step_id, topic):
    Walk(client).run(until="review")
    page = client.get(url(step_id))
    assert page.status_code == 200
    assert f"Step {topic} of 8" in page.content.decode()


def test_back_keeps_answers(db, client):
    Walk(client).run(until="symptoms")
    page = client.get(url("together"))
    back = page.context["back_url"]
    assert back == url("substance-details")
    details = client.get(back).content.decode()
    assert (
        'value="weekly" class="form-check-input" id="id_cannabis-frequency_2" required checked'
        in details
    )
    about = client.get(url("about")).content.decode()
    assert 'value="Dana"' in about and 'value="1990-05-01"' in about
    # Saving an earlier page again goes on to the next page and loses nothing later.
    response = client.post(url("about"), DEFAULT_POSTS["about"])
    assert response["Location"] == url("substances")
    draft = draft_of(client)
    assert draft.completed_steps == ["about", "substances", "substance-details", "together"]
    assert client.get(url("symptoms")).status_code == 200


def test_first_page_back_goes_to_the_start_page(db, client):
    Walk(client).run(until="about")
    assert client.get(url("about")).context["back_url"] == reverse("intake:start")


@pytest.mark.parametrize("later", ["symptoms", "life", "insurance", "review", "safety"])
def test_a_later_step_redirects_to_the_first_unfinished_one(db, client, later):
    Walk(client).run(until="together")
    response = client.get(url(later))
    assert response.status_code == 302
    assert response["Location"] == url("together")
    # Posting to it does not save anything either.
    client.post(url(later), DEFAULT_POSTS.get(later, {}))
    assert later not in draft_of(client).completed_steps


def test_without_a_draft_the_steps_send_people_to_the_start(db, client):
    response = client.get(url("about"))
    assert response.status_code == 302 and response["Location"] == reverse("intake:start")


def test_an_unknown_step_is_not_found(db, client):
    Walk(client).run(until="about")
    assert client.get("/intake/step/nope/").status_code == 404


def test_start_page_offers_to_continue(db, client):
    Walk(client).run(until="together")
    page = client.get(reverse("intake:start"))
    assert page.context["resume_step"].id == "together"
    assert "Continue where you left off" in page.content.decode()


def test_audit_c_is_asked_only_when_alcohol_was_chosen(db, client):
    Walk(client).run(until="together")
    assert "audit_c_1" not in client.get(url("together")).context["form"].fields
    client2 = client.__class__()
    Walk(client2, answers_for(substances={"substances": ["alcohol"]},
                              substance_details={"alcohol-frequency": "weekly",
                                                 "alcohol-last_use": "today"})).run(
        until="together"
    )  # fmt: skip
    fields = client2.get(url("together")).context["form"].fields
    assert {"audit_c_1", "audit_c_2", "audit_c_3"} <= set(fields)
    assert "used_together" not in fields  # one substance: nothing to use together


def test_details_are_asked_only_for_the_chosen_substances_with_fitting_units(db, client):
    posts = answers_for(substances={"substances": ["alcohol", "baclofen", "opioids"]})
    Walk(client, posts).run(until="substance-details")
    form = client.get(url("substance-details")).context["form"]
    codes = {name.split("-")[0] for name in form.fields}
    assert codes == {"alcohol", "baclofen", "opioids"}
    assert form.fields["baclofen-amount"].suffix == "mg a day"
    assert form.fields["alcohol-amount"].suffix == "drinks a day"
    assert "baclofen-unit" not in form.fields and "alcohol-route" not in form.fields
    assert "opioids-unit" in form.fields and "opioids-prescribed" in form.fields


def test_change_link_returns_to_the_review(db, client):
    Walk(client).run(until="review")
    response = client.post(
        url("life", review=True), {**DEFAULT_POSTS["life"], "housing": "homeless"}
    )
    assert response["Location"] == url("review")
    assert "I do not have a place to live" in client.get(url("review")).content.decode()


def test_choosing_another_substance_from_review_asks_its_questions_first(db, client):
    Walk(client).run(until="review")
    response = client.post(url("substances", review=True),
                           {"substances": ["alcohol", "cannabis"]})  # fmt: skip
    assert response["Location"] == url("substance-details")
    assert client.get(url("review"))["Location"] == url("substance-details")
    details = {**DEFAULT_POSTS["substance-details"], "alcohol-frequency": "daily",
               "alcohol-last_use": "today"}  # fmt: skip
    response = client.post(url("substance-details", review=True), details)
    # Alcohol also brings the AUDIT-C questions on the "using together" page.
    assert response["Location"] == url("together")
    together = {**DEFAULT_POSTS["together"], "audit_c_1": "1", "audit_c_2": "0", "audit_c_3": "0"}
    response = client.post(url("together", review=True), together)
    assert response["Location"] == url("review")


def test_a_dropped_substance_leaves_no_answers_behind(db, client):
    posts = answers_for(
        substances={"substances": ["alcohol", "cannabis"]},
        substance_details={**DEFAULT_POSTS["substance-details"], "alcohol-frequency": "daily",
                           "alcohol-last_use": "today"},
        together={**DEFAULT_POSTS["together"], "used_together": ["alcohol", "cannabis"],
                  "audit_c_1": "4", "audit_c_2": "4", "audit_c_3": "4"},
    )  # fmt: skip
    Walk(client, posts).run(until="review")
    client.post(url("substances", review=True), {"substances": ["cannabis"]})
    document = build_document(draft_of(client).answers)
    assert [s["substance"] for s in document["substances"]] == ["cannabis"]
    assert document["used_together"] == []
    assert "audit_c" not in document["screening"]


@pytest.mark.parametrize(
    ("health", "questions"),
    [
        ({"q1": "no", "q2": "no", "q6": "no"}, None),
        ({"q1": "yes", "q2": "no", "q6": "no"}, None),
        ({"q1": "yes", "q2": "yes", "q6": "no"}, {"q3", "q4", "q5"}),
        ({"q1": "no", "q2": "no", "q6": "yes"}, {"q6_past_3_months"}),
        ({"q1": "yes", "q2": "yes", "q6": "yes"}, {"q3", "q4", "q5", "q6_past_3_months"}),
    ],
)
def test_suicide_screener_follow_up_page_follows_the_skip_rule(db, client, health, questions):
    Walk(client).run(until="health")
    response = client.post(url("health"), {**DEFAULT_POSTS["health"], **health})
    if questions is None:
        assert response["Location"] == url("life")
        assert client.get(url("safety"))["Location"] == url("life")
    else:
        assert response["Location"] == url("safety")
        fields = client.get(url("safety")).context["form"].fields
        assert set(fields) == questions
        assert "Step 5 of 8" in client.get(url("safety")).content.decode()


def test_follow_up_answers_are_ignored_once_q2_is_no(db, client):
    posts = answers_for(
        health={**DEFAULT_POSTS["health"], "q1": "yes", "q2": "yes"},
        safety={"q3": "yes", "q4": "yes", "q5": "yes"},
    )
    Walk(client, posts).run(until="review")
    client.post(url("health", review=True), {**DEFAULT_POSTS["health"], "q1": "yes"})
    assert client.get(url("review")).status_code == 200  # the follow-up no longer applies
    client.post(url("review"), DEFAULT_POSTS["review"])
    intake = Intake.objects.get()
    assert intake.screening["cssrs"] == {"q1": True, "q2": False, "q6": False}
    assert intake.escalation == "none"


def test_the_steps_list_is_ordered_and_ids_are_url_safe():
    ids = [step.id for step in steps.STEPS]
    assert ids[0] == "about" and ids[-1] == "review"
    assert len(ids) == len(set(ids))
    assert sorted({step.topic for step in steps.STEPS}) == list(range(1, 9))
    assert all(step_id.replace("-", "").isalpha() for step_id in ids)
