"""The wizard pages from their frames (intake/public/frame.py) are their templates' rendering
byte for byte: every step and the review page, in both languages, coming from the review or
not, with each kind of emergency alert, for a minor, with answers typed before a switch of
language and with hostile answers, the frames cold and warm. And the frames keep nothing of a
person: no answer, no name, no token."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from intake import catalog
from intake.public import frame, steps, views
from tests.test_wizard_emergency import symptoms_post
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for, draft_of

HOSTILE = "<b>&\"'</b>"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def url(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


def through_template(request, template_name, context, **kwargs):
    return render(request, template_name, context, status=kwargs.get("status"))


def both_ways(client, path: str, monkeypatch) -> tuple[str, str]:
    """The page from its frame, then through its template (the CSRF token masked afresh each
    time: compared as one placeholder)."""
    framed = client.get(path)
    with monkeypatch.context() as patch:
        patch.setattr(views, "framed", through_template)
        reference = client.get(path)
    assert framed.status_code == reference.status_code == 200, path
    pages = [TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', response.content.decode())
             for response in (framed, reference)]  # fmt: skip
    assert len(TOKEN.findall(framed.content.decode())) == 2  # the language form's and the page's
    return pages[0], pages[1]


def walked(posts: dict, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    Walk(client, posts).run(until="review")
    return client


def assert_every_page_as_its_template(client, monkeypatch):
    draft_steps = [step.id for step in steps.applicable(draft_of(client).answers)]
    for _ in range(2):  # frames built, then read
        for step_id in draft_steps:
            queries = [""] if step_id == steps.REVIEW else ["", "?review=1"]
            for query in queries:
                framed, reference = both_ways(client, url(step_id) + query, monkeypatch)
                assert framed == reference, (step_id, query)


def assert_frames_hold_no_one(*texts: str):
    for key, built in frame._FRAMES.items():
        shown = repr(key) + "".join(built.pieces)
        for text in texts:
            assert text not in shown, text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_reads_as_its_template(language, monkeypatch):
    frame.forget()
    posts = answers_for()
    posts["about"] = {**posts["about"], "first_name": HOSTILE, "last_name": "Zyxwvuts"}
    client = walked(posts, language)
    assert_every_page_as_its_template(client, monkeypatch)
    assert_frames_hold_no_one("Zyxwvuts", "&lt;b&gt;", "dana@example.org", "555-555-0100",
                              client.cookies["csrftoken"].value)  # fmt: skip
    page = client.get(url("about")).content.decode()
    assert "Zyxwvuts" in page and "&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;" in page
    assert f'<html lang="{language}">' in page


@pytest.mark.django_db
def test_one_language_frame_never_serves_the_other(monkeypatch):
    frame.forget()
    english, spanish = walked(answers_for()), walked(answers_for(), "es")
    for _ in range(2):
        for step_id in ("about", "symptoms", steps.REVIEW):
            page = english.get(url(step_id)).content.decode()
            assert '<html lang="en">' in page and ">Back<" in page and ">Atrás<" not in page
            page = spanish.get(url(step_id)).content.decode()
            assert '<html lang="es">' in page and ">Atrás<" in page and ">Back<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"symptoms": symptoms_post(sorted(catalog.LIFE_THREATENING)[0])},
        {
            "health": {**DEFAULT_POSTS["health"], "q1": "yes", "q2": "yes", "q6": "no"},
            "safety": {"q3": "no", "q4": "yes", "q5": "no"},
        },
        {
            "symptoms": symptoms_post("chest_pain"),
            "health": {**DEFAULT_POSTS["health"], "q1": "yes", "q2": "yes", "q6": "no"},
            "safety": {"q3": "yes", "q4": "yes", "q5": "yes"},
        },
        {"about": {**DEFAULT_POSTS["about"], "date_of_birth": "2012-03-04"}},
    ],
    ids=["medical", "suicide risk", "both", "minor"],
)
def test_the_alerts_and_notes_read_as_their_templates(changes, monkeypatch):
    frame.forget()
    client = walked(answers_for(**changes))
    assert_every_page_as_its_template(client, monkeypatch)


@pytest.mark.django_db
def test_the_emergency_alert_comes_the_moment_the_answers_call_for_it():
    frame.forget()
    client = walked(answers_for())
    assert "emergency-alert" not in client.get(url("symptoms")).content.decode()
    assert "emergency-alert" not in client.get(url("review")).content.decode()
    client.post(url("symptoms"), symptoms_post("chest_pain"))
    assert "emergency-alert" in client.get(url("symptoms")).content.decode()
    assert "emergency-alert" in client.get(url("review")).content.decode()
    client.post(url("symptoms"), DEFAULT_POSTS["symptoms"])
    assert "emergency-alert" not in client.get(url("symptoms")).content.decode()


@pytest.mark.django_db
def test_answers_typed_before_a_switch_of_language_read_as_the_template(monkeypatch):
    frame.forget()
    client = walked(answers_for())
    typed = {**DEFAULT_POSTS["about"], "first_name": "Typed <name>"}
    for _ in range(2):
        for language in ("es", "en"):
            client.post(url("about"), {**typed, "language": language})
            framed = client.get(url("about")).content.decode()
            client.post(url("about"), {**typed, "language": language})
            with monkeypatch.context() as patch:
                patch.setattr(views, "framed", through_template)
                reference = client.get(url("about")).content.decode()
            assert TOKEN.sub("", framed) == TOKEN.sub("", reference)
            assert "Typed &lt;name&gt;" in framed
    assert_frames_hold_no_one("Typed")


@pytest.mark.django_db
def test_the_csrf_token_and_the_path_are_each_requests_own():
    client = walked(answers_for())
    first = client.get(url("symptoms")).content.decode()
    second = client.get(url("symptoms") + "?review=1").content.decode()
    assert TOKEN.findall(first)[0] != TOKEN.findall(second)[0]
    assert f'name="next" value="{url("symptoms")}"' in first
    assert f'name="next" value="{url("symptoms")}?review=1"' in second
    assert "Save and go back to review" in second and "Save and go back" not in first


@pytest.mark.django_db
def test_the_test_client_still_reads_the_context():
    client = walked(answers_for())
    page = client.get(url("about"))
    assert page.context["form"].initial["first_name"] == "Dana"
    assert page.context["back_url"] == reverse("intake:start")
    assert [t.name for t in page.templates][0] == "intake/step.html"


@pytest.mark.django_db
def test_the_frames_follow_the_centers_name():
    client = walked(answers_for())
    client.get(url("about"))
    with override_settings(CENTER_NAME="Harbor & Hill"):
        assert "Harbor &amp; Hill" in client.get(url("about")).content.decode()
    assert "Harbor" not in client.get(url("about")).content.decode()


def test_a_slot_the_template_changed_is_refused():
    with pytest.raises(ValueError):
        frame.Frame("<p>" + frame.marker("name").upper() + "</p>", {"name"})
    with pytest.raises(ValueError):
        frame.Frame("<p>" + frame.marker("name")[:-3] + "…</p>")
    with pytest.raises(ValueError):
        frame.Frame("<p>" + frame.marker("name").replace("<", "&lt;") + "</p>")
    built = frame.Frame("a" + frame.marker("x").replace("<", "&lt;").replace(">", "&gt;") + "b"
                        + frame.marker("y") + "c")  # fmt: skip
    assert built.fill({"x": "<i>", "y": "<i>"}) == "a&lt;i&gt;b<i>c"


@pytest.mark.django_db
def test_messages_are_shown_through_the_template(monkeypatch):
    calls = []
    monkeypatch.setattr(frame, "render", lambda *a, **k: calls.append(a) or "rendered")
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request._messages.add(20, "Saved.")
    assert frame.framed(request, "intake/step.html", {}, key=None, build=dict, slots={}) == (
        "rendered"
    )
    assert len(get_messages(request)) == 1 and calls
