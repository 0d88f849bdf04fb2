"""The review page's summary: every answer, in the words the person saw.

Built from the step forms themselves (their labels and choices, filled from the draft), so the
summary can never drift from the questions. Shows answers only: no score, no track.

``render_summary`` writes the cards as HTML in Python: templates/intake/_summary.html byte for
byte (tests/test_review_page.py renders both and finds them equal; change both together). The
template's three nested loops over some sixty answers took about a millisecond, a tenth of the
review page.

``summary_html`` is what the review page shows: ``render_summary(review_summary(answers))``
compiled once per *shape* (see below), and each request fills in its own answers.
"""

from __future__ import annotations

import datetime
import html as html_lib
import re
from dataclasses import dataclass, field

from django import forms
from django.forms.utils import pretty_name
from django.urls import get_script_prefix
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .forms.base import SharedChoices, StepForm
from .frame import forgotten_on_change
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


# --- the summary compiled per shape ------------------------------------------------------------
#
# Which questions the summary shows, under which headings, with which labels and which words for
# each option, is the same for everyone whose forms have the same questions, in one language:
# only the answers differ. Building it per request (the forms' sections, some 150 translated
# labels, three forms built to lay out their own sections) was about 3 ms of the review page.
# So the cards are rendered once per shape by render_summary itself, with a marker in place of
# each answer, split at the markers, and kept in this process; a request fills in its answers,
# escaped, each shown as _display shows it.
#
# The shape: the language, the script prefix (the "change" links) and, for each step that
# applies, its id and the questions its answers add to its form (StepForm.answer_fields: the
# same shared field objects for everyone given the same earlier answers; a field is hashed and
# compared by identity, and the entry keeps it alive). A form's sections are a function of its
# questions: the forms that lay out their own sections (build_layout) lay out the questions
# answer_fields gave them. Keys and compiled pieces hold no answer: no name, date, number or
# other text a person typed (tests/test_review_page.py looks for them).

_OPEN, _CLOSE = "\ue002", "\ue003"  # private use: no label or translation has them
_ANSWER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_MULTI, _BOOL, _CHOICE, _DATE, _TEXT = range(5)


@dataclass(frozen=True, slots=True)
class _Row:
    """How one answer is shown: where it is read and what words its options have."""

    step_at: int  # index of the step's initial data in the request's list
    name: str
    kind: int
    labels: dict[str, str] | None  # _labels(field), escaped
    prepare: object  # the field's prepare_value where it changes values, else None
    suffix: str | None  # the unit after an amount
    field: forms.Field | None  # an amount's field (for _display)


@dataclass(frozen=True, slots=True)
class _Compiled:
    pieces: tuple[str, ...]  # pieces[0] answer0 pieces[1] ... answerN pieces[N+1]
    rows: tuple[_Row, ...]
    # Shown the same in every row, in the shape's language.
    none_ticked: str
    not_answered: str
    yes: str
    no: str


_COMPILED: dict[tuple, _Compiled] = {}
_COMPILED_MAX = 500  # a few dozen shapes in use (substances chosen x health x languages)


def _kind(form_field) -> int:
    # In _display's order: a multiple choice is a choice too.
    if isinstance(form_field, forms.MultipleChoiceField):
        return _MULTI
    if isinstance(form_field, forms.BooleanField):
        return _BOOL
    if isinstance(form_field, forms.ChoiceField):
        return _CHOICE
    if isinstance(form_field, forms.DateField):
        return _DATE
    return _TEXT


def _row(step_at: int, name: str, form_field, suffix: str | None) -> _Row:
    kind = _kind(form_field)
    labels = None
    if kind in (_MULTI, _CHOICE):
        labels = {value: _esc(label) for value, label in _labels(form_field).items()}
    prepare = None
    if kind == _CHOICE and type(form_field).prepare_value is not forms.Field.prepare_value:
        prepare = form_field.prepare_value  # YesNoField: True -> "yes"
    return _Row(step_at, name, kind, labels, prepare, suffix,
                form_field if suffix is not None else None)  # fmt: skip


def _compile(answers: dict, shown: list) -> _Compiled:
    """The cards for these answers' shape, each answer a marker. ``answers`` only decide the
    shape (which questions, which sections): no answer is read into the result."""
    rows: list[_Row] = []
    summaries = []
    for step_at, step in enumerate(shown):
        sections, _initial, form = _questions(step, answers)
        groups = []
        for title, questions in sections:
            group_rows = []
            for name, form_field in questions:
                if name.endswith("-amount"):
                    form = form or step.make_form(answers)
                    suffix = str(form.unit_suffix(name.rsplit("-", 1)[0]))
                else:
                    suffix = None
                rows.append(_row(step_at, name, form_field, suffix))
                label = form_field.label if form_field.label is not None else pretty_name(name)
                group_rows.append((str(label), f"{_OPEN}{len(rows) - 1}{_CLOSE}"))
            groups.append(Group(str(title), group_rows))
        summaries.append(StepSummary(step.id, str(step.title), f"{step.url}?review=1", groups))
    parts = _ANSWER.split(str(render_summary(summaries)))
    if [int(at) for at in parts[1::2]] != list(range(len(rows))):
        raise ValueError("a label or title holds the summary's marker")
    pieces = tuple(parts[0::2])
    if any(_OPEN in piece or _CLOSE in piece for piece in pieces):
        raise ValueError("a label or title holds the summary's marker")
    return _Compiled(
        pieces, tuple(rows), _esc(str(NONE_TICKED)), _esc(str(NOT_ANSWERED)),
        _esc(str(_("Yes"))), _esc(str(_("No"))),
    )  # fmt: skip


def _answer(compiled: _Compiled, row: _Row, value) -> str:
    """The answer as _display shows it, escaped as render_summary escapes it (each option's
    words escaped once, at compile time)."""
    kind = row.kind
    if kind == _MULTI:
        labels = row.labels
        chosen = []
        for item in value or []:
            text = str(item)
            shown = labels.get(text)
            chosen.append(_esc(text) if shown is None else shown)
        return ", ".join(chosen) if chosen else compiled.none_ticked
    if value is None or value == "":
        return compiled.not_answered
    if kind == _CHOICE:
        if row.prepare is not None:
            value = row.prepare(value)
        text = str(value)
        shown = row.labels.get(text)
        return _esc(text) if shown is None else shown
    if kind == _BOOL:
        return compiled.yes if value else compiled.no
    if kind == _DATE:
        try:
            return _esc(date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT"))
        except ValueError:
            return _esc(str(value))
    return _esc(str(value))


def _amount(row: _Row, value) -> str:
    """An amount with its unit, as review_summary writes it (one question a substance)."""
    text = _display(row.field, value)
    if value not in (None, ""):
        text = f"{text} {row.suffix}".strip()
    return _esc(text)


def summary_html(answers: dict) -> SafeString:
    """``render_summary(review_summary(answers))``, from the cards compiled for the answers'
    shape."""
    shown = [step for step in applicable(answers) if step.id != REVIEW]
    key = (
        get_language(),
        get_script_prefix(),
        tuple((step.id, tuple(step.form_class.answer_fields(answers).items())) for step in shown),
    )
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _compile(answers, shown)
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    initials = [step.form_class.initial_from(answers.get(step.id) or {}, answers) for step in shown]
    pieces = compiled.pieces
    not_answered = compiled.not_answered
    out = [pieces[0]]
    # _answer for each row, its most common cases inline (a call a row was a tenth of this).
    for at, row in enumerate(compiled.rows, 1):
        value = initials[row.step_at].get(row.name)
        kind = row.kind
        if row.suffix is not None:
            shown = _amount(row, value)
        elif kind == _CHOICE and value is not None and value != "":
            text = str(value if row.prepare is None else row.prepare(value))
            shown = row.labels.get(text)
            if shown is None:
                shown = _esc(text)
        elif kind != _MULTI and (value is None or value == ""):
            shown = not_answered
        else:
            shown = _answer(compiled, row, value)
        out.append(shown)
        out.append(pieces[at])
    # The pieces are render_summary's; every answer went through _esc or is an escaped label.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


forget = forgotten_on_change(_COMPILED)
