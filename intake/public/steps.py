"""The intake's steps: small objects in one ordered list (as pretix's checkout flow).

A step knows its id (used in the URL: ids say nothing about health), its title, which of the
eight topics it belongs to (for "Step 3 of 8"), its form and template, whether it applies to
the answers so far, and whether it is complete. The flow functions below decide where a person
may go; the views only follow them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from intake.draft_document import chosen_substances, follow_up_questions
from intake.public import forms
from intake.public.forms.base import StepForm

TOPICS = 8
REVIEW = "review"
_URLS: dict[tuple, str] = {}  # url_of() by name, arguments, script prefix and URLconf


@receiver(setting_changed)
def _forget_urls(**kwargs) -> None:
    _URLS.clear()


def url_of(name: str, *args: str) -> str:
    """``reverse(name, args=args)``, remembered: reverse() walks the URL resolver each time (a
    tenth of a step GET's own time, for the Back link; about as long for the submit's
    redirect), and the answer changes only with the script prefix and the URLconf."""
    key = (name, args, get_script_prefix(), get_urlconf())
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name, args=list(args))
    return url


def _always(answers: dict) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    topic: int  # 1-8; a topic may span two pages (substances, health and safety)
    form_class: type[StepForm]
    applies: Callable[[dict], bool] = _always
    template: str = "intake/step.html"

    @property
    def url(self) -> str:
        return url_of("intake:step", self.id)

    def make_form(self, answers: dict, data=None, **kwargs) -> StepForm:
        stored = answers.get(self.id) or {}
        initial = self.form_class.initial_from(stored, answers)
        return self.form_class(data=data, initial=initial, answers=answers, **kwargs)

    def is_complete(self, answers: dict, completed: list[str]) -> bool:
        """Saved valid, and still answering every question it asks given later changes."""
        if self.id == REVIEW or self.id not in completed:
            return False
        initial = self.form_class.initial_from(answers.get(self.id) or {}, answers)
        return self.form_class.covered_by(initial, answers)


STEPS: tuple[Step, ...] = (
    Step("about", _("About you"), 1, forms.AboutForm),
    Step("substances", _("Substances"), 2, forms.SubstanceChoiceForm),
    Step("substance-details", _("Substances: the details"), 2, forms.SubstanceDetailsForm,
         applies=lambda answers: bool(chosen_substances(answers))),
    Step("together", _("Using together"), 3, forms.TogetherForm),
    Step("symptoms", _("How you feel now"), 4, forms.SymptomsForm),
    Step("health", _("Health and safety"), 5, forms.HealthForm),
    Step("safety", _("Health and safety: a few more questions"), 5, forms.SafetyForm,
         applies=lambda answers: bool(follow_up_questions(answers))),
    Step("life", _("Life and support"), 6, forms.LifeForm),
    Step("insurance", _("Insurance"), 7, forms.InsuranceForm),
    Step(REVIEW, _("Check your answers and send"), 8, forms.ConsentForm,
         template="intake/review.html"),
)  # fmt: skip
STEPS_BY_ID = {step.id: step for step in STEPS}
assert STEPS[-1].topic == TOPICS


def get_step(step_id: str) -> Step | None:
    return STEPS_BY_ID.get(step_id)


def applicable(answers: dict) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def first_unfinished(answers: dict, completed: list[str]) -> Step:
    """Where the person left off: the first step that applies and is not complete."""
    return next(s for s in applicable(answers) if not s.is_complete(answers, completed))


def can_open(step: Step, answers: dict, completed: list[str]) -> bool:
    """A step opens when it applies and every step before it is complete."""
    if not step.applies(answers):
        return False
    for earlier in applicable(answers):
        if earlier.id == step.id:
            return True
        if not earlier.is_complete(answers, completed):
            return False
    return False


def previous_step(step: Step, answers: dict) -> Step | None:
    steps = applicable(answers)
    index = next(i for i, s in enumerate(steps) if s.id == step.id)
    return steps[index - 1] if index else None


@dataclass(frozen=True)
class Flow:
    """Where a person may go, as the functions above decide it, for one version of a draft:
    the steps that apply, in order, and the index of the first unfinished one (a step GET asks
    can_open, previous_step and, when refused, first_unfinished: each walked the steps and
    checked each earlier one's answers)."""

    applicable: tuple[str, ...]
    unfinished: int

    def can_open(self, step: Step) -> bool:
        try:
            return self.applicable.index(step.id) <= self.unfinished
        except ValueError:
            return False

    def previous_step(self, step: Step) -> Step | None:
        index = self.applicable.index(step.id)
        return STEPS_BY_ID[self.applicable[index - 1]] if index else None

    def first_unfinished(self) -> Step:
        return STEPS_BY_ID[self.applicable[self.unfinished]]


def flow(answers: dict, completed: list[str]) -> Flow:
    steps = applicable(answers)
    unfinished = next(i for i, s in enumerate(steps) if not s.is_complete(answers, completed))
    return Flow(tuple(step.id for step in steps), unfinished)


def after_save(step: Step, answers: dict, completed: list[str], *, from_review: bool) -> Step:
    """Where to go once ``step`` is saved.

    Going forward, the next step. Coming from a "change" link on the review page, back to the
    review, unless the change added questions somewhere (then the first unfinished step).
    """
    if from_review:
        return first_unfinished(answers, completed)
    steps = applicable(answers)
    index = next(i for i, s in enumerate(steps) if s.id == step.id)
    return steps[index + 1]
