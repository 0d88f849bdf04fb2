"""One field of the intake page's action forms, as HTML, written in Python: what
``{{ field|as_crispy_field }}`` renders through crispy-bootstrap5's field.html (with its
radio, help text and error includes), element for element.

The intake page shows a dozen such fields; through crispy each took some 40 template nodes,
three or four includes and, for the outcome's radio buttons, an include per option: a third of
the page's time. The widget itself is still rendered by Django (``str(field)``, after the
same class changes crispy's ``crispy_field`` tag makes), so its attributes, values, ARIA and
escaping are Django's. Only what these forms use is written here (no horizontal forms, no
label or field classes, no inline radios, no file inputs); anything else goes to crispy.

Crispy stays the reference: tests/test_staff_field_html.py renders every field of every
action form both ways, empty, filled and with errors, and finds the same elements, attributes
and text (the template's indentation, which no browser shows, aside).
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

_ASTERISK = '<span class="asteriskField">*</span>'


def _crispy_classes(field: BoundField, classes: str) -> None:
    """What {% crispy_field field 'class' classes %} does to the widget before rendering it."""
    widget = field.field.widget
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for token in classes.split():
        if token not in css.split():
            css += f" {token}"
    widget.attrs["class"] = css


def _errors(field: BoundField) -> str:
    """field_errors_block.html."""
    if not field.errors:
        return ""
    field_id = escape(getattr(field.errors, "field_id", None) or "")
    auto_id = escape(field.auto_id or "")
    items = "".join(
        f'<p id="error_{n}_{auto_id}"><strong>{conditional_escape(error)}</strong></p>'
        for n, error in enumerate(field.errors, start=1)
    )
    return f'<div id="{field_id}_error" class="invalid-feedback">{items}</div>'


def _help(field: BoundField) -> str:
    """help_text.html (the help text is trusted HTML, as crispy's |safe has it)."""
    if not field.help_text:
        return ""
    ident = f'id="{escape(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'<div {ident}class="form-text">{field.help_text}</div>'


def _label_text(field: BoundField) -> str:
    return conditional_escape(field.label) + (_ASTERISK if field.field.required else "")


def _attrs(attrs: dict) -> str:
    """layout/attrs.html."""
    html = ""
    for name, value in attrs.items():
        if value is not False:
            html += f" {escape(name)}"
            if value is not True:
                html += f'="{escape(str(value))}"'
    return html


def _radios(field: BoundField) -> str:
    """radio_checkbox_select.html, for a RadioSelect without groups."""
    widget = field.field.widget
    ident = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": ident} if ident else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    invalid = " is-invalid" if field.errors else ""
    name = escape(field.html_name)
    html = "<div>"
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            html += f"<strong>{conditional_escape(group)}</strong>"
        for number, option in enumerate(options, start=1):
            last = number == len(options) and group_number == len(groups)
            html += (
                f'<div class="form-check"><input type="{escape(option["type"])}" '
                f'class="form-check-input{invalid}" name="{name}" '
                f'value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f'<label for="{escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{escape(str(option['label']))}</label>"
                f"{_errors(field) if last else ''}</div>"
            )
    return html + "</div>" + _help(field)


def render_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if field.is_hidden:
        return field.as_widget()
    css = field.css_classes()
    css = f" {escape(css)}" if css else ""
    auto_id = escape(field.auto_id)
    if isinstance(widget, forms.CheckboxInput):
        invalid = " is-invalid" if field.errors else ""
        _crispy_classes(field, f"form-check-input{invalid}")
        required = " requiredField" if field.field.required else ""
        html = (
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check{css}">{field}'
            f'<label for="{escape(field.id_for_label)}" class="form-check-label{required}">'
            f"{_label_text(field)}</label>{_errors(field)}{_help(field)}</div></div>"
        )
    else:
        radios = isinstance(widget, forms.RadioSelect) and not isinstance(
            widget, forms.CheckboxSelectMultiple
        )
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.FileInput)):
            raise NotImplementedError("not used on the staff pages: see the module docstring")
        label = ""
        fieldset = field.use_fieldset and bool(field.label)
        if field.label:
            required = " requiredField" if field.field.required else ""
            if field.use_fieldset:
                described = field.aria_describedby
                described = f' aria-describedby="{escape(described)}"' if described else ""
                target = f' for="{escape(field.id_for_label)}"' if field.id_for_label else ""
                label = (
                    f"<fieldset{described}><legend{target} "
                    f'class="form-label{required} fs-6">{_label_text(field)}</legend>'
                )
            else:
                target = f' for="{escape(field.id_for_label)}"' if field.id_for_label else ""
                label = f'<label{target} class="form-label{required}">{_label_text(field)}</label>'
        if radios:
            body = _radios(field)
        else:
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            _crispy_classes(field, f"{base} is-invalid" if field.errors else base)
            body = f"{field}{_errors(field)}{_help(field)}"
        html = (
            f'<div id="div_{auto_id}" class="mb-3{css}">{label}{body}'
            f"{'</fieldset>' if fieldset else ''}</div>"
        )
    # Every value above went through escape(), conditional_escape() or a widget render.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


class FieldsHtml:
    """``{{ form.html.channel }}``: a form's fields rendered by render_field, by name."""

    def __init__(self, form: forms.Form) -> None:
        self.form = form

    def __getitem__(self, name: str) -> SafeString:
        return render_field(self.form[name])
