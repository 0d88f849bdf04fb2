"""Django's form renderer, with Django's own widget templates written as Python functions.

A wizard page renders about 19 widgets, and Django renders each through three to five small
templates (input.html, attrs.html, one per radio option, one per <option>: the state list alone
is 56): about 160 template renders a page, most of a wizard step's time. These functions give
byte-for-byte the HTML of Django 5.2's templates in django/forms/templates/django/forms/widgets/
(tests/test_forms_renderer.py renders every field of every form both ways and compares), with
the same escaping (``{{ x }}``: localize, then conditional_escape; ``|stringformat:'s'``: escape
unless already safe). A template this module does not know, a project override included, goes
to Django's renderer as before.

Settings: FORM_RENDERER = "intake.forms_renderer.WidgetRenderer".
"""

from __future__ import annotations

from html import escape as html_escape

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

W = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}`` in a template: localized, then escaped unless already safe.

    A plain str (names, ids, values: most of what a page shows) is escaped as ``escape`` does
    (``html.escape``), without its lazy-string wrapper and the localize and conditional_escape
    calls around it, which cost a step page's questions about a fifth of their time. The text
    goes into the HTML these functions write, never back through a template.
    """
    if type(value) is str:
        return html_escape(value)
    value = localize(value)
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _format(value) -> str:
    """``{{ value|stringformat:'s' }}``: a string, escaped unless the value was safe."""
    return str(value) if isinstance(value, SafeData) else html_escape(str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(" " + _text(name))
            if value is not True:
                parts.append('="' + _format(value) + '"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """input.html."""
    value = widget["value"]
    shown = ' value="' + _format(value) + '"' if value != None else ""  # noqa: E711 - as {% if %}
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    """input_option.html (a radio or checkbox with its label)."""
    html = _input(widget)
    if widget.get("wrap_label"):
        id_ = widget["attrs"].get("id")
        label_for = f' for="{_text(id_)}"' if id_ else ""
        html = f"<label{label_for}>{html} {_text(widget['label'])}</label>"
    return html + "\n"


def _select_option(widget: dict) -> str:
    """select_option.html."""
    return (
        f'<option value="{_format(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _multiple_input(widget: dict, option) -> str:
    """multiple_input.html (radio buttons, checkboxes)."""
    attrs = widget["attrs"]
    id_, css = attrs.get("id"), attrs.get("class")
    parts = ["<div", f' id="{_text(id_)}"' if id_ else "", f' class="{_text(css)}"' if css else ""]
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for choice in options:
            parts.append("<div>\n    " + option(choice) + "</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _select(widget: dict, option) -> str:
    """select.html."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for choice in group_choices:
            parts.append("\n  " + option(choice))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    """textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    name, attrs = _text(widget["name"]), _attrs(widget["attrs"])
    return f'<textarea name="{name}"{attrs}>\n{value}</textarea>\n'


# Templates that only include input.html (and end with a newline of their own).
_INPUT_TEMPLATES = ("text", "email", "number", "date", "tel", "url", "password", "search",
                    "hidden", "checkbox", "color", "datetime", "time")  # fmt: skip


class WidgetRenderer(DjangoTemplates):
    """The default renderer, but Django's stock widget templates are rendered in Python."""

    def __init__(self):
        super().__init__()
        self._fast = {W + f"{name}.html": lambda w: _input(w) + "\n" for name in _INPUT_TEMPLATES}
        self._fast.update(
            {
                W + "input.html": _input,
                W + "radio.html": lambda w: _multiple_input(w, self._option) + "\n",
                W + "checkbox_select.html": lambda w: _multiple_input(w, self._option) + "\n",
                W + "multiple_input.html": lambda w: _multiple_input(w, self._option),
                W + "select.html": lambda w: _select(w, self._option),
                W + "radio_option.html": lambda w: _input_option(w) + "\n",
                W + "checkbox_option.html": lambda w: _input_option(w) + "\n",
                W + "input_option.html": _input_option,
                W + "select_option.html": _select_option,
                W + "textarea.html": _textarea,
            }
        )

    def _option(self, option: dict) -> str:
        fast = self._fast.get(option["template_name"])
        if fast is not None:
            return fast(option)
        # As {% include %} would: the included template's output, not stripped.
        return self.get_template(option["template_name"]).render({"widget": option})

    def render(self, template_name, context, request=None):
        fast = self._fast.get(template_name)
        if fast is None or "widget" not in context:
            return super().render(template_name, context, request=request)
        # Django's renderer strips what the top template renders; included ones keep theirs.
        return fast(context["widget"]).strip()
