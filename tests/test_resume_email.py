"""Save and finish later: the private link by e-mail, at the person's request."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.urls import reverse

from intake.models import Draft, RateLimit
from tests.test_wizard_walk import Walk

SEND = reverse("intake:email_link")
SAVE = reverse("intake:save")


class BrokenBackend:
    """A mail server that cannot be reached."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def saving(db, client):
    Walk(client).run(until="together")
    return client


def test_the_save_page_offers_to_email_the_link(saving):
    page = saving.get(SAVE).content.decode()
    assert f'action="{SEND}"' in page and 'type="email"' in page
    assert "We do not keep the address." in page


def test_the_link_is_emailed_and_the_message_says_nothing_else(saving, caplog, settings):
    caplog.set_level(logging.DEBUG)
    token = saving.session["intake_token"]
    response = saving.post(SEND, {"email": "me@example.org"})
    assert response["Location"] == SAVE
    assert "We sent the link" in saving.get(SAVE).content.decode()
    (message,) = mail.outbox
    assert message.to == ["me@example.org"]
    assert message.subject == f"Your saved form at {settings.CENTER_NAME}"
    link = f"http://testserver/intake/resume/{token}/"
    assert message.body == f"{message.subject}\n\n{link}\n"
    # The address is not kept anywhere, nor logged.
    assert "me@example.org" not in caplog.text
    assert "me@example.org" not in str(list(Draft.objects.values()))


def test_a_bad_address_gets_a_clear_message_and_keeps_the_page(saving):
    response = saving.post(SEND, {"email": "not an address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an e-mail address like name@example.com." in page
    assert "/intake/resume/" in page  # the link is still there to copy
    assert mail.outbox == []


def test_a_mail_server_failure_says_to_copy_the_link_instead(saving, settings):
    settings.EMAIL_BACKEND = "tests.test_resume_email.BrokenBackend"
    response = saving.post(SEND, {"email": "me@example.org"})
    assert response.status_code == 400
    assert "Please copy the link instead." in response.content.decode()


def test_sending_the_link_is_throttled(saving, settings):
    settings.RESUME_EMAIL_THROTTLE_PER_HOUR = 2
    for _ in range(2):
        assert saving.post(SEND, {"email": "me@example.org"}).status_code == 302
    response = saving.post(SEND, {"email": "me@example.org"})
    assert response.status_code == 429
    assert len(mail.outbox) == 2
    assert RateLimit.objects.filter(key__startswith="resume-email").exists()


def test_without_a_draft_nothing_is_sent(db, client):
    assert client.post(SEND, {"email": "me@example.org"})["Location"] == reverse("intake:start")
    assert mail.outbox == []


def test_a_robot_filling_the_hidden_field_is_refused(saving):
    response = saving.post(SEND, {"email": "me@example.org", "website": "http://spam"})
    assert response.status_code == 400
    assert mail.outbox == []
