"""The step forms are built cheaply and stay each person's own.

Opening a step checks that every step before it is complete (``covered_by``, without building
the forms), and each form copies shared question prototypes (``answer_fields``) and shares the
lists of choices between its copies. These tests hold the cheap paths to the reference: the
forms as built, and a change to one form never reaching another.
"""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from intake.public import steps
from intake.public.forms import HealthForm, SafetyForm, SubstanceDetailsForm, TogetherForm
from intake.public.forms.base import StepForm
from tests.test_wizard_walk import DEFAULT_POSTS, answers_for

TWO_SUBSTANCES = {
    "substances": {"substances": ["alcohol", "opioids"]},
    "substance_details": {
        "alcohol-frequency": "daily", "alcohol-last_use": "today",
        "opioids-frequency": "weekly", "opioids-route": "oral", "opioids-last_use": "today",
        "opioids-prescribed": "more",
    },
    "together": {**DEFAULT_POSTS["together"], "used_together": ["alcohol", "opioids"],
                 "audit_c_1": "4", "audit_c_2": "1", "audit_c_3": "0"},
}  # fmt: skip
FOLLOW_UPS = {"health": {**DEFAULT_POSTS["health"], "q1": "yes", "q2": "yes", "q6": "yes"},
              "safety": {"q3": "no", "q4": "no", "q5": "no", "q6_past_3_months": "no"}}  # fmt: skip
POST_SETS = [
    answers_for(),
    answers_for(**TWO_SUBSTANCES),
    answers_for(**TWO_SUBSTANCES, **FOLLOW_UPS),
    answers_for(about={**DEFAULT_POSTS["about"], "sex": "male"},
                health={k: v for k, v in DEFAULT_POSTS["health"].items() if k != "pregnant"}),
    answers_for(about={**DEFAULT_POSTS["about"], "sex": "other"},
                health={**DEFAULT_POSTS["health"], "pregnant": "does_not_apply"}),
]  # fmt: skip


def saved_answers(posts: dict) -> dict:
    """The draft's answers after posting ``posts`` page by page through the real forms."""
    answers: dict = {}
    for step in steps.STEPS[:-1]:
        if not step.applies(answers):
            continue
        form = step.make_form(answers, data=posts.get(step.id, {}))
        assert form.is_valid(), (step.id, form.errors)
        answers[step.id] = form.to_answers()
    return answers


def variations(answers: dict):
    """The answers, and the answers with each stored answer left out, one at a time, and with
    questions added by a later change of an earlier answer."""
    yield answers
    for step_id, stored in answers.items():
        for key in stored:
            changed = copy.deepcopy(answers)
            del changed[step_id][key]
            yield changed
    more = copy.deepcopy(answers)
    more["substances"]["substances"] = ["alcohol", "baclofen", "opioids", "cannabis"]
    yield more
    safety = copy.deepcopy(answers)
    safety["health"]["cssrs"] = {"q1": True, "q2": True, "q6": True}
    yield safety
    yield {}


@pytest.mark.parametrize("posts", POST_SETS)
def test_covered_by_agrees_with_the_form_as_built(posts):
    answers = saved_answers(posts)
    checked = 0
    for changed in variations(answers):
        for step in steps.STEPS[:-1]:
            form = step.make_form(changed)
            initial = step.form_class.initial_from(changed.get(step.id) or {}, changed)
            assert step.form_class.covered_by(initial, changed) == form.covers(), step.id
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("posts", POST_SETS)
def test_no_step_opens_while_an_earlier_one_misses_an_answer(posts):
    answers = saved_answers(posts)
    completed = list(answers)
    applicable = steps.applicable(answers)
    assert steps.can_open(steps.get_step(steps.REVIEW), answers, completed)
    for index, step in enumerate(applicable[:-1]):
        required = [name for name, field in step.make_form(answers).fields.items()
                    if field.required]  # fmt: skip
        for name in required:
            form_class = step.form_class
            # The stored answer that fills this question, left out:
            broken = copy.deepcopy(answers)
            stored = answers[step.id]
            broken[step.id] = {
                k: v
                for k, v in stored.items()
                if form_class.initial_from({k: v}, answers).get(name) is None
            }
            assert not step.is_complete(broken, completed), (step.id, name)
            for later in applicable[index + 1 :]:
                assert not steps.can_open(later, broken, completed), (step.id, name, later.id)
            assert steps.first_unfinished(broken, completed).id == step.id


def test_a_step_not_saved_is_not_complete_even_with_every_answer():
    answers = saved_answers(POST_SETS[0])
    completed = [step_id for step_id in answers if step_id != "symptoms"]
    assert not steps.get_step("symptoms").is_complete(answers, completed)
    assert not steps.can_open(steps.get_step("health"), answers, completed)
    assert steps.first_unfinished(answers, completed).id == "symptoms"


def prototypes() -> list:
    from intake.public.forms import health, substances, together

    fields = [*health.PHQ_2_FIELDS.values(), *health.CSSRS_FIELDS.values(),
              health.PREGNANT_OPEN, health.PREGNANT_YES_NO, *together.AUDIT_C_FIELDS.values(),
              *together.DAST_10_FIELDS.values()]  # fmt: skip
    for code in substances.SUBSTANCE_UNITS:
        fields.extend(substances.detail_fields(code).values())
    for form_class in StepForm.__subclasses__():
        fields.extend(form_class.base_fields.values())
    return fields


def state(field) -> tuple:
    choices = getattr(field, "choices", None)
    return (
        dict(field.widget.attrs),
        [(value, str(label)) for value, label in choices] if choices is not None else None,
        field.required,
        str(field.label),
    )


@pytest.mark.django_db
def test_building_checking_and_showing_forms_changes_no_shared_question():
    before = [state(field) for field in prototypes()]
    for posts in POST_SETS:
        answers = saved_answers(posts)
        for language in ("en", "es"):
            with translation.override(language):
                for step in steps.STEPS[:-1]:
                    if not step.applies(answers):
                        continue
                    shown = step.make_form(answers)
                    str(shown)
                    bad = step.make_form(answers, data={"substances": ["nope"]})
                    bad.is_valid()
                    str(bad)
    with translation.override("en"):
        assert [state(field) for field in prototypes()] == before


def test_each_form_has_its_own_copies():
    answers = saved_answers(answers_for(**TWO_SUBSTANCES, **FOLLOW_UPS))
    for form_class in (SubstanceDetailsForm, TogetherForm, HealthForm, SafetyForm):
        one, two = form_class(answers=answers), form_class(answers=answers)
        shared = form_class.answer_fields(answers)
        assert shared and set(shared) <= set(one.fields)
        for name, field in one.fields.items():
            assert field is not two.fields[name] and field.widget is not two.fields[name].widget
            assert field.widget.attrs is not two.fields[name].widget.attrs
            assert field is not shared.get(name)
            # Styled once, however many forms were built before.
            assert (
                field.widget.attrs["class"].split().count(field.widget.attrs["class"].split()[0])
                == 1
            )
    # Changing one form's choices leaves the next form's alone.
    female = {"about": {"sex": "female"}}
    other = {"about": {"sex": "other"}}
    first = HealthForm(answers=female)
    first.fields["pregnant"].choices = [("changed", "Changed")]
    assert [v for v, _l in HealthForm(answers=other).fields["pregnant"].choices] == [
        "yes", "no", "does_not_apply"]  # fmt: skip
    assert [v for v, _l in HealthForm(answers=female).fields["pregnant"].choices] == ["yes", "no"]
    assert "pregnant" not in HealthForm(answers={"about": {"sex": "male"}}).fields
