"""One question of a wizard page, as HTML, written in Python: templates/intake/_field.html
(with _field_errors.html) byte for byte.

The step page renders its 5 to 19 questions in a loop; through the template include each took
about 1.5 ms (some 30 template nodes, a context push, an include per question and another for
its errors), a third to a half of the page's time. The template stays the reference, and the
page's other questions (review, save) still include it: tests/test_field_html.py renders every
question of every step both ways, filled, empty and with errors, and finds them equal. Change
both together.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from intake.forms_renderer import _text


def _errors(field) -> str:
    """_field_errors.html."""
    html = ""
    if field.errors:
        error = _text(gettext("Error:"))
        items = "".join(
            f'<p><span class="visually-hidden">{error} </span>{_text(message)}</p>'
            for message in field.errors
        )
        html = f'<div class="field-error" id="{_text(field.auto_id)}_error">{items}</div>'
    return html + "\n"


def _choice(choice) -> str:
    """One radio button or checkbox of a group, with its label."""
    return (
        '\n    <div class="form-check choice">\n      '
        f"{choice.tag()}\n      "
        f'<label class="form-check-label" for="{_text(choice.id_for_label)}">'
        f"{_text(choice.data.get('label', ''))}</label>\n    </div>\n  "
    )


# Each list of choices as text, by language: translating every label of a question on every
# page was a tenth of a step's time. Keyed by the field's own list (a choice field's copies share
# it, and it is never changed in place: see forms.base.SharedChoices); the entry keeps the list
# alive, so no other list can take its id while the entry stands.
_TEXTS: dict[tuple[int, str | None], tuple[list, tuple[tuple[str, str], ...]]] = {}


def _choice_texts(field, language: str | None) -> tuple[tuple[str, str], ...]:
    """(value, label) of each of the widget's choices as text, as ``{{ }}`` would show them."""
    shown = field.field.widget.choices
    shared = getattr(field.field, "_choices", None)
    same = (
        isinstance(shared, list)
        and len(shared) == len(shown)
        # The widget's copy holds new pairs (Django normalizes them again) of the same objects.
        and all(a[0] is b[0] and a[1] is b[1] for a, b in zip(shared, shown, strict=True))
    )
    entry = _TEXTS.get((id(shared), language)) if same else None
    if entry is not None and entry[0] is shared:
        return entry[1]
    texts = tuple((str("" if value is None else value), str(label)) for value, label in shown)
    if same:
        if len(_TEXTS) >= _OPTIONS_MAX:
            _TEXTS.clear()
        _TEXTS[(id(shared), language)] = (shared, texts)
    return texts


# What a group's options look like, unticked and ticked, by everything that shapes them (the
# widget, the field's name, id and attributes, the choices in the page's language, whether the
# question has an error) and never by an answer: the same for everyone.
_OPTIONS: dict[tuple, list[tuple[str, str, str]]] = {}
_OPTIONS_MAX = 2000  # a few hundred in use (questions x languages x with or without errors)


def _choices(field) -> str:
    """The options of a radio or checkbox group.

    Building them through Django's widgets (an option dict, a context, attributes escaped one
    by one) took about a third of a step page; only "checked" differs from person to person.
    So each option is built that way once, unticked and ticked, and a page picks one of the
    two per option, choosing as ChoiceWidget.optgroups does. tests/test_field_html.py holds
    this to the template, answers, errors and language changing from page to page.
    """
    options = choice_options(field)
    if options is None:  # option groups
        return "".join(_choice(choice) for choice in field)
    widget = field.field.widget
    return pick_options(options, widget.format_value(field.value()), widget)


def choice_options(field) -> list[tuple[str, str, str]] | None:
    """(value, unticked HTML, ticked HTML) of each option of a radio or checkbox group, built
    once per shape (see _OPTIONS); None for a group with option groups."""
    widget = field.field.widget
    choices = [("" if value is None else value, label) for value, label in widget.choices]
    if any(isinstance(label, list | tuple) for _value, label in choices):  # option groups
        return None
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    language = get_language()
    key = (
        type(widget), widget.option_template_name, type(field.form.renderer), language,
        field.html_name, tuple(widget.attrs.items()), tuple(attrs.items()),
        _choice_texts(field, language),
    )  # fmt: skip
    options = _OPTIONS.get(key)
    if options is None:
        options = []
        for index, (value, label) in enumerate(choices):
            html = [
                _choice(BoundWidget(widget, option, field.form.renderer))
                for option in (
                    widget.create_option(field.html_name, value, label, ticked, index, attrs=attrs)
                    for ticked in (False, True)
                )
            ]
            options.append((str(value), *html))
        if len(_OPTIONS) >= _OPTIONS_MAX:
            _OPTIONS.clear()
        _OPTIONS[key] = options
    return options


def pick_options(options: list[tuple[str, str, str]], chosen: list[str], widget) -> str:
    """The group's options with ``chosen`` (the widget's format_value) ticked, as
    ChoiceWidget.optgroups ticks them: a single choice ticks its first match only."""
    multiple = widget.allow_multiple_selected
    parts = []
    has_selected = False
    for value, unticked, ticked in options:
        selected = (multiple or not has_selected) and value in chosen
        has_selected |= selected
        parts.append(ticked if selected else unticked)
    return "".join(parts)


# A drop-down list as Django renders it, by what shapes it (as _OPTIONS) and which option is
# selected: one of a few dozen states, the same for everyone who chose it.
_SELECTS: dict[tuple, str] = {}


def _select(field) -> str:
    """A single-choice drop-down (the state: 57 options, each built through a context, its
    attributes escaped one by one)."""
    widget = field.field.widget
    choices = [("" if value is None else value, label) for value, label in widget.choices]
    if any(isinstance(label, list | tuple) for _value, label in choices):  # option groups
        return str(field)
    chosen = widget.format_value(field.value())
    selected = next((i for i, (value, _l) in enumerate(choices) if str(value) in chosen), None)
    language = get_language()
    key = (
        type(field.form.renderer), language, field.html_name, field.auto_id,
        tuple(widget.attrs.items()), tuple(field.build_widget_attrs({}).items()),
        _choice_texts(field, language), selected,
    )  # fmt: skip
    html = _SELECTS.get(key)
    if html is None:
        html = str(field)
        if len(_SELECTS) >= _OPTIONS_MAX:
            _SELECTS.clear()
        _SELECTS[key] = html
    return html


def _about(about) -> str:
    return f'<span class="visually-hidden"> ({_text(about)})</span>' if about else ""


def render_field(field, shown: str | None = None) -> SafeString:
    """templates/intake/_field.html. ``shown``, when given, stands in for the widget's own HTML
    (the options of a group, the input or the list): intake/public/step_sections.py marks there
    where each request's answer goes."""
    about = getattr(field.field, "context", "")
    suffix = getattr(field.field, "suffix", "")
    errors = field.errors
    help_text = field.help_text
    auto_id = _text(field.auto_id)
    hint = (
        f'<p class="field-hint" id="{auto_id}_helptext">{_text(help_text)}</p>' if help_text else ""
    )
    has_error = " has-error" if errors else ""
    if field.use_fieldset:
        if help_text and errors:
            described = f' aria-describedby="{auto_id}_helptext {auto_id}_error"'
        elif help_text:
            described = f' aria-describedby="{auto_id}_helptext"'
        elif errors:
            described = f' aria-describedby="{auto_id}_error"'
        else:
            described = ""
        choices = _choices(field) if shown is None else shown
        html = (
            f'\n<fieldset class="field field-group{has_error}"{described}>\n'
            f'  <legend class="field-legend">{_text(field.label)}{_about(about)}</legend>\n'
            f"  {hint}\n  {_errors(field)}\n"
            f'  <div class="choices">\n  {choices}\n  </div>\n</fieldset>\n'
        )
    elif field.widget_type == "checkbox":
        html = (
            f'\n<div class="field field-check{has_error}">\n  {_errors(field)}\n'
            f'  <div class="form-check choice">\n    {field if shown is None else shown}\n'
            f'    <label class="form-check-label" for="{_text(field.id_for_label)}">'
            f"{_text(field.label)}</label>\n  </div>\n  {hint}\n</div>\n"
        )
    else:
        if shown is None:
            shown = _select(field) if type(field.field.widget) is forms.Select else str(field)
        widget = (
            f'<div class="input-group amount-group">{shown}'
            f'<span class="input-group-text">{_text(suffix)}</span></div>'
            if suffix
            else shown
        )
        html = (
            f'\n<div class="field{has_error}">\n'
            f'  <label class="form-label field-label" for="{_text(field.id_for_label)}">'
            f"{_text(field.label)}{_about(about)}</label>\n"
            f"  {hint}\n  {_errors(field)}\n  {widget}\n</div>\n"
        )
    # Every value above went through _text() or a widget render (both escape).
    return mark_safe("\n" + html + "\n\n")  # noqa: S308  # nosec B308 B703


def render_sections(form, field_html=render_field) -> SafeString:
    """A step form's sections with their questions: templates/intake/_sections.html byte for
    byte (tests/test_field_html.py compares them). As a template loop it cost a step page
    about a tenth of its time in nodes, context pushes and a tag call per question.
    ``field_html`` renders each question (intake/public/step_sections.py puts markers there)."""
    parts = []
    for counter, section in enumerate(form.sections(), 1):
        title, intro = section.title, section.intro
        labelled = f' aria-labelledby="section-{counter}"' if title else ""
        heading = (
            f'<h2 class="h5 section-title" id="section-{counter}">{_text(title)}</h2>'
            if title
            else ""
        )
        shown_intro = f'<p class="section-intro">{_text(intro)}</p>' if intro else ""
        questions = "".join(field_html(field) for field in section.fields)
        parts.append(
            f'\n  <section class="form-section"{labelled}>\n    {heading}\n    {shown_intro}\n'
            f"    {questions}\n  </section>\n  "
        )
    # Every value above went through _text() or render_field (both escape).
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
