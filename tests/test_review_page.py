"""The review page: the summary cards written in Python (summary.render_summary) are
templates/intake/_summary.html byte for byte, and the page's cached wording never carries one
person's answers to another, nor one language's words to the other."""

from __future__ import annotations

import datetime
import functools
import html as html_lib
import random
import re

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from intake.public import steps, summary
from intake.public.emergency import emergency_for
from intake.public.summary import render_summary, review_summary, summary_html
from tests.test_forms_renderer import every_answer
from tests.test_wizard_walk import DAST_NO, Walk, answers_for

REVIEW = reverse("intake:step", args=["review"])
HOSTILE = "<b>&\"'</b>"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


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


# --- the summary compiled per shape (summary.summary_html) ------------------------------------

# Free text a person might type, each piece distinctive enough to find in a cache key.
TYPED = ['Zoë <O\'Brien> & "Co"', "Qwzx&amp;", "Ʃ\u00a0Jkvq", "<script>x</script>", "Añá"]


def random_posts(rng: random.Random) -> dict[str, dict]:
    """One person's posts, page by page, each question answered (or not) at random through the
    questions its page asks given the earlier answers: every shape the forms can take."""
    answers: dict = {}
    for step in steps.STEPS[:-1]:
        if not step.applies(answers):
            continue
        for _attempt in range(20):
            form = step.make_form(answers)
            post = {name: value for name, form_field in form.fields.items()
                    if (value := _random_value(rng, name, form_field)) is not None}  # fmt: skip
            form = step.make_form(answers, data=post)
            if form.is_valid():
                answers[step.id] = form.to_answers()
                break
        else:
            answers[step.id] = {}
    return answers


def _random_value(rng: random.Random, name: str, form_field):
    from django import forms

    if not form_field.required and rng.random() < 0.3:  # left blank
        return None
    if isinstance(form_field, forms.MultipleChoiceField):
        codes = [code for code, _label in form_field.choices]
        return rng.sample(codes, rng.randint(0, len(codes)))
    if isinstance(form_field, forms.ChoiceField):
        codes = [str(code) for code, _label in form_field.choices if code != ""]
        return rng.choice(codes)
    if isinstance(form_field, forms.BooleanField):
        return rng.choice(["on", ""])
    if isinstance(form_field, forms.DateField):
        year = rng.choice([1950, 1988, 2001, datetime.date.today().year - 15])  # minors too
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if isinstance(form_field, forms.DecimalField):
        return rng.choice(["1", "0.5", "12.25", "3", "40"])
    if isinstance(form_field, forms.IntegerField):
        return str(rng.randint(0, 240))
    if isinstance(form_field, forms.EmailField):
        return rng.choice(["a&b@example.org", "zoe.qwzx@example.com"])
    if name == "phone":
        return rng.choice(["555-555-0100", "(617) 555-0199"])
    if name == "postal_code":
        return rng.choice(["02139", "10001-1234"])
    return rng.choice(TYPED)


def odd_answers() -> list[dict]:
    """Stored answers no form writes today, shown as they are: unknown codes, wrong types."""
    answers = every_answer()
    answers["about"]["date_of_birth"] = "not a date"
    answers["about"]["sex"] = "<gone>"
    answers["symptoms"]["symptoms"] = ["chest_pain", "<unknown>"]
    answers["substance-details"] = {
        "cannabis": {"frequency": "weekly & more", "amount_per_day": "7 <b>", "unit": "<u>"},
        "alcohol": {"amount_per_day": 0, "last_use": None, "route": "oral"},
    }
    answers["insurance"] = {"payer": "", "member_id": 0, "self_pay": True}
    return [answers, {"about": {"respondent": "self"}}, {"substances": {"substances": []}}]


@functools.cache
def answer_sets() -> tuple[dict, ...]:
    """Built once for the tests that read them (never change one)."""
    rng = random.Random(13)
    return (*vignette_answers(), *odd_answers(), *(random_posts(rng) for _ in range(80)))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_compiled_summary_is_the_built_one_byte_for_byte(language):
    summary.forget()
    reference = get_template("intake/_summary.html")
    compared = set()
    with translation.override(language):
        for _round in range(2):  # compiled, then read from the compiled shapes
            for answers in answer_sets():
                built = review_summary(answers)
                html = summary_html(answers)
                assert html == render_summary(built) == reference.render({"summary": built})
                compared.add(html)
    shapes = len(summary._COMPILED)
    assert shapes > 20 and len(compared) > shapes  # many shapes, and answers within a shape
    assert_compiled_holds_no_one(*TYPED, "Dana", "Rivers", "555-555-0100", "dana@example.org",
                                 "1990-05-01", "02139", "ABC-123", "Medicaid")  # fmt: skip


def assert_compiled_holds_no_one(*texts: str):
    for key, compiled in summary._COMPILED.items():
        shown = repr(key) + "".join(compiled.pieces) + repr(compiled.rows)
        for text in texts:
            for form in {text, html_lib.escape(text)}:
                assert form not in shown, text


@pytest.mark.django_db
def test_the_review_page_reads_the_same_with_the_summary_built(monkeypatch):
    from intake.public import views

    summary.forget()
    rng = random.Random(7)
    clients = [at_review(HOSTILE), at_review("Dana", "es"), at_review("Bo", "es")]
    walked = []
    for index in range(6):  # people with varied answers, through the real pages
        posts = answers_for()
        client = Client(HTTP_ACCEPT_LANGUAGE=["en", "es"][index % 2])
        about = {**posts["about"], "first_name": rng.choice(TYPED), "last_name": "Zyxwvuts"}
        posts["about"] = about
        if index % 3 == 1:
            about["date_of_birth"] = f"{datetime.date.today().year - 15}-03-04"  # a minor
        if index % 3 == 2:
            posts["substances"] = {"substances": ["alcohol", "opioids"]}
            posts["substance-details"] = {
                "alcohol-frequency": "daily", "alcohol-amount": "8",
                "alcohol-last_use": "today", "opioids-frequency": "daily",
                "opioids-route": "smoked", "opioids-last_use": "today",
                "opioids-prescribed": "more",
            }  # fmt: skip
            posts["together"] = {**DAST_NO, "audit_c_1": "4", "audit_c_2": "3", "audit_c_3": "2"}
        Walk(client, posts).run(until="review")
        walked.append(client)
    for client in [*clients, *walked]:
        compiled = client.get(REVIEW)
        with monkeypatch.context() as patch:
            patch.setattr(views, "summary_html", lambda a: render_summary(review_summary(a)))
            built = client.get(REVIEW)
        assert compiled.status_code == built.status_code == 200
        pages = [TOKEN.sub("TOKEN", response.content.decode()) for response in (compiled, built)]
        assert pages[0] == pages[1]
        assert 'class="summary-card"' in pages[0]
    assert_compiled_holds_no_one(*TYPED, "Zyxwvuts", "555-555-0100", "dana@example.org")


# --- the emergency, routed once per version of the draft (versions.per_version) -------------


@pytest.mark.django_db
def test_the_review_page_routes_a_draft_again_only_when_its_answers_change(monkeypatch):
    from intake.public import versions, views
    from tests.test_wizard_emergency import symptoms_post
    from tests.test_wizard_walk import draft_of

    routed = []

    def counted(answers):
        routed.append(1)
        return emergency_for(answers)

    monkeypatch.setattr(views, "emergency_for", counted)
    versions.forget()
    client = at_review("Zyxwvuts")
    assert routed  # the saves worked it out
    routed.clear()
    for _ in range(3):  # read, reloaded, in the other language
        assert "emergency-alert" not in client.get(REVIEW).content.decode()
    client.get(REVIEW, HTTP_ACCEPT_LANGUAGE="es")
    assert routed == []
    # Changed through a "change" link: routed afresh (after the step's own check on saving).
    symptoms = reverse("intake:step", args=["symptoms"])
    client.post(symptoms + "?review=1", symptoms_post("chest_pain"))
    assert "emergency-alert" in client.get(REVIEW).content.decode()
    assert "emergency-alert" in client.get(REVIEW).content.decode()
    routed.clear()
    # Changed elsewhere (another tab, another worker's save): routed afresh too.
    draft = draft_of(client)
    calm = {"symptoms": [], "withdrawal_seizures": False, "withdrawal_delirium": False}
    draft.answers = {**draft.answers, "symptoms": calm}
    draft.save()
    assert "emergency-alert" not in client.get(REVIEW).content.decode()
    assert "emergency-alert" not in client.get(REVIEW).content.decode()
    assert len(routed) == 1
    # What is kept: the draft's id and version, the alert's codes; no answer.
    kept = repr(versions._MEMO)
    assert "Zyxwvuts" not in kept and "555-555-0100" not in kept and "1990" not in kept
