from django import template

from intake.public.field_html import render_field

register = template.Library()


@register.simple_tag
def intake_field(field):
    """One wizard question: templates/intake/_field.html, written in Python."""
    return render_field(field)
