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

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


def _about(about) -> str:
    return f'<span class="visually-hidden"> ({_text(about)})</span>' if about else ""


def render_field(field) -> SafeString:
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
        choices = "".join(
            '\n    <div class="form-check choice">\n      '
            f"{choice.tag()}\n      "
            f'<label class="form-check-label" for="{_text(choice.id_for_label)}">'
            f"{_text(choice.data.get('label', ''))}</label>\n    </div>\n  "
            for choice in field
        )
        html = (
            f'\n<fieldset class="field field-group{has_error}"{described}>\n'
            f'  <legend class="field-legend">{_text(field.label)}{_about(about)}</legend>\n'
            f"  {hint}\n  {_errors(field)}\n"
            f'  <div class="choices">\n  {choices}\n  </div>\n</fieldset>\n'
        )
    elif field.widget_type == "checkbox":
        html = (
            f'\n<div class="field field-check{has_error}">\n  {_errors(field)}\n'
            f'  <div class="form-check choice">\n    {field}\n'
            f'    <label class="form-check-label" for="{_text(field.id_for_label)}">'
            f"{_text(field.label)}</label>\n  </div>\n  {hint}\n</div>\n"
        )
    else:
        widget = (
            f'<div class="input-group amount-group">{field}'
            f'<span class="input-group-text">{_text(suffix)}</span></div>'
            if suffix
            else str(field)
        )
        html = (
            f'\n<div class="field{has_error}">\n'
            f'  <label class="form-label field-label" for="{_text(field.id_for_label)}">'
            f"{_text(field.label)}{_about(about)}</label>\n"
            f"  {hint}\n  {_errors(field)}\n  {widget}\n</div>\n"
        )
    # Every value above went through _text() or a widget render (both escape).
    return mark_safe("\n" + html + "\n\n")  # noqa: S308  # nosec B308 B703
