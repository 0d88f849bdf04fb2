"""Drafts: saved after every step, resumable by a private link, expiring, purged."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.draft_document import EXAMPLE_ANSWERS, EXAMPLE_COMPLETED_STEPS
from intake.models import Draft
from intake.services.drafts import (
    draft_create,
    draft_for_token,
    draft_save_step,
    drafts_purge,
    resume_url,
)
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, draft_of


def step_url(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


def test_draft_create_keeps_only_the_hash_of_the_token(db, settings):
    now = timezone.now()
    draft, token = draft_create(now=now)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert draft.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Draft.objects.values().get())
    assert draft.expires_at == now + settings.DRAFT_TTL
    assert draft_for_token(token=token) == draft
    assert draft_for_token(token=token + "x") is None


def test_two_drafts_get_different_tokens(db):
    assert draft_create()[1] != draft_create()[1]


def test_resume_url_is_the_resume_path():
    assert resume_url("abc") == "/intake/resume/abc/"
    assert (
        resume_url("abc", base_url="https://x.example/") == "https://x.example/intake/resume/abc/"
    )


def test_draft_save_step_keeps_other_steps_and_extends_the_life(db, settings):
    draft, _token = draft_create(answers={"about": {"first_name": "A"}}, completed_steps=["about"])
    later = timezone.now() + datetime.timedelta(days=3)
    saved = draft_save_step(draft_id=draft.pk, step_id="substances",
                            data={"substances": ["cannabis"]}, now=later)  # fmt: skip
    saved.refresh_from_db()
    assert saved.answers == {
        "about": {"first_name": "A"},
        "substances": {"substances": ["cannabis"]},
    }
    assert saved.completed_steps == ["about", "substances"]
    assert saved.expires_at == later + settings.DRAFT_TTL


def test_answers_are_in_the_database_after_every_step(db, client):
    Walk(client).run(until="symptoms")
    draft = draft_of(client)
    assert draft.completed_steps == ["about", "substances", "substance-details", "together"]
    assert draft.answers["about"]["first_name"] == "Dana"
    assert draft.answers["substance-details"]["cannabis"]["frequency"] == "weekly"


def test_resume_in_a_fresh_browser_continues_where_it_left_off(db, client):
    Walk(client).run(until="symptoms")
    token = client.session["intake_token"]
    other = Client()
    response = other.get(resume_url(token))
    assert response.status_code == 302 and response["Location"] == step_url("symptoms")
    about = other.get(step_url("about")).content.decode()
    assert 'value="Dana"' in about
    # Both browsers now work on the one draft.
    other.post(step_url("symptoms"), DEFAULT_POSTS["symptoms"])
    assert client.get(step_url("health")).status_code == 200
    assert Draft.objects.count() == 1


def test_the_example_draft_resumes_at_using_together(db):
    _draft, token = draft_create(answers=EXAMPLE_ANSWERS, completed_steps=EXAMPLE_COMPLETED_STEPS)
    response = Client().get(resume_url(token))
    assert response["Location"] == step_url("together")


def test_an_expired_link_is_refused_kindly(db):
    past = timezone.now() - datetime.timedelta(days=8)
    _draft, token = draft_create(answers=EXAMPLE_ANSWERS, completed_steps=EXAMPLE_COMPLETED_STEPS,
                                 now=past)  # fmt: skip
    response = Client().get(resume_url(token))
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html and reverse("intake:start") in html
    assert "Robin" not in html


def test_an_unknown_link_is_refused_kindly(db):
    response = Client().get(resume_url("not-a-real-token"))
    assert response.status_code == 404
    assert "couldn't find this link" in response.content.decode()
    assert reverse("intake:start") in response.content.decode()


@pytest.mark.parametrize("token", ["x" * 500, "%00", "..", "a b"])
def test_odd_links_never_fail(db, token):
    assert Client().get(f"/intake/resume/{token}/").status_code == 404


def test_a_submitted_drafts_link_shows_no_answers(db, client):
    Walk(client).run()
    token = client.session["intake_token"]
    draft = Draft.objects.get()
    assert draft.answers == {} and draft.completed_steps == []
    other = Client()
    response = other.get(resume_url(token), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("intake:done")
    assert draft.submitted_intake.reference in html
    for answer in ("Dana", "Rivers", "555-555-0100", "annabis"):
        assert answer not in html
    assert other.get(step_url("about"))["Location"] == reverse("intake:done")


def test_an_expired_session_draft_starts_again(db, client):
    Walk(client).run(until="together")
    Draft.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(step_url("together"))["Location"] == reverse("intake:start")


def test_purge_drafts_deletes_only_expired_ones(db):
    now = timezone.now()
    draft_create(now=now - datetime.timedelta(days=8))
    draft_create(now=now - datetime.timedelta(days=7, seconds=1))
    keep, _token = draft_create(now=now - datetime.timedelta(days=6))
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert "Deleted 2 expired draft(s)" in out.getvalue()
    assert list(Draft.objects.all()) == [keep]
    assert drafts_purge() == 0


def test_the_save_page_shows_the_private_link(db, client):
    Walk(client).run(until="together")
    token = client.session["intake_token"]
    page = client.get(reverse("intake:save"))
    assert page.status_code == 200
    assert f"http://testserver/intake/resume/{token}/" in page.content.decode()


def test_forgetting_a_device_keeps_the_link_working(db, client):
    Walk(client).run(until="together")
    token = client.session["intake_token"]
    response = client.post(reverse("intake:forget"))
    assert response["Location"] == reverse("landing")
    assert client.get(step_url("together"))["Location"] == reverse("intake:start")
    assert client.get(resume_url(token))["Location"] == step_url("together")


def test_resume_links_and_steps_are_not_cached(db, client):
    Walk(client).run(until="together")
    assert "no-store" in client.get(step_url("together"))["Cache-Control"]
