"""Bytes that are not UTF-8 (issue 8, item 8). Django decodes a form body with errors="replace",
so invalid UTF-8 and lone surrogates (which UTF-8 cannot carry: %ED%A0%80 is not valid UTF-8)
arrived as U+FFFD and were stored. They are refused now, with a message on the field."""

import pytest
from django.urls import reverse

from intake import validators
from intake.models import Draft, IntakeEvent
from tests.test_wizard_walk import DEFAULT_POSTS, Walk

FORM = "application/x-www-form-urlencoded"
ABOUT = reverse("intake:step", args=["about"])
# Raw percent-encoded bytes: a lone high surrogate, an overlong "/", a stray continuation byte,
# a truncated sequence, and Latin-1 "é".
BROKEN = ["%ED%A0%80", "%C0%AF", "%80", "Ren%C3", "Ren%E9e"]


def _body(data: dict, raw_name: str, raw_value: str) -> bytes:
    from urllib.parse import urlencode

    rest = {k: v for k, v in data.items() if k != raw_name}
    return (urlencode(rest, doseq=True) + f"&{raw_name}={raw_value}").encode("ascii")


@pytest.mark.parametrize("raw", BROKEN)
def test_invalid_utf8_in_a_patient_answer_is_refused_on_the_field(client, db, raw):
    Walk(client).run(until="about")
    body = _body(DEFAULT_POSTS["about"], "first_name", raw)
    response = client.generic("POST", ABOUT, body, content_type=FORM)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_name"] == [str(validators.TEXT_UNREADABLE)]
    html = response.content.decode()
    assert str(validators.TEXT_UNREADABLE).replace("'", "&#x27;") in html
    assert "\ufffd" not in (Draft.objects.get().answers.get("about") or {}).get("first_name", "")
    assert Draft.objects.get().answers.get("about") is None


def test_the_same_answer_sent_as_valid_utf8_is_stored_exactly(client, db):
    Walk(client).run(until="about")
    body = _body(DEFAULT_POSTS["about"], "first_name", "Ren%C3%A9e")
    response = client.generic("POST", ABOUT, body, content_type=FORM)
    assert response.status_code == 302
    assert Draft.objects.get().answers["about"]["first_name"] == "Renée"


def test_invalid_utf8_in_a_staff_note_is_refused_on_the_field(client, clinician, submit):
    intake = submit()
    client.force_login(clinician)
    url = reverse("staff:intake_note", args=[intake.reference])
    body = f"note-version={intake.version}&note-text=called%20back%20%ED%A0%80".encode()
    response = client.generic("POST", url, body, content_type=FORM)
    assert response.status_code == 400
    assert str(validators.TEXT_UNREADABLE).replace("'", "&#x27;") in response.content.decode()
    assert not IntakeEvent.objects.filter(kind=IntakeEvent.Kind.NOTE).exists()


def test_invalid_utf8_in_the_queue_search_is_a_message_not_a_search(client, clinician, submit):
    submit()
    client.force_login(clinician)
    response = client.get(reverse("staff:queue") + "?q=Riv%ED%A0%80")
    assert response.status_code == 200
    assert str(validators.TEXT_UNREADABLE).replace("'", "&#x27;") in response.content.decode()


def test_the_validator_refuses_the_replacement_character_only():
    validators.validate_readable_text("Renée 👩🏽‍⚕️ e\u0301 שלום")
    with pytest.raises(validators.ValidationError) as error:
        validators.validate_readable_text("Ren\ufffde")
    assert error.value.code == "unreadable"
