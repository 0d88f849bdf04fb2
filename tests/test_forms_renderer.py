"""The Python widget renderer (intake/forms_renderer.py) writes exactly the HTML that Django's
widget templates write, for every field of every form the app shows, empty, filled and with
errors."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import RequestFactory

from intake.forms_renderer import WidgetRenderer
from intake.models import Intake
from intake.public import steps
from intake.public.forms import ConsentForm, StartForm
from intake.staff.filters import QueueFilter
from intake.staff.forms import AssignForm, ReviewForm, StaffLoginForm, StatusForm
from tests.test_wizard_walk import answers_for

STOCK, FAST = DjangoTemplates(), WidgetRenderer()
# Answers that bring in every question: two substances, the C-SSRS follow-ups.
POSTS = answers_for(
    substances={"substances": ["cannabis", "alcohol"]},
    health={"pregnant": "no", "phq_1": "0", "phq_2": "1", "q1": "yes", "q2": "yes", "q6": "no"},
)


def every_answer() -> dict:
    answers: dict = {}
    for step in steps.STEPS[:-1]:
        form = step.make_form(answers, data=POSTS.get(step.id, {}))
        form.is_valid()  # the details of the second substance are left unanswered
        answers[step.id] = form.to_answers() if form.is_valid() else {}
    return answers


def html(form, renderer) -> list[str]:
    form.renderer = renderer
    rendered = []
    for bound in form:
        rendered.append(bound.as_widget())
        rendered.extend(str(sub.tag()) for sub in bound.subwidgets)
    return rendered


def forms():
    answers = every_answer()
    for step in steps.STEPS[:-1]:
        yield f"{step.id} (filled)", step.make_form(answers)
        yield f"{step.id} (empty)", step.make_form({})
        bad = step.make_form(answers, data={"first_name": "<b>&\"'", "substances": ["nope"]})
        bad.is_valid()
        yield f"{step.id} (errors)", bad
    yield "start", StartForm()
    consent = ConsentForm({"signature": "<script>"}, center="A & B")
    consent.is_valid()
    yield "consent", consent
    request = RequestFactory().get("/staff/", {"q": "<x>", "submitted_after": "bad"})
    yield "queue filter", QueueFilter(request.GET, queryset=Intake.objects.all()).form
    yield "login", StaffLoginForm()


@pytest.mark.django_db
def test_every_widget_renders_as_djangos_templates_do():
    compared = 0
    for name, form in forms():
        stock, fast = html(form, STOCK), html(form, FAST)
        assert fast == stock, name
        compared += len(stock)
    assert compared > 300


@pytest.mark.django_db
def test_staff_forms_render_the_same(coordinator):
    from intake.services.intakes import intake_submit
    from tests.conftest import make_document

    intake = intake_submit(document=make_document(), consent=None)
    for form in (AssignForm(intake=intake), StatusForm(intake=intake), ReviewForm(intake=intake)):
        assert html(form, FAST) == html(form, STOCK)


def test_it_is_the_apps_renderer():
    assert settings.FORM_RENDERER == "intake.forms_renderer.WidgetRenderer"
    assert isinstance(get_default_renderer(), WidgetRenderer)
