"""The review page's summary: every answer, in the words the person saw.

Built from the step forms themselves (their labels and choices, filled from the draft), so the
summary can never drift from the questions. Shows answers only: no score, no track.

``render_summary`` writes the cards as HTML in Python: templates/intake/_summary.html byte for
byte (tests/test_review_page.py renders both and finds them equal; change both together). The
template's three nested loops over some sixty answers took about a millisecond, a tenth of the
review page.
"""

from __future__ import annotations

import datetime
import html as html_lib
from dataclasses import dataclass, field

from django import forms
from django.forms.utils import pretty_name
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .forms.base import SharedChoices, StepForm
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


# Each shared list of choices as {value: label} text, by language: the review page showed some
# sixty answers, each building the dict of its question's options (the state list has 57) and
# translating the one chosen. Keyed by the list's id, for the lists choice fields share
# (forms.base.SharedChoices: never changed in place); the entry keeps its list alive, so no
# other list can take the id while the entry stands. Options only: never an answer.
_LABELS: dict[tuple[int, str | None], tuple[list, dict[str, str]]] = {}
_LABELS_MAX = 2000


def _labels(form_field) -> dict[str, str]:
    choices = form_field.choices
    if not isinstance(form_field, SharedChoices):
        return {str(k): str(v) for k, v in choices}
    key = (id(choices), get_language())
    entry = _LABELS.get(key)
    if entry is not None and entry[0] is choices:
        return entry[1]
    labels = {str(k): str(v) for k, v in choices}
    if len(_LABELS) >= _LABELS_MAX:
        _LABELS.clear()
    _LABELS[key] = (choices, labels)
    return labels


def _display(form_field, value) -> str:
    if isinstance(form_field, forms.MultipleChoiceField):
        labels = _labels(form_field)
        chosen = [labels.get(str(v), str(v)) for v in value or []]
        return ", ".join(chosen) if chosen else str(NONE_TICKED)
    if value is None or value == "":
        return str(NOT_ANSWERED)
    if isinstance(form_field, forms.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(form_field, forms.ChoiceField):
        value = form_field.prepare_value(value)
        return _labels(form_field).get(str(value), str(value))
    if isinstance(form_field, forms.DateField):
        try:
            return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def _read_from_class(form_class: type[StepForm]) -> bool:
    """Whether the form's questions and sections are its class's, given the answers: its
    declared fields, ``answer_fields`` and ``layout``; no __init__, build_layout or field
    order of its own."""
    return (
        form_class.__init__ is StepForm.__init__
        and form_class.build_layout is StepForm.build_layout
        and form_class.field_order is None
    )


def _questions(step, answers: dict):
    """The step's questions as the person's answers build them: (sections, initial, form).

    Most step forms are read from their class (``base_fields`` and the shared
    ``answer_fields``, read, never changed), with no form built: building one deep-copies
    every field and widget, and the review page built nine only to read their labels. A form
    that arranges its sections itself is built as its step page builds it. Both ways give the
    same summary (tests/test_review_page.py).
    """
    form_class = step.form_class
    if _read_from_class(form_class):
        fields = {**form_class.base_fields, **form_class.answer_fields(answers)}
        initial = form_class.initial_from(answers.get(step.id) or {}, answers)
        return _sections(form_class.layout, fields), initial, None
    form = step.make_form(answers)
    return _sections(form.layout, form.fields), form.initial, form


def _sections(layout, fields) -> list[tuple[str, list]]:
    """StepForm.sections() as (title, [(name, field)]): no BoundField is needed here."""
    if layout is None:
        return [("", list(fields.items()))]
    return [
        (title, [(name, fields[name]) for name in names if name in fields])
        for title, _intro, names in layout
    ]


def review_summary(answers: dict) -> list[StepSummary]:
    summaries = []
    for step in applicable(answers):
        if step.id == REVIEW:
            continue
        sections, initial, form = _questions(step, answers)
        groups = []
        for title, questions in sections:
            rows = []
            for name, form_field in questions:
                value = initial.get(name)
                text = _display(form_field, value)
                if name.endswith("-amount") and value not in (None, ""):
                    form = form or step.make_form(answers)
                    suffix = form.unit_suffix(name.rsplit("-", 1)[0])
                    text = f"{text} {suffix}".strip()
                label = form_field.label if form_field.label is not None else pretty_name(name)
                rows.append((str(label), text))
            groups.append(Group(str(title), rows))
        summaries.append(StepSummary(step.id, str(step.title), f"{step.url}?review=1", groups))
    return summaries


def _esc(text) -> str:
    """conditional_escape, as {{ }} applies it, without its wrappers for a plain str (every
    label and answer here): a third of this function's time went to them."""
    if type(text) is str:
        return html_lib.escape(text)
    return conditional_escape(text)


def render_summary(summaries: list[StepSummary]) -> SafeString:
    """The summary cards: templates/intake/_summary.html, written in Python."""
    esc = _esc
    change = esc(gettext("Change"))
    html = []
    for part in summaries:
        step_id, title = esc(part.step_id), esc(part.title)
        html.append(
            f'\n<section class="summary-card" aria-labelledby="summary-{step_id}">\n'
            f'  <div class="summary-head">\n'
            f'    <h2 class="h5" id="summary-{step_id}">{title}</h2>\n'
            f'    <a href="{esc(part.change_url)}" class="change-link">{change}'
            f'<span class="visually-hidden"> {title}</span></a>\n  </div>\n  '
        )
        for group in part.groups:
            heading = f'<h3 class="h6 summary-group">{esc(group.title)}</h3>' if group.title else ""
            rows = "".join(
                f'\n      <div class="summary-row"><dt>{esc(label)}</dt>'
                f"<dd>{esc(value)}</dd></div>\n      "
                for label, value in group.rows
            )
            html.append(
                f'\n    {heading}\n    <dl class="summary-list">\n      {rows}\n    </dl>\n  '
            )
        html.append("\n</section>\n")
    html.append("\n")  # the template's last line ends
    # Every value above went through _esc (conditional_escape), as {{ }} does.
    return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703
