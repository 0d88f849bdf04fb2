"""Requests that used to give 500 or be accepted whole (issue 8, item 6): a username longer than
django-axes' 255-character column on either login page, and a 60 MiB multipart upload to a
step that has no file field. The app caps request bodies itself and answers with a kind page.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from intake import validators
from intake.models import AuditEvent, Draft
from tests.test_wizard_walk import Walk

LONG = "u" * 300
MIB = 1024 * 1024


@pytest.mark.parametrize("login", ["/staff/login/", "/admin/login/"])
@pytest.mark.parametrize("username", [LONG, "ü" * 256, "a" * 151])
def test_an_over_long_username_is_a_form_error_not_a_500(client, db, login, username):
    response = client.post(login, {"username": username, "password": "whatever it is"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Usernames have at most 150 characters." in html
    # Refused before anyone tried to authenticate: no failure was counted or audited.
    from axes.models import AccessAttempt, AccessFailureLog

    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert not AuditEvent.objects.filter(action="login_failed").exists()


def test_a_username_of_150_characters_is_still_tried(client, db):
    response = client.post("/staff/login/", {"username": "a" * 150, "password": "wrong"})
    assert response.status_code == 200
    assert "Usernames have at most" not in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed").exists()


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "----intake-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="first_name"\r\n\r\nDana\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_60_mib_multipart_upload_to_a_step_is_refused_with_a_kind_413(client, db):
    Walk(client).run(until="about")
    body, content_type = _multipart(60 * MIB)
    response = client.generic(
        "POST", reverse("intake:step", args=["about"]), body, content_type=content_type
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "too large" in html and "tel:988" in html
    assert Draft.objects.get().answers.get("about") is None


def test_a_small_file_sent_where_no_file_is_expected_is_refused_kindly(client, db):
    Walk(client).run(until="about")
    body, content_type = _multipart(10)
    response = client.generic(
        "POST", reverse("intake:step", args=["about"]), body, content_type=content_type
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "not files" in html and "tel:988" in html
    assert Draft.objects.get().answers.get("about") is None


def test_an_over_long_urlencoded_body_is_refused_before_it_is_read(client, db):
    Walk(client).run(until="about")
    body = b"first_name=" + b"a" * (2 * MIB)
    response = client.generic(
        "POST",
        reverse("intake:step", args=["about"]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "tel:988" in response.content.decode()


def test_an_ordinary_step_post_still_passes(client, db):
    walk = Walk(client).run(until="substances")
    assert walk.visited == ["about"]


@override_settings(REQUEST_BODY_MAX=100)
def test_the_limit_comes_from_settings(client, db):
    response = client.post("/staff/login/", {"username": "a" * 200, "password": "x"})
    assert response.status_code == 413


def test_upload_settings_refuse_files_and_cap_form_data(settings):
    # No form takes a file: a file part is refused by the parser (400) even under the cap.
    # (Multipart bodies without files stay accepted: Django's test client sends them.)
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 0
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX <= MIB


def test_validators_message_constant_exists():
    assert "150" in str(validators.USERNAME_TOO_LONG % {"limit_value": 150})
