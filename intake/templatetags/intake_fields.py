from django import template

from intake.public.field_html import render_field, render_sections

register = template.Library()


@register.simple_tag
def intake_field(field):
    """One wizard question: templates/intake/_field.html, written in Python."""
    return render_field(field)


@register.simple_tag
def intake_sections(form):
    """A step's questions in their sections: templates/intake/_sections.html, in Python."""
    return render_sections(form)
