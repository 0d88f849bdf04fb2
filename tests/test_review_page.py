"""The review page: the summary cards written in Python (summary.render_summary) are
templates/intake/_summary.html byte for byte, and the page's cached wording never carries one
person's answers to another, nor one language's words to the other."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from intake.public import steps
from intake.public.summary import render_summary, review_summary
from tests.test_forms_renderer import every_answer
from tests.test_wizard_walk import Walk, answers_for

REVIEW = reverse("intake:step", args=["review"])
HOSTILE = "<b>&\"'</b>"


def hostile_answers() -> dict:
    answers = every_answer()
    answers["about"]["first_name"] = HOSTILE
    answers["insurance"] = {"payer": "<script>alert(1)</script>", "member_id": "A&B"}
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "answers", [every_answer, hostile_answers, dict], ids=["all", "hostile", "none"]
)
def test_the_summary_renders_as_its_template_does(language, answers):
    reference = get_template("intake/_summary.html")
    with translation.override(language):
        summary = review_summary(answers())
        html = render_summary(summary)
        assert str(html) == reference.render({"summary": summary})
    assert "<script>" not in html and "<b>" not in html
    if answers is hostile_answers:
        assert "&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;" in html


def vignette_answers() -> list[dict]:
    """Answers that bring in each kind of question: none, every one, a single substance,
    pregnancy asked openly, and a C-SSRS follow-up."""
    from tests.test_forms_renderer import POSTS

    def answers_from(posts):
        answers: dict = {}
        for step in steps.STEPS[:-1]:
            form = step.make_form(answers, data=posts.get(step.id, {}))
            answers[step.id] = form.to_answers() if form.is_valid() else {}
        return answers

    single = answers_for()
    open_pregnancy = answers_for(
        about={**POSTS["about"], "sex": "other"},
        health={
            "pregnant": "does_not_apply",
            "phq_1": "2",
            "phq_2": "3",
            "q1": "yes",
            "q2": "no",
            "q6": "no",
        },
    )
    vignettes = [answers_from(single), answers_from(open_pregnancy)]
    assert vignettes[1]["health"]["pregnant"] == "does_not_apply"
    assert vignettes[0]["substance-details"] and vignettes[0]["together"]
    return [{}, every_answer(), hostile_answers(), *vignettes]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_forms_read_from_their_class_summarise_as_built_forms_do(language, monkeypatch):
    from intake.public import summary

    with translation.override(language):
        for answers in vignette_answers():
            read = review_summary(answers)
            monkeypatch.setattr(summary, "_read_from_class", lambda form_class: False)
            built = review_summary(answers)
            monkeypatch.undo()
            assert read == built
    assert any(summary._read_from_class(step.form_class) for step in steps.STEPS[:-1])


def at_review(first_name: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    posts = answers_for()
    posts["about"] = {**posts["about"], "first_name": first_name}
    Walk(client, posts).run(until="review")
    return client


@pytest.mark.django_db
def test_each_person_sees_only_their_own_answers():
    ana, bo = at_review("Anaïs"), at_review("Bo <Ray>")
    for _ in range(2):  # the second time, every fragment comes from the cache
        ana_page = ana.get(REVIEW).content.decode()
        bo_page = bo.get(REVIEW).content.decode()
        assert "Anaïs" in ana_page and "Bo &lt;Ray&gt;" not in ana_page
        assert "Bo &lt;Ray&gt;" in bo_page and "Anaïs" not in bo_page


@pytest.mark.django_db
def test_the_review_page_reads_in_each_language_whatever_was_cached_first():
    english, spanish = at_review("Dana"), at_review("Dana", "es")
    for _ in range(2):
        page = english.get(REVIEW).content.decode()
        assert "Your consent" in page and "Send my intake" in page and "Change" in page
        assert "Su consentimiento" not in page
        page = spanish.get(REVIEW).content.decode()
        assert "Su consentimiento" in page and "Enviar mi formulario" in page
        assert "Cambiar" in page
        assert "Your consent" not in page and "Send my intake" not in page


@pytest.mark.django_db
def test_the_dates_follow_the_day(monkeypatch):
    from intake.public import views

    client = at_review("Dana")
    for day in (datetime.date(2026, 11, 30), datetime.date(2026, 12, 1)):
        monkeypatch.setattr(views.timezone, "localdate", lambda day=day: day)
        page = client.get(REVIEW).content.decode()
        signed = date_format(day, "DATE_FORMAT")
        ends = date_format(day + datetime.timedelta(days=365), "DATE_FORMAT")
        assert f"<strong>{signed}</strong>" in page
        assert f"Until {ends}, unless you take it back sooner." in page


@pytest.mark.django_db
def test_the_consent_form_keeps_what_was_typed_and_its_errors():
    client = at_review("Dana")
    response = client.post(REVIEW, {"signature": "Dana <R>", "contact_ok": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Dana &lt;R&gt;"' in page
    assert 'id="error-summary"' in page
    assert 'name="contact_ok" class="form-check-input" required id="id_contact_ok" checked>' in page
    assert 'id="id_privacy_acknowledged">' in page  # not ticked, so not checked
    page = client.get(REVIEW).content.decode()
    assert "Dana &lt;R&gt;" not in page  # nothing typed was kept in a fragment
