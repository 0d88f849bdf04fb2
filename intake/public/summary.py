"""The review page's summary: every answer, in the words the person saw.

Built from the step forms themselves (their labels and choices, filled from the draft), so the
summary can never drift from the questions. Shows answers only: no score, no track.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .steps import REVIEW, applicable

NOT_ANSWERED = _("Not answered")
NONE_TICKED = _("None")


@dataclass
class Group:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class StepSummary:
    step_id: str
    title: str
    change_url: str
    groups: list[Group]


def _display(bound, value) -> str:
    form_field = bound.field
    if isinstance(form_field, forms.MultipleChoiceField):
        labels = {str(k): v for k, v in form_field.choices}
        chosen = [str(labels.get(str(v), v)) for v in value or []]
        return ", ".join(chosen) if chosen else str(NONE_TICKED)
    if value is None or value == "":
        return str(NOT_ANSWERED)
    if isinstance(form_field, forms.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(form_field, forms.ChoiceField):
        value = form_field.prepare_value(value)
        labels = {str(k): v for k, v in form_field.choices}
        return str(labels.get(str(value), value))
    if isinstance(form_field, forms.DateField):
        try:
            return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def review_summary(answers: dict) -> list[StepSummary]:
    summaries = []
    for step in applicable(answers):
        if step.id == REVIEW:
            continue
        form = step.make_form(answers)
        groups = []
        for section in form.sections():
            rows = []
            for bound in section.fields:
                value = form.initial.get(bound.name)
                text = _display(bound, value)
                if bound.name.endswith("-amount") and value not in (None, ""):
                    suffix = form.unit_suffix(bound.name.rsplit("-", 1)[0])
                    text = f"{text} {suffix}".strip()
                rows.append((str(bound.label), text))
            groups.append(Group(str(section.title), rows))
        summaries.append(StepSummary(step.id, str(step.title), f"{step.url}?review=1", groups))
    return summaries
