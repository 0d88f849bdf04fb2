"""Baseline controls that docs/security.md names: CSRF on every form, a new session key at
sign-in, and the security headers a production response carries."""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import IntakeEvent
from tests.conftest import PASSWORD


def test_a_staff_post_without_its_csrf_token_is_refused(coordinator, submit):
    intake = submit()
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("staff:intake_note", args=[intake.reference]), {"text": "called, no answer"}
    )
    assert response.status_code == 403
    assert not IntakeEvent.objects.filter(intake=intake, kind=IntakeEvent.Kind.NOTE).exists()


def test_a_patient_post_without_its_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("intake:start"), {}).status_code == 403


def test_signing_in_gives_a_new_session_key(client, coordinator):
    session = client.session
    session["before_sign_in"] = True
    session.save()
    before = session.session_key
    response = client.post(
        reverse("staff:login"), {"username": coordinator.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(coordinator.pk)


@pytest.mark.parametrize("path", ["/", "/staff/login/"])
def test_responses_carry_the_security_headers(client, db, settings, path):
    settings.SECURE_HSTS_SECONDS = 31536000  # its production value (off under tests)
    response = client.get(path, secure=True)
    headers = response.headers
    assert headers["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Server" not in headers and "X-Powered-By" not in headers
