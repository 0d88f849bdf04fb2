"""Signing in and out: the audit of it, the lockout after failures, the idle timeout."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from intake.middleware import SESSION_KEY, STARTED_KEY
from intake.models import AuditEvent
from tests.conftest import PASSWORD

LOGIN = reverse("staff:login")
LOGOUT = reverse("staff:logout")
QUEUE = reverse("staff:queue")


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_anonymous_queue_redirects_to_login(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={QUEUE}"


def test_login_lands_on_the_queue_and_is_audited(client, coordinator):
    response = sign_in(client, "alice", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302 and response["Location"] == QUEUE
    record = AuditEvent.objects.get(action="login")
    assert (record.actor, record.actor_username, record.ip_address) == (
        coordinator,
        "alice",
        "192.0.2.7",
    )
    assert client.get(QUEUE).status_code == 200


def test_failed_login_is_audited_with_the_username_only(client, coordinator):
    response = sign_in(client, "alice", "wrong password 123", REMOTE_ADDR="192.0.2.8")
    assert response.status_code == 200
    record = AuditEvent.objects.get(action="login_failed")
    assert record.actor is None
    assert (record.actor_username, record.ip_address) == ("alice", "192.0.2.8")
    assert "wrong" not in record.detail and "*" not in record.detail


def test_failed_login_for_an_unknown_username_is_audited(client, db):
    sign_in(client, "mallory", "guess")
    assert AuditEvent.objects.get(action="login_failed").actor_username == "mallory"


def test_logout_is_a_post_and_is_audited(client, coordinator):
    client.force_login(coordinator)
    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)
    assert response.status_code == 302 and response["Location"] == LOGIN
    record = AuditEvent.objects.get(action="logout")
    assert record.actor == coordinator
    assert client.get(QUEUE).status_code == 302


def test_lockout_after_five_failures_even_with_the_right_password(client, coordinator):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "not it").status_code == 200
    locked = sign_in(client, "alice", "not it")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Now the right password does not get in either.
    again = sign_in(client, "alice")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Every attempt, the locked-out ones included, is on the audit trail.
    assert AuditEvent.objects.filter(action="login_failed").count() == 6


def test_one_address_cannot_try_a_password_on_every_account(client, coordinator, clinician):
    # Today's attack: one address, a few passwords on each of many accounts.
    from django.contrib.auth.models import Group

    from intake.models import User

    statuses = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        user = User.objects.create_user(f"staff{n}", password=PASSWORD)
        user.groups.add(Group.objects.get(name="Intake coordinators"))
        statuses.append(sign_in(client, f"staff{n}", "Summer2026!", REMOTE_ADDR="203.0.113.9"))
    # One wrong password on each account: the fifth meets the address's limit.
    assert [r.status_code for r in statuses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # The address is locked now: for an account it never tried, even with the right password.
    locked = sign_in(client, "alice", REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert sign_in(client, "bob", REMOTE_ADDR="198.51.100.20").status_code == 302


def test_an_account_is_locked_whatever_the_address(client, coordinator, clinician):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "not it", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert sign_in(client, "alice", REMOTE_ADDR="192.0.2.99").status_code == 429
    # Other accounts from those addresses still sign in.
    assert sign_in(client, "bob", REMOTE_ADDR="198.51.100.1").status_code == 302


def test_the_lockout_page_says_when_to_try_again(client, coordinator):
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = sign_in(client, "alice", "not it")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(30 * 60)
    html = locked.content.decode()
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert f"You can try again after <strong>{retry_at:%-I:%M %p}" in html
    assert "in about 30 minutes" in html
    assert "Ask an administrator" in html


def test_the_admin_login_is_locked_too(client, administrator):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "carol", "password": "not it"})
    assert client.post(url, {"username": "carol", "password": PASSWORD}).status_code == 429


def test_success_clears_only_that_accounts_failures(client, coordinator, clinician):
    # Someone with an account cannot wipe the address's count by signing in between tries.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "bob", "not it")
    assert sign_in(client, "alice").status_code == 302
    client.post(LOGOUT)
    assert sign_in(client, "bob", "not it").status_code == 429


def test_success_before_the_limit_resets_the_count(client, coordinator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "not it")
    assert sign_in(client, "alice").status_code == 302
    client.post(LOGOUT)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "not it").status_code == 200


def _age_session(client, seconds: int) -> None:
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_idle_session_ends_after_15_minutes(client, coordinator):
    assert settings.STAFF_IDLE_TIMEOUT == 15 * 60
    sign_in(client, "alice")
    assert client.get(QUEUE).status_code == 200
    _age_session(client, settings.STAFF_IDLE_TIMEOUT + 1)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?timeout=1"
    assert "_auth_user_id" not in client.session
    assert client.get(QUEUE).status_code == 302  # still signed out
    notice = client.get(response["Location"]).content.decode()
    assert "signed out after 15 minutes without activity" in notice
    assert AuditEvent.objects.filter(action="logout", actor=coordinator).exists()


def test_activity_within_15_minutes_keeps_the_session(client, coordinator):
    sign_in(client, "alice")
    _age_session(client, settings.STAFF_IDLE_TIMEOUT - 60)
    assert client.get(QUEUE).status_code == 200
    # The request refreshed the clock.
    assert int(time.time()) - client.session[SESSION_KEY] < 5


@pytest.mark.parametrize("age", [settings.SESSION_COOKIE_AGE])
def test_every_session_ends_after_12_hours(client, coordinator, age):
    assert age == 12 * 60 * 60
    sign_in(client, "alice")
    assert client.session.get_expiry_age() == age
    # Busy all day: activity a minute ago, but signed in 12 hours and a minute ago.
    session = client.session
    session[STARTED_KEY] = int(time.time()) - age - 60
    session[SESSION_KEY] = int(time.time()) - 60
    session.save()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?timeout=day"
    assert "_auth_user_id" not in client.session
    assert "session reached 12 hours" in client.get(response["Location"]).content.decode()


def test_a_session_under_12_hours_old_goes_on(client, coordinator):
    sign_in(client, "alice")
    session = client.session
    session[STARTED_KEY] = int(time.time()) - 11 * 60 * 60
    session.save()
    assert client.get(QUEUE).status_code == 200
