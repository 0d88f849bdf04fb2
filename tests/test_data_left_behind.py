"""Patient data left behind (issue 8, item 5): pages kept in a browser's or proxy's cache,
secrets and names in log lines, and a patient session that outlived the person at a shared
phone."""

import base64
import io
import logging
import re
import time

import pyotp
import pytest
from django.conf import settings
from django.urls import reverse

from intake.middleware import PATIENT_SEEN_KEY
from intake.services.drafts import resume_url
from tests.conftest import PASSWORD, TOTP_KEY
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, step_of

from .production import Gunicorn, manage, production_env, scratch_database

# --- Cache-Control: no-store on every page with answers or contact details -----------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_staff_pages_with_patient_data_are_not_stored(client, db, submit, administrator):
    from django.contrib.auth.models import Group

    from intake.models.users import CLINICIANS

    administrator.groups.add(Group.objects.get(name=CLINICIANS))
    intake = submit()
    client.force_login(administrator)
    pages = {
        "queue": reverse("staff:queue"),
        "search": reverse("staff:queue") + "?q=Rivers",
        "intake": reverse("staff:intake", args=[intake.reference]),
        "print": reverse("staff:intake_print", args=[intake.reference]),
        "overview": reverse("staff:overview"),
        "export": reverse("staff:export"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert _no_store(response), (name, response.get("Cache-Control"))
    # An action's answer (a redirect, or the page again with the form's errors) too.
    posted = client.post(
        reverse("staff:intake_note", args=[intake.reference]),
        {"note-version": intake.version, "note-text": ""},
    )
    assert posted.status_code == 400 and _no_store(posted)


def test_admin_pages_of_intakes_are_not_stored(admin_client, submit):
    intake = submit()
    for url in (
        "/admin/intake/intake/",
        f"/admin/intake/intake/{intake.pk}/change/",
        "/admin/intake/intake/?q=Rivers",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_every_patient_page_is_not_stored(client, db):
    walk = Walk(client).run(until="review")
    token = client.session["intake_token"]
    urls = [reverse("intake:start"), reverse("intake:save"), reverse("intake:help_now")]
    urls += [reverse("intake:step", args=[step]) for step in [*walk.visited, "review"]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    assert _no_store(client.get(resume_url(token)))
    posted = client.post(reverse("intake:step", args=["about"]), {"first_name": ""})
    assert posted.status_code == 200 and _no_store(posted)


# --- The patient's session: a browser-session cookie, ended after a short idle time --------


def _session_cookie(response):
    return response.cookies[settings.SESSION_COOKIE_NAME]


def test_the_patient_cookie_ends_when_the_browser_closes(client, db):
    response = client.post(reverse("intake:start"))
    cookie = _session_cookie(response)
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    saved = client.post(reverse("intake:step", args=["about"]), DEFAULT_POSTS["about"])
    assert saved.status_code == 302
    if settings.SESSION_COOKIE_NAME in saved.cookies:
        assert _session_cookie(saved)["max-age"] == ""


def test_a_resumed_session_also_ends_with_the_browser(client, db):
    Walk(client).run(until="together")
    token = client.session["intake_token"]
    from django.test import Client

    other = Client()
    response = other.get(resume_url(token))
    assert response.status_code == 302
    # The secret is exchanged for a session and the address bar shows only a step.
    assert response["Location"] == reverse("intake:step", args=["together"])
    assert token not in response["Location"]
    assert _session_cookie(response)["max-age"] == ""


def _idle(client, seconds: int) -> None:
    session = client.session
    session[PATIENT_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_patient_session_ends_and_the_link_brings_the_answers_back(client, db):
    Walk(client).run(until="together")
    token = client.session["intake_token"]
    _idle(client, settings.PATIENT_IDLE_TIMEOUT + 5)

    response = client.get(reverse("intake:step", args=["about"]))
    assert response.status_code == 302 and response["Location"] == reverse("intake:start")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Dana" not in html
    assert "private link" in html  # the way back is named
    assert "intake_draft" not in client.session

    back = client.get(resume_url(token))
    assert step_of(back["Location"]) == "together"
    assert 'value="Dana"' in client.get(reverse("intake:step", args=["about"])).content.decode()


def test_a_patient_session_just_inside_the_idle_time_continues(client, db):
    Walk(client).run(until="together")
    _idle(client, settings.PATIENT_IDLE_TIMEOUT - 60)
    response = client.get(reverse("intake:step", args=["about"]))
    assert response.status_code == 200
    assert 'value="Dana"' in response.content.decode()


def test_the_idle_time_comes_from_settings():
    assert settings.PATIENT_IDLE_TIMEOUT == 30 * 60


def test_staff_keep_their_own_cookie_after_a_patient_session_in_the_same_browser(
    client, coordinator
):
    client.post(reverse("intake:start"))
    response = client.post(reverse("staff:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert PATIENT_SEEN_KEY not in client.session
    # And a long staff page view is not cut at the patient's 30 minutes (the staff rules:
    # 15 minutes idle, 12 hours in all, tested in test_staff_auth).
    assert client.get(reverse("staff:queue")).status_code == 200


# --- Secrets and names out of every log line -------------------------------------------------


def test_django_log_lines_carry_no_resume_token_or_search():
    """Django's request logging names the path ("Not Found: /intake/resume/<token>/"): the
    handler's filter redacts it, and query strings, whatever logger writes."""
    from intake.log_redaction import RedactingFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("django.request.test")
    logger.addHandler(handler)
    try:
        logger.error("Not Found: %s", "/intake/resume/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5/")
        logger.error('"%s" %s %s', "GET /staff/?q=Rivers&status=open HTTP/1.1", 200, 512)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Zm9vYmFy" not in text and "Rivers" not in text
    assert "/intake/resume/[redacted]/" in text
    assert "q=[redacted]" in text and "status=[redacted]" in text


def test_the_console_handler_redacts():
    handler = settings.LOGGING["handlers"]["console"]
    assert "redact" in handler["filters"]


@pytest.fixture(scope="module")
def logged_server(tmp_path_factory):
    from django.db import connection

    tmp = tmp_path_factory.mktemp("logs")
    database_url, drop = scratch_database(tmp, connection.settings_dict)
    env = production_env(tmp / "static", database_url)
    try:
        for command in (("collectstatic", "--noinput"), ("migrate", "--noinput")):
            result = manage(env, *command)
            assert result.returncode == 0, result.stderr[-2000:]
        result = manage(
            env,
            "shell",
            "-c",
            "from intake.models import User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"u = User.objects.create_user('dora', password='{PASSWORD}', is_superuser=True); "
            f"TOTPDevice.objects.create(user=u, name='default', key='{TOTP_KEY}')",
        )
        assert result.returncode == 0, result.stderr[-2000:]
        server = Gunicorn(env, "--config", "config/gunicorn.conf.py")
        yield server
        server.stop()
    finally:
        drop()


def test_gunicorn_access_log_carries_no_resume_token_or_staff_search(logged_server):
    patient = logged_server.browser()
    start = patient.get("/intake/start/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text).group(1)
    patient.post("/intake/start/", {"csrfmiddlewaretoken": csrf})
    link = re.search(r"/intake/resume/([\w-]+)/", patient.get("/intake/save/").text)
    token = link.group(1)
    resumed = logged_server.browser().get(f"/intake/resume/{token}/")
    assert resumed.status == 302
    assert logged_server.browser().get("/intake/resume/not-a-real-token-Xq7/").status == 404

    staff = logged_server.browser()
    login = staff.get("/staff/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = staff.post(
        "/staff/login/",
        {"csrfmiddlewaretoken": csrf, "username": "dora", "password": PASSWORD},
    )
    assert signed_in.status == 302, signed_in.text[:500]
    # A superuser's second step: the code from the authenticator app.
    verify = staff.get("/staff/verify/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', verify.text).group(1)
    code = pyotp.TOTP(base64.b32encode(bytes.fromhex(TOTP_KEY)).decode()).now()
    verified = staff.post("/staff/verify/", {"csrfmiddlewaretoken": csrf, "code": code})
    assert verified.status == 302, verified.text[:500]
    search = staff.get(
        "/staff/?q=Zebediah+Quokka", headers={"Referer": "https://x/staff/?q=Zebediah"}
    )
    assert search.status == 200

    time.sleep(0.5)  # gunicorn writes the access line after the response
    log = logged_server.output()
    assert "GET /intake/resume/[redacted]/ HTTP/1.1" in log, log[-2000:]
    assert "GET /staff/?q=[redacted] HTTP/1.1" in log, log[-2000:]
    for secret in (token, "not-a-real-token-Xq7", "Zebediah", "Quokka"):
        assert secret not in log
