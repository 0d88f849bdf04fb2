"""A step page's questions on a GET, filled in from the stored answers without building a form.

Building a step's form (its fields deep-copied, a BoundField per question) and rendering it cost
a step GET about 0.8-1.4 ms, more than the rest of the view; only the answers differ from person
to person. So the questions of each form *shape* (the step's form, the language and the
questions that earlier answers add, by name and field: see StepForm.answer_fields) are rendered
once per process from a real form through field_html.render_sections and render_field, with
markers where an answer shows, and split there. A request joins the pieces with its own
answers, each prepared as BoundField.value() and the widget's format_value would prepare it:

- a text box (text, email, number, date, hidden, a text area): two versions of the question,
  no value, or a value put in escaped as the widget escapes it;
- a group of radio buttons or checkboxes: each option unticked and ticked (field_html's
  option cache), ticked as ChoiceWidget.optgroups ticks them;
- a drop-down list, a single checkbox: one version per state (the option selected, ticked or
  not), built from the real form with that state.

Privacy: a shape is built from a form whose initial data are markers and choice codes, never
a person's answers, and keyed by names and fields (choice codes at most). The cache keeps no
answer, name, date or typed text (tests/test_step_sections.py looks).

A question of a kind not listed here makes its shape go through the form every time. A page
with errors, or with answers typed before a switch of language, is not a GET of stored answers
and renders from its form (views.step). tests/test_step_sections.py renders every step both
ways, in both languages, with varied and hostile answers, and finds them equal.
"""

from __future__ import annotations

import datetime
from html import escape as html_escape

from django import forms
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

from . import field_html
from .frame import forgotten_on_change

_FIELD = "\ue002"  # a question's place in the page (private use: no text has it)
_VALUE = "\ue003"  # an answer's place in a question
_TEXT_WIDGETS = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.DateInput,
                 forms.URLInput, forms.HiddenInput, forms.Textarea)  # fmt: skip


class Unsupported(Exception):
    """A question or an answer this module cannot fill: the page goes through its form."""


def _initial(field: forms.Field, name: str, initial: dict):
    """Form.get_initial_for_field on ``initial``."""
    value = initial.get(name, field.initial)
    if callable(value):
        value = value()
    if (
        isinstance(value, datetime.datetime | datetime.time)
        and not field.widget.supports_microseconds
    ):
        value = value.replace(microsecond=0)
    return value


class _Text:
    """A text box: without a value, or with the value escaped into its place."""

    __slots__ = ("absent", "after", "before", "field", "name")

    def __init__(self, name, field, absent: str, present: str):
        self.name, self.field, self.absent = name, field, absent
        self.before, self.after = present.split(_VALUE)

    def fill(self, initial: dict) -> str:
        field = self.field
        value = field.widget.format_value(field.prepare_value(_initial(field, self.name, initial)))
        if value is None:
            return self.absent
        # As input.html's {{ value|stringformat:'s' }} and textarea.html's {{ value }}.
        value = str(value) if isinstance(value, SafeData) else html_escape(str(value))
        return self.before + value + self.after


class _Group:
    """Radio buttons or checkboxes: each option unticked or ticked, around the fieldset."""

    __slots__ = ("after", "before", "field", "name", "options")

    def __init__(self, name, field, outer: str, options):
        self.name, self.field, self.options = name, field, options
        self.before, self.after = outer.split(_VALUE)

    def fill(self, initial: dict) -> str:
        field = self.field
        widget = field.widget
        chosen = widget.format_value(field.prepare_value(_initial(field, self.name, initial)))
        return self.before + field_html.pick_options(self.options, chosen, widget) + self.after


class _Select:
    """A drop-down list: the question as rendered with each option selected, or none."""

    __slots__ = ("field", "name", "values", "variants")

    def __init__(self, name, field, values: list[str], variants: dict):
        self.name, self.field, self.values, self.variants = name, field, values, variants

    def fill(self, initial: dict) -> str:
        field = self.field
        chosen = field.widget.format_value(field.prepare_value(_initial(field, self.name, initial)))
        # As field_html._select (the first option whose value was chosen).
        selected = next((i for i, value in enumerate(self.values) if value in chosen), None)
        return self.variants[selected]


class _Check:
    """A single checkbox: ticked or not."""

    __slots__ = ("field", "name", "variants")

    def __init__(self, name, field, variants: dict):
        self.name, self.field, self.variants = name, field, variants

    def fill(self, initial: dict) -> str:
        field = self.field
        widget = field.widget
        value = field.prepare_value(_initial(field, self.name, initial))
        if widget.format_value(value) is not None:  # a value="..." attribute: not ours to show
            raise Unsupported(self.name)
        return self.variants[bool(widget.check_test(value))]


class Compiled:
    """The page's questions: ``pieces[0] slot0 pieces[1] slot1 ... pieces[n]``."""

    __slots__ = ("pieces", "slots")

    def __init__(self, pieces: list[str], slots: list):
        self.pieces, self.slots = pieces, slots

    def fill(self, initial: dict) -> SafeString:
        pieces = self.pieces
        out = [pieces[0]]
        for index, slot in enumerate(self.slots, 1):
            out.append(slot.fill(initial))
            out.append(pieces[index])
        # The pieces are render_sections' output; every answer was escaped above.
        return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


def _bound(form, name: str, value):
    """The question ``name`` of ``form`` with ``value`` as its initial answer."""
    form.initial[name] = value
    return form.fields[name].get_bound_field(form, name)


def _compile_field(form, bound):
    name, field = bound.name, bound.field
    widget = field.widget
    if widget.use_fieldset:
        if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            raise Unsupported(name)
        options = field_html.choice_options(bound)
        if options is None:
            raise Unsupported(name)
        outer = str(field_html.render_field(bound, shown=_VALUE))
        if outer.count(_VALUE) != 1:
            raise Unsupported(name)
        return _Group(name, field, outer, options)
    if type(widget) is forms.Select:
        values = [str("" if value is None else value) for value, _label in widget.choices]
        if len(set(values)) != len(values) or any(
            isinstance(label, list | tuple) for _value, label in widget.choices
        ):
            raise Unsupported(name)
        # None: an answer that matches no option (the marker is no option's value).
        variants = {None: str(field_html.render_field(_bound(form, name, _VALUE)))}
        for index, value in enumerate(values):
            variants[index] = str(field_html.render_field(_bound(form, name, value)))
        if any(_VALUE in html for html in variants.values()):
            raise Unsupported(name)
        return _Select(name, field, values, variants)
    if type(widget) is forms.CheckboxInput:
        variants = {
            ticked: str(field_html.render_field(_bound(form, name, ticked)))
            for ticked in (False, True)
        }
        return _Check(name, field, variants)
    if type(widget) in _TEXT_WIDGETS:
        absent = str(field_html.render_field(_bound(form, name, None)))
        present = str(field_html.render_field(_bound(form, name, _VALUE)))
        if present.count(_VALUE) != 1:
            raise Unsupported(name)
        return _Text(name, field, absent, present)
    raise Unsupported(name)


def compile_sections(form) -> Compiled:
    """The questions of ``form`` (built without answers) as pieces and slots."""
    form.initial = {}
    bound_fields = []

    def place(bound) -> str:
        bound_fields.append(bound)
        return _FIELD

    skeleton = str(field_html.render_sections(form, field_html=place))
    pieces = skeleton.split(_FIELD)
    if len(pieces) != len(bound_fields) + 1:
        raise Unsupported("a question placed twice")
    slots = [_compile_field(form, bound) for bound in bound_fields]
    form.initial = {}
    return Compiled(pieces, slots)


# By shape: (form class, language, the answer-dependent questions by name and field).
# The fields are the shared ones answer_fields returns (kept alive by the key); False marks a
# shape that goes through its form.
_COMPILED: dict[tuple, Compiled | bool] = {}
_COMPILED_MAX = 500  # steps x languages x the substances chosen (a few dozen in use)


def sections_html(step, answers: dict) -> SafeString | None:
    """``render_sections(step.make_form(answers))`` from the compiled shape, or None when the
    page must go through its form."""
    form_class = step.form_class
    extra = form_class.answer_fields(answers)
    key = (form_class, get_language(), tuple(extra.items()))
    compiled = _COMPILED.get(key)
    if compiled is None:
        try:
            compiled = compile_sections(form_class(answers=answers))
        except Unsupported:
            compiled = False
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    if compiled is False:
        return None
    initial = form_class.initial_from(answers.get(step.id) or {}, answers)
    try:
        return compiled.fill(initial)
    except Unsupported:
        return None


forget = forgotten_on_change(_COMPILED)
