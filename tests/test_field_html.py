"""Each wizard question renders the same from Python (intake/public/field_html.py) as from
templates/intake/_field.html, the reference: every question of every step, filled, empty and
with errors, hostile values included."""

import pytest
from django.template.loader import get_template
from django.utils import translation

from intake.public.field_html import render_field
from tests.test_forms_renderer import forms


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_question_renders_as_the_template_does(language):
    reference = get_template("intake/_field.html")
    compared = 0
    with translation.override(language):
        for name, form in forms():
            if name in ("queue filter", "login"):
                continue  # staff forms: they do not use the wizard's question template
            for field in form:
                assert str(render_field(field)) == reference.render({"field": field}), (
                    name,
                    field.name,
                )
                compared += 1
    assert compared > 150
