"""The project's foundation: settings that fail loudly, the health check, the landing page."""

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.test import RequestFactory
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh interpreter with a controlled environment (not pytest's)."""
    unset = {
        "DEBUG",
        "SECRET_KEY",
        "AUDIT_KEY",
        "AUDIT_KEY_ID",
        "AUDIT_RETIRED_KEYS",
        "TESTING",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_without_secret_key_fail_with_a_clear_message():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("audit_key", "message"),
    [
        ("", "AUDIT_KEY must be set when DEBUG is off"),
        ("too short", "AUDIT_KEY must be 32 characters or more and differ from SECRET_KEY."),
        ("s" * 60, "AUDIT_KEY must be 32 characters or more and differ from SECRET_KEY."),
    ],
    ids=["missing", "short", "same-as-secret-key"],
)
def test_production_settings_need_an_audit_key_of_their_own(audit_key, message):
    result = run_manage("check", DEBUG="false", SECRET_KEY="s" * 60, AUDIT_KEY=audit_key)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_build_step_needs_no_audit_key(tmp_path):
    """collectstatic runs at image build time, where no runtime secret should be; it writes no
    audit record. Every other command still refuses to start without the key."""
    production = {"DEBUG": "false", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "localhost"}
    result = run_manage(
        "collectstatic", "--noinput", "-v", "0", STATIC_ROOT=str(tmp_path), **production
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    result = run_manage("migrate", "--check", **production)
    assert result.returncode != 0
    assert "AUDIT_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false, not 'maybe'."),
        ("STAFF_IDLE_TIMEOUT", "15min", "STAFF_IDLE_TIMEOUT must be a whole number, not '15min'."),
    ],
)
def test_a_malformed_variable_is_named(variable, value, message):
    result = run_manage("check", **{"SECRET_KEY": "x" * 60, "AUDIT_KEY": "y" * 40, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_empty_database_url_means_sqlite():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DEBUG="true",
        DATABASE_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sqlite"


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        AUDIT_KEY="a" * 20 + "production-audit-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="intake.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client, db):
    with mock.patch("intake.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable"}


def test_healthz_is_503_when_the_database_is_unreachable():
    # A real unreachable server: nothing listens on port 9 of the loopback address.
    code = (
        "from django.test import Client; r = Client().get('/healthz'); "
        "print(r.status_code, r.content.decode())"
    )
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DEBUG="true",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/intake",
    )
    assert result.stdout.strip() == '503 {"database": "unavailable"}', result.stderr


def test_landing_page_shows_crisis_numbers_and_the_way_in(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:911"' in html
    assert 'href="tel:988"' in html
    assert "1-800-222-1222" in html
    assert reverse("intake:start") in html
    assert "Start your intake" in html
    for offer in ("Medical detox", "Inpatient", "Outpatient", "group therapy"):
        assert offer in html


def test_landing_page_refers_to_no_other_host(client, db):
    html = client.get("/").content.decode()
    external = re.findall(r"""(?:src|href|action)=["'](?:https?:)?//""", html)
    assert external == []
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http" not in csp


def test_the_start_button_leads_somewhere(client, db):
    response = client.get(reverse("intake:start"), follow=True)
    assert response.status_code == 200


def test_admin_login_page_is_served(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_unknown_page_is_a_kind_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_every_page_has_a_skip_link_and_privacy_link(client, db):
    html = client.get("/").content.decode()
    assert 'href="#main"' in html
    assert reverse("privacy") in html
    assert client.get(reverse("privacy")).status_code == 200


def test_favicon_ico_points_at_the_apps_own_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_error_reports_never_carry_what_a_person_typed(db):
    """A crash report (Django's technical 500 data) masks every posted answer and note."""
    from django.views.debug import SafeExceptionReporterFilter

    from intake.public.views import step
    from intake.staff.views_intake import ACTION_VIEWS

    intake_note = ACTION_VIEWS["note"]

    for view, argument in ((step, "about"), (intake_note, "ABCD-EFGH")):
        request = RequestFactory().post("/", {"first_name": "Dana", "text": "relapsed"})
        request.user = AnonymousUser()
        # The view may fail on this bare request (no session); the marking comes first.
        with contextlib.suppress(Exception):
            view(request, argument)
        posted = SafeExceptionReporterFilter().get_post_parameters(request)
        assert posted["first_name"] == posted["text"] == "********************"
