"""Each wizard question renders the same from Python (intake/public/field_html.py) as from
templates/intake/_field.html, the reference: every question of every step, filled, empty and
with errors, hostile values included."""

import re

import pytest
from django.template.loader import get_template
from django.utils import translation

from intake.public.field_html import render_field
from tests.test_forms_renderer import forms


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_question_renders_as_the_template_does(language):
    reference = get_template("intake/_field.html")
    compared = 0
    with translation.override(language):
        for name, form in forms():
            if name in ("queue filter", "login"):
                continue  # staff forms: they do not use the wizard's question template
            for field in form:
                assert str(render_field(field)) == reference.render({"field": field}), (
                    name,
                    field.name,
                )
                compared += 1
    assert compared > 150


def _pages(posts_by_person: dict[str, dict]) -> dict[str, object]:
    """Each person's symptoms and life forms, bound to what they typed (with its errors)."""
    from intake.public import steps

    forms_by_person = {}
    for person, posts in posts_by_person.items():
        for step_id in ("symptoms", "life", "about"):
            form = steps.get_step(step_id).make_form({}, data=posts)
            form.is_valid()
            forms_by_person[(person, step_id)] = form
    return forms_by_person


@pytest.mark.django_db
def test_the_option_cache_shows_each_person_their_own_answers():
    """Options are built once per question and language; what is ticked, the errors and the
    language still change from page to page, and nobody's answers reach another's page."""
    from intake.public import field_html

    reference = get_template("intake/_field.html")
    people = {
        "ann": {"danger_signs": ["coma"], "body_signs": ["tremors", "nausea"],
                "withdrawal_seizures": "yes", "housing": "stable", "duties": ["work"],
                "sex": "female", "respondent": "self", "state": "MA"},
        "bob": {"mind_signs": ["anxiety"], "withdrawal_seizures": "no",
                "withdrawal_delirium": "yes", "housing": "homeless",
                "duties": ["school", "childcare"], "sex": "male", "state": "<b>"},
        "dee": {"state": "TX"},
        "cy": {},  # nothing ticked: every group has an error
    }  # fmt: skip
    pages = _pages(people)
    field_html._OPTIONS.clear()
    field_html._SELECTS.clear()
    for language in ("en", "es", "en"):
        with translation.override(language):
            for person in ("ann", "bob", "cy", "dee", "ann"):
                for step_id in ("symptoms", "life", "about"):
                    for field in pages[(person, step_id)]:
                        html = str(render_field(field))
                        assert html == reference.render({"field": field}), (person, field.name)
                        if field.name == "state":
                            chosen = {"ann": "MA", "dee": "TX", "cy": ""}.get(person)
                            assert html.count(" selected>") == (chosen is not None), person
                            assert chosen is None or f'"{chosen}" selected>' in html, person
                        if not field.use_fieldset:
                            continue
                        ticked = set(field.field.widget.format_value(field.value()))
                        for index, (value, _label) in enumerate(field.field.choices):
                            tag = re.search(
                                rf'<input [^>]*id="{field.auto_id}_{index}"[^>]*>', html
                            )
                            assert (" checked" in tag[0]) == (str(value) in ticked), (
                                person, field.name, value
                            )  # fmt: skip
                        assert ('aria-invalid="true"' in html) == bool(field.errors)
    # One entry per question, language and with or without errors: none per person.
    questions = 18  # 4 on "about you", 5 on symptoms, 9 on life
    assert questions < len(field_html._OPTIONS) <= questions * 2 * 2
    # The state list: by language, error or not, and which state (none, MA, TX).
    assert len(field_html._SELECTS) <= 2 * 2 * 3


@pytest.mark.django_db
def test_the_option_cache_grows_with_questions_not_answers():
    from intake.public import field_html, steps

    field_html._OPTIONS.clear()
    step = steps.get_step("symptoms")
    for signs in (["coma"], ["seizures", "coma"], [], ["delirium"], ["blue_lips"]):
        form = step.make_form({"symptoms": {"symptoms": signs, "withdrawal_seizures": False}})
        for field in form:
            render_field(field)
    assert len(field_html._OPTIONS) == len(step.make_form({}).fields)


@pytest.mark.django_db
def test_questions_whose_choices_depend_on_answers_show_their_own_choices():
    """ "Does not apply to me" is offered only where the sex given leaves pregnancy open: the
    cached options follow the form's choices, whichever came first."""
    from intake.public.forms import HealthForm

    reference = get_template("intake/_field.html")
    for language in ("en", "es"):
        with translation.override(language):
            for sex in ("female", "other", "female", "unknown", "female"):
                field = HealthForm(answers={"about": {"sex": sex}})["pregnant"]
                html = str(render_field(field))
                assert html == reference.render({"field": field})
                assert ('value="does_not_apply"' in html) == (sex != "female")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_step_renders_its_sections_as_the_template_does(language):
    from intake.public.field_html import render_sections

    reference = get_template("intake/_sections.html")
    compared = 0
    with translation.override(language):
        for name, form in forms():
            if not hasattr(form, "sections"):
                continue
            assert str(render_sections(form)) == reference.render({"form": form}), name
            compared += 1
    assert compared >= 27  # every step but the review: filled, empty and with errors
