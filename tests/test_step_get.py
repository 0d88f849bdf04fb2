"""What a step GET works out besides its questions: steps.Flow agrees with can_open,
previous_step and first_unfinished; intake.public.versions remembers it (and the emergency)
per version of the draft, never across a save, and keeps no answer; a step's URL is
reverse()'s. (The frame's CSRF token: tests/test_csrf.py.)"""

from __future__ import annotations

import itertools

import pytest
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix

from intake.public import steps, versions
from intake.public.emergency import emergency_for
from intake.services.drafts import draft_create, draft_save_step
from tests.test_step_forms import POST_SETS, saved_answers, variations


@pytest.mark.django_db
@pytest.mark.parametrize("posts", POST_SETS)
def test_the_flow_decides_as_the_step_functions(posts):
    answers = saved_answers(posts)
    checked = 0
    for changed in variations(answers):
        ids = list(changed)
        for completed in (ids, ids[:3], [], ids[::2], list(reversed(ids))):
            flow = steps.flow(changed, completed)
            assert flow.first_unfinished() == steps.first_unfinished(changed, completed)
            for step in steps.STEPS:
                opens = steps.can_open(step, changed, completed)
                assert flow.can_open(step) == opens, step.id
                if step.applies(changed):
                    assert flow.previous_step(step) == steps.previous_step(step, changed)
                checked += 1
    assert checked > 500


@pytest.mark.django_db
def test_each_version_of_a_draft_is_worked_out_once():
    versions.forget()
    answers = saved_answers(POST_SETS[0])
    draft, _token = draft_create()
    calls = itertools.count()

    def emergency():
        next(calls)
        return emergency_for(draft.answers)

    for step_id, stored in answers.items():
        draft = draft_save_step(draft_id=draft.pk, step_id=step_id, data=stored)
        before = next(calls)
        for _ in range(3):
            assert versions.per_version(draft, "emergency", emergency) == emergency_for(
                draft.answers
            )
        assert next(calls) == before + 2  # once for the three, once for the counter above
    symptoms = {**answers["symptoms"], "symptoms": ["chest_pain"]}
    draft = draft_save_step(draft_id=draft.pk, step_id="symptoms", data=symptoms)
    assert versions.per_version(draft, "emergency", emergency).medical
    shown = repr(versions._MEMO)
    for text in ("Dana", "Rivers", "dana@example.org", "555-555-0100", "1990-05-01"):
        assert text not in shown
    versions.forget()


def test_a_steps_url_is_reverses():
    for step in steps.STEPS:
        assert step.url == reverse("intake:step", args=[step.id])
    try:
        set_script_prefix("/clinic/")
        assert steps.get_step("about").url == "/clinic/intake/step/about/"
        assert steps.url_of("intake:done") == "/clinic/intake/done/"
    finally:
        set_script_prefix("/")
    assert steps.get_step("about").url == "/intake/step/about/"
    assert steps.url_of("intake:done") == reverse("intake:done") == "/intake/done/"


def test_the_fast_never_cache_writes_djangos_headers():
    from django.http import HttpResponse
    from django.views.decorators.cache import never_cache as djangos

    from intake.middleware import never_cache

    def fresh(request):
        return HttpResponse("ok")

    def cached(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "max-age=60, public"
        response["Expires"] = "then"
        return response

    request = RequestFactory().get("/")
    for view in (fresh, cached):
        ours, theirs = never_cache(view)(request), djangos(view)(request)
        if ours["Expires"] != theirs["Expires"]:  # a second passed between the two: again
            ours, theirs = never_cache(view)(request), djangos(view)(request)
        assert list(ours.items()) == list(theirs.items()), view.__name__
