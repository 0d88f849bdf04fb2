"""Submitting once: double clicks, refreshes and replayed POSTs give one intake."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from intake import validators
from intake.models import Consent, Draft, Intake, RoutingDecision
from intake.references import PATTERN
from tests.test_wizard_walk import DEFAULT_POSTS, DONE, Walk, draft_of

REVIEW = reverse("intake:step", args=["review"])


def ready_to_submit(client) -> Walk:
    return Walk(client).run(until="review")


@pytest.mark.parametrize("times", [2, 20])
def test_the_same_final_post_many_times_makes_one_intake(db, client, times):
    ready_to_submit(client)
    responses = [client.post(REVIEW, DEFAULT_POSTS["review"]) for _ in range(times)]
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {DONE}
    assert Intake.objects.count() == 1
    assert Consent.objects.count() == 1
    assert RoutingDecision.objects.count() == 1
    reference = Intake.objects.get().reference
    assert reference in client.get(DONE).content.decode()


def test_refreshing_the_confirmation_shows_the_same_reference(db, client):
    ready_to_submit(client)
    client.post(REVIEW, DEFAULT_POSTS["review"])
    first, second = client.get(DONE), client.get(DONE)
    assert first.context["intake"].reference == second.context["intake"].reference


def test_a_submitted_draft_sends_every_step_to_the_confirmation(db, client):
    ready_to_submit(client)
    client.post(REVIEW, DEFAULT_POSTS["review"])
    for step_id in ("about", "symptoms", "review"):
        response = client.get(reverse("intake:step", args=[step_id]))
        assert response["Location"] == DONE
    response = client.post(reverse("intake:step", args=["about"]), DEFAULT_POSTS["about"])
    assert response["Location"] == DONE
    assert Draft.objects.get().answers == {}


def test_a_replay_from_another_browser_creates_nothing(db, client):
    ready_to_submit(client)
    client.post(REVIEW, DEFAULT_POSTS["review"])
    stranger = Client()
    response = stranger.post(REVIEW, DEFAULT_POSTS["review"])
    assert response["Location"] == reverse("intake:start")
    assert Intake.objects.count() == 1


def test_the_review_cannot_be_submitted_early(db, client):
    Walk(client).run(until="life")
    response = client.post(REVIEW, DEFAULT_POSTS["review"])
    assert response["Location"] == reverse("intake:step", args=["life"])
    assert not Intake.objects.exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("contact_ok", validators.CONSENT_CONTACT_REQUIRED),
        ("privacy_acknowledged", validators.PRIVACY_REQUIRED),
        ("signature", validators.SIGNATURE_REQUIRED),
    ],
)
def test_consent_and_signature_are_needed(db, client, missing, message):
    ready_to_submit(client)
    post = {k: v for k, v in DEFAULT_POSTS["review"].items() if k != missing}
    page = client.post(REVIEW, post)
    assert page.status_code == 200
    assert str(message) in page.content.decode()
    assert not Intake.objects.exists()


def test_the_honeypot_refuses_the_submit(db, client):
    ready_to_submit(client)
    response = client.post(REVIEW, {**DEFAULT_POSTS["review"], "website": "http://spam.example"})
    assert response.status_code == 400
    assert "Call us at" in response.content.decode()
    assert not Intake.objects.exists()


def test_the_honeypot_refuses_a_new_draft(db, client):
    response = client.post(reverse("intake:start"), {"website": "http://spam.example"})
    assert response.status_code == 400
    assert not Draft.objects.exists()


def test_the_honeypot_is_hidden_from_people(db, client):
    html = client.get(reverse("intake:start")).content.decode()
    start = html.index('class="hp-field"')
    block = html[html.rindex("<div", 0, start) : html.index("</div>", start)]
    assert 'aria-hidden="true"' in block
    assert 'tabindex="-1"' in block and 'autocomplete="off"' in block


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_submits_make_one_intake():
    client = Client()
    ready_to_submit(client)
    cookies = client.cookies
    results = []

    def submit():
        browser = Client()
        browser.cookies = cookies
        results.append(browser.post(REVIEW, DEFAULT_POSTS["review"]).status_code)
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * 6
    assert Intake.objects.count() == 1
    assert draft_of(client).submitted_intake_id == Intake.objects.get().pk


def test_an_invalid_document_is_refused_kindly_and_logged_without_answers(
    db, client, monkeypatch, caplog
):
    ready_to_submit(client)
    monkeypatch.setattr(
        "intake.services.drafts.build_document", lambda answers: {"sex": "Dana's secret"}
    )
    page = client.post(REVIEW, DEFAULT_POSTS["review"])
    assert page.status_code == 200
    assert str(validators.NOT_ACCEPTED) in page.content.decode()
    assert not Intake.objects.exists()
    assert "secret" not in caplog.text and "invalid document" in caplog.text


def test_a_reference_code_in_use_is_never_given_again(db, client, submit, monkeypatch):
    # The submit checks its new code in the draft's lock query; when the code is taken it
    # leaves the choice to intake_submit, which draws codes until one is free.
    existing = submit()
    monkeypatch.setattr("intake.services.drafts.new_reference", lambda: existing.reference)
    ready_to_submit(client)
    assert client.post(REVIEW, DEFAULT_POSTS["review"])["Location"] == DONE
    new = Intake.objects.exclude(pk=existing.pk).get()
    assert new.reference != existing.reference
    assert PATTERN.match(new.reference)
