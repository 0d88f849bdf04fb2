"""A step page's questions from their compiled shape (intake/public/step_sections.py) are
render_sections of the step's form byte for byte: every step, both languages, answers saved
through the real forms and stored answers made by hand (hostile text, dates, decimals, every
kind of choice, several substances, each sex, the safety follow-ups, values no option has);
the shapes built cold and read warm. And the shapes keep nothing of a person."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from intake import catalog
from intake.public import field_html, step_sections, steps
from intake.public.field_html import render_sections
from tests.test_step_forms import FOLLOW_UPS, POST_SETS, TWO_SUBSTANCES, saved_answers
from tests.test_wizard_walk import DEFAULT_POSTS, answers_for

HOSTILE = "<b>&\"'</b>\ue003\ue002"
EVERY_SUBSTANCE = catalog.codes(catalog.SUBSTANCES)


def hand_made(answers: dict) -> list[dict]:
    """Stored answers no form would save but a draft could hold: each value shown as the form
    would show it, whatever it is."""
    variants = []
    about = answers["about"]
    for first_name, postal, state, dob in (
        (HOSTILE, "0", "ZZ", "1990-05-01"),
        ("", "", "", "not a date"),
        ("Renée «Zoë» 日本", " 02139 ", "MA", ""),
        ("a" * 300, "&amp;", None, "2024-02-29"),
    ):
        changed = copy.deepcopy(answers)
        changed["about"] = {**about, "first_name": first_name, "last_name": HOSTILE,
                            "postal_code": postal, "state": state, "date_of_birth": dob,
                            "email": HOSTILE, "phone": "<555>", "voicemail_ok": None}  # fmt: skip
        variants.append(changed)
    changed = copy.deepcopy(answers)
    changed["about"] = {"respondent": "nobody", "sex": 3, "voicemail_ok": True}
    changed["insurance"] = {"payer": "Zyxwvuts Health", "member_id": 12, "self_pay": True}
    changed["life"] = {"duties": ["work", "nope", "work"], "housing": ["stable", "homeless"],
                       "relapse": False, "has_support": False, "unsafe_home": True}  # fmt: skip
    changed["symptoms"] = {"symptoms": ["coma", "anxiety", "<x>"], "withdrawal_seizures": True}
    variants.append(changed)
    changed = copy.deepcopy(answers)
    changed["insurance"] = {"self_pay": False, "payer": "", "member_id": None}
    changed["life"] = {}
    changed["about"] = {}
    variants.append(changed)
    return variants


def substance_answers() -> list[dict]:
    """Several substances with every kind of detail, amounts as decimals, integers, strings."""
    details = {}
    amounts = ["2.5", 10000, 0.25, "<1>", 3, None, "1e3", 7.0, "", 12]
    for index, code in enumerate(EVERY_SUBSTANCE):
        entry = {"frequency": "weekly", "route": "smoked", "last_use": "today",
                 "duration_months": index * 7 if index % 3 else HOSTILE}  # fmt: skip
        if amounts[index] is not None:
            entry["amount_per_day"] = amounts[index]
            entry["unit"] = None if index % 4 == 0 else "mg"
        if index % 2:
            entry["prescribed"] = bool(index % 3)
            entry["more_than_prescribed"] = index % 5 == 0
        details[code] = entry
    answers = saved_answers(answers_for(**TWO_SUBSTANCES, **FOLLOW_UPS))
    every = copy.deepcopy(answers)
    every["substances"] = {"substances": list(EVERY_SUBSTANCE)}
    every["substance-details"] = details
    every["together"] = {"used_together": ["alcohol", "cannabis", "zzz"],
                         "audit_c": [4, 1], "dast_10": [True, False, None, "yes"]}  # fmt: skip
    some = copy.deepcopy(every)
    some["substances"] = {"substances": ["cocaine", "nicotine", "other"]}
    odd = copy.deepcopy(every)
    odd["substance-details"]["cocaine"] = "not a dict"
    return [every, some, odd]


def answer_sets() -> list[dict]:
    sets = [{}]
    for posts in POST_SETS:
        answers = saved_answers(posts)
        sets.append(answers)
        sets.extend(hand_made(answers))
    for sex, pregnant in (("female", "yes"), ("male", None), ("intersex", "does_not_apply")):
        posts = answers_for(about={**DEFAULT_POSTS["about"], "sex": sex},
                            health={**DEFAULT_POSTS["health"], "pregnant": pregnant})  # fmt: skip
        if pregnant is None:
            del posts["health"]["pregnant"]
        try:
            sets.append(saved_answers(posts))
        except AssertionError:  # a sex the catalog does not have: stored by hand
            answers = saved_answers(answers_for())
            answers["about"]["sex"] = sex
            answers["health"]["pregnant"] = pregnant
            sets.append(answers)
    sets.extend(substance_answers())
    return sets


def compare_every_step(sets: list[dict]) -> int:
    compared = 0
    for answers in sets:
        for step in steps.STEPS[:-1]:
            compiled = step_sections.sections_html(step, answers)
            assert compiled is not None, step.id
            assert str(compiled) == str(render_sections(step.make_form(answers))), step.id
            compared += 1
    return compared


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_step_reads_as_its_form(language):
    step_sections.forget()
    sets = answer_sets()
    with translation.override(language):
        assert compare_every_step(sets) > 150  # cold, then warm
        field_html._OPTIONS.clear()
        field_html._SELECTS.clear()
        assert compare_every_step(sets) > 150


@pytest.mark.django_db
def test_one_language_shape_never_serves_the_other():
    step_sections.forget()
    answers = saved_answers(answers_for())
    for language in ("en", "es", "en"):
        with translation.override(language):
            for step in steps.applicable(answers)[:-1]:
                compiled = step_sections.sections_html(step, answers)
                assert compiled == render_sections(step.make_form(answers)), (language, step.id)


@pytest.mark.django_db
def test_the_shapes_hold_no_one():
    step_sections.forget()
    sets = answer_sets()
    for language in ("en", "es"):
        with translation.override(language):
            compare_every_step(sets)
    texts = ["Dana", "Rivers", "dana@example.org", "555-555-0100", "02139", "1990-05-01",
             "Zyxwvuts", "ABC-123", "Renée", "&lt;b&gt;", "<555>", "aaaaaaaaaa"]  # fmt: skip
    for key, compiled in step_sections._COMPILED.items():
        shown = repr(key)
        if compiled:
            shown += "".join(compiled.pieces)
            for slot in compiled.slots:
                shown += repr({k: getattr(slot, k) for k in slot.__slots__ if k != "field"})
                shown += repr(slot.field.initial) + repr(slot.field.widget.attrs)
        for text in texts:
            assert text not in shown, text


def test_an_unknown_kind_of_question_goes_through_the_form(monkeypatch):
    from django import forms

    from intake.public.forms import SubstanceChoiceForm

    step_sections.forget()
    monkeypatch.setitem(SubstanceChoiceForm.base_fields, "extra", forms.CharField(
        required=False, widget=forms.PasswordInput))  # fmt: skip
    step = steps.get_step("substances")
    assert step_sections.sections_html(step, {"substances": {"extra": "x"}}) is None
    step_sections.forget()


def test_a_checkbox_with_a_value_goes_through_the_form():
    step_sections.forget()
    step = steps.get_step("insurance")
    assert step_sections.sections_html(step, {"insurance": {"self_pay": "maybe"}}) is None
    assert step_sections.sections_html(step, {"insurance": {"self_pay": True}}) is not None
