"""Building blocks of the patient forms: fields with kind messages, and the step form base.

Each step form cleans into the JSON-safe answers that the draft stores (``to_answers``) and can
be filled back from them (``initial_from``). No form has a field for anything the server
computes (track, status, scores, reference): posting such keys changes nothing.
"""

from __future__ import annotations

import copy
import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from intake import catalog, validators
from intake.documents import number

YES_NO = (("yes", _("Yes")), ("no", _("No")))
BASE_MESSAGES = {
    "required": validators.REQUIRED,
    "invalid_choice": validators.CHOICE_INVALID,
    "invalid_list": validators.CHOICE_INVALID,
    "max_length": validators.TEXT_TOO_LONG,
}


def translated(choices: catalog.Choices) -> list[tuple[str, Any]]:
    """Catalog labels are plain strings (the catalog is pure Python); translate on display."""
    return [(code, _(label)) for code, label in choices]


def _messages(extra: dict | None = None) -> dict:
    return {**BASE_MESSAGES, **(extra or {})}


class TextField(forms.CharField):
    """Bounded, single-line text that refuses NUL and every other control character."""

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault("required", False)
        kwargs["error_messages"] = _messages(kwargs.get("error_messages"))
        super().__init__(max_length=max_length, **kwargs)
        # Django's own NUL check would add a second, different message for the same problem.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        self.validators += [
            validators.validate_readable_text,
            validators.validate_no_control_characters,
        ]


class SharedChoices:
    """A choice field whose per-form copies share one list of choices.

    Every form copies its class's fields (Form.__init__ deep-copies ``base_fields``), and Django's
    ChoiceField deep-copies its choices too: about a hundred copy calls a form, most of the cost
    of building one (a step GET builds up to nine, one a step to check that it is complete).
    The list is never changed in place: setting ``choices`` assigns a new list to that form's own
    copy. The field and its widget (with its attrs) are still copied per form, as Django does.
    """

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


class SelectField(SharedChoices, forms.TypedChoiceField):
    """One answer from a drop-down list (the state)."""


class RadioField(SharedChoices, forms.TypedChoiceField):
    """One answer from a fixed list, shown as radio buttons in a fieldset."""

    widget = forms.RadioSelect

    def __init__(self, *, choices, coerce=str, **kwargs):
        kwargs.setdefault("required", True)
        kwargs["error_messages"] = _messages(kwargs.get("error_messages"))
        super().__init__(choices=choices, coerce=coerce, empty_value=None, **kwargs)


def _yes(value: str) -> bool:
    return value == "yes"


class YesNoField(RadioField):
    """Yes / No radios that clean to a bool (None when left unanswered and optional)."""

    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO, coerce=_yes, **kwargs)

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


def scored_fields(questions) -> dict[str, RadioField]:
    """A screening instrument's questions (AUDIT-C, PHQ-2...) as radio questions whose answers
    are the points each option scores: the same fields for everyone."""
    return {
        question.key: RadioField(
            label=_(question.text),
            choices=[(points, _(text)) for points, text in question.options],
            coerce=int,
        )
        for question in questions
    }


class CheckboxesField(SharedChoices, forms.MultipleChoiceField):
    """Any number of answers from a fixed list; none ticked is an answer too ("none of these")."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs["error_messages"] = _messages(kwargs.get("error_messages"))
        super().__init__(**kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        # Keep the list order, not the order the browser posted: answers compare equal.
        return [code for code, _label in self.choices if code in chosen]


@dataclass
class Section:
    """A group of fields under one heading (``fields`` are BoundFields)."""

    title: str
    intro: str = ""
    fields: list = field(default_factory=list)


class StepForm(forms.Form):
    """Base of every step's form. ``answers`` are the draft's answers so far, by step id."""

    # [(title, intro, [field names])]; None puts every field in one untitled section.
    layout: list[tuple[str, str, list[str]]] | None = None

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        self.answers = answers or {}
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        # This form's own copies, as Django copies the declared fields.
        self.fields.update(copy.deepcopy(self.answer_fields(self.answers)))
        self.build_layout()
        for form_field in self.fields.values():
            _style(form_field.widget)
            # No maxlength in the page: the browser would cut a long name silently. The server
            # says it is too long instead, and keeps what was typed for the person to shorten.
            form_field.widget.attrs.pop("maxlength", None)

    @classmethod
    def answer_fields(cls, answers: dict) -> dict[str, forms.Field]:
        """The questions that depend on earlier answers, asked after the declared ones.

        Built once and shared (they are the same for everyone given the same earlier answers;
        labels stay lazy, so each page has its language): never change one in place. Each form
        works on its own copies. Knowing the questions without building a form lets
        ``covered_by`` check a step cheaply.
        """
        return {}

    def build_layout(self) -> None:
        """Hook for forms whose sections depend on earlier answers."""

    # --- stored answers ⇄ form --------------------------------------------------------------

    def to_answers(self) -> dict:
        """cleaned_data as JSON-safe data for Draft.answers (None and blanks are left out)."""
        result = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = number(value)
            if value is None or value == "":
                continue
            result[name] = value
        return result

    @classmethod
    def initial_from(cls, stored: dict, answers: dict) -> dict:
        """The form's initial data from what ``to_answers`` stored."""
        return dict(stored)

    @classmethod
    def answers_for_outage(cls, posted) -> dict:
        """Earlier answers, as far as this form's questions depend on them, read back from
        what was posted: when the database is down, the form is rebuilt without the draft to
        show the person what they typed (see intake/outage.py)."""
        return {}

    def covers(self) -> bool:
        """Whether the initial data answers every required question of this form as built now.

        A step finished earlier stops being complete when an earlier answer adds questions to
        it (another substance chosen, a yes to a screening question): the person is sent back.
        """
        return _answered(self.initial, [n for n, f in self.fields.items() if f.required])

    @classmethod
    def covered_by(cls, initial: dict, answers: dict) -> bool:
        """``covers()`` of the form built from ``initial`` and ``answers``, without building it:
        opening a step checks every step before it (up to eight), each through this."""
        extra = cls.answer_fields(answers)
        required = [name for name, form_field in extra.items() if form_field.required]
        return _answered(initial, _required_on_class(cls)) and _answered(initial, required)

    # --- rendering --------------------------------------------------------------------------

    def sections(self) -> list[Section]:
        if self.layout is None:
            return [Section("", "", list(self))]
        return [
            Section(title, intro, [self[name] for name in names if name in self.fields])
            for title, intro, names in self.layout
        ]

    def error_links(self) -> list[tuple[str, str, str]]:
        """(field id, question, message) for the error summary at the top, in page order."""
        links = []
        first_id = ""
        for bound in self:
            anchor = anchor_id(bound)
            first_id = first_id or anchor
            question = str(bound.label)
            if getattr(bound.field, "context", ""):
                question = f"{question} ({bound.field.context})"
            links.extend((anchor, question, str(message)) for message in bound.errors)
        links[:0] = [(first_id, "", str(message)) for message in self.non_field_errors()]
        return links


def _answered(initial: dict, names: list[str]) -> bool:
    return all(initial.get(name) not in (None, "", []) for name in names)


@functools.cache
def _required_on_class(form_class: type[StepForm]) -> list[str]:
    """The required questions declared on a form's class."""
    return [name for name, form_field in form_class.base_fields.items() if form_field.required]


def _style(widget: forms.Widget) -> None:
    """Bootstrap's classes, so the templates can render widgets as Django builds them."""
    if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


def anchor_id(bound) -> str:
    """The id of a field's first input: a radio or checkbox group's first option."""
    if bound.field.widget.use_fieldset and isinstance(
        bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return f"{bound.auto_id}_0"
    return bound.id_for_label or bound.auto_id
