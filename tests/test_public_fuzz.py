"""Whatever arrives in a form field, the intake answers with a page, never a server error.

Hypothesis fills every field of every step with arbitrary text (control characters, lone
surrogates, huge numbers, markup), over valid answers so that each page is reachable.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.public.steps import STEPS
from tests.test_wizard_walk import Walk, answers_for

# Lone surrogates cannot be sent as UTF-8 at all; the raw-bytes case is in
# test_public_validation's GARBAGE. Every other code point may come.
NASTY = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    st.sampled_from(
        [
            "",
            "\x00",
            "-1",
            "0",
            "1e309",
            "nan",
            "inf",
            "9" * 400,
            "<script>",
            "2026-02-30",
            "on",
            "true",
            "\u202e",
        ]
    ),
)


def field_names(step_id: str) -> list[str]:
    """The names a step's form posts: its valid answers' keys, plus the honeypot."""
    return sorted(set(answers_for()[step_id]) | {"website"})


@pytest.mark.parametrize("step", [s.id for s in STEPS])
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_field_value_gets_a_page_not_an_error(db, client, step, data):
    if not client.session.get("_fuzz_walked"):
        Walk(client).run(until="review")
        session = client.session
        session["_fuzz_walked"] = True
        session.save()
    posted = dict(answers_for()[step])
    for name in data.draw(st.lists(st.sampled_from(field_names(step)), min_size=1, unique=True)):
        posted[name] = data.draw(NASTY)
    response = client.post(reverse("intake:step", args=[step]), posted)
    assert response.status_code in (200, 302, 400), (step, posted, response.status_code)
