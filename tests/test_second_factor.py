"""The second factor (issue 8, item 3): TOTP for clinicians, administrators and the admin site.

A password alone reaches no page with patient data: every staff URL and every admin URL is
tried with a password-only session. Codes are computed with pyotp, as an authenticator app
would.
"""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.contrib import admin
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent, Intake, User
from tests.conftest import PASSWORD, StaffClient, enrol, totp_code

LOGIN = reverse("staff:login")
QUEUE = reverse("staff:queue")
VERIFY = reverse("staff:verify")
SETUP = reverse("two_factor:setup")
QR = reverse("two_factor:qr")
LOST = reverse("staff:lost_device")
LOGOUT = reverse("staff:logout")

# The pages a password-only session may open: none shows patient data.
OPEN = {VERIFY, SETUP, QR, LOST, LOGOUT, LOGIN, reverse("admin:logout")}


def password_only(user) -> StaffClient:
    client = StaffClient()
    client.force_login(user, second_factor=False)
    return client


def sign_in(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


# --- every staff and admin URL -----------------------------------------------------------


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(route: str, samples: dict) -> str | None:
    """A concrete path for a route (path() or re_path() syntax), or None to skip it."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    if "(?P<url>" in route:  # the admin's catch-all
        return None
    route = re.sub(r"\(\?P<app_label>([a-z_]+)[^)]*\)", r"\1", route)

    def value(match):
        name = match.group(1).split(":")[-1]
        return str(samples.get(name, "1"))

    route = re.sub(r"<([^>]+)>", value, route)
    if "(" in route or "?" in route:
        return None
    return "/" + route.lstrip("/")


@pytest.fixture
def every_guarded_url(submit, clinician):
    intake = submit()
    samples = {
        "reference": intake.reference,
        "object_id": intake.pk,
        "id": clinician.pk,
        "content_type_id": 1,
    }
    urls = set()
    for route in _walk(get_resolver().url_patterns):
        path = _fill(route, samples)
        if path and path.startswith(("/staff/", "/admin/")):
            urls.add(path)
    # Each registered model's pages, with a real object where there is one.
    for model, _model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.add(reverse(f"{name}_changelist"))
        obj = model._default_manager.first()
        if obj is not None:
            urls.add(reverse(f"{name}_change", args=[obj.pk]))
            urls.add(reverse(f"{name}_history", args=[obj.pk]))
    return sorted(urls)


@pytest.mark.parametrize("persona", ["clinician", "administrator"])
@pytest.mark.parametrize("enrolled", [False, True], ids=["not-enrolled", "enrolled"])
def test_a_password_alone_opens_no_staff_or_admin_page(
    request, every_guarded_url, persona, enrolled
):
    user = request.getfixturevalue(persona)
    if enrolled:
        enrol(user)
    client = password_only(user)
    target = VERIFY if enrolled else SETUP
    tried = 0
    for url in every_guarded_url:
        if url in OPEN:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            tried += 1
            assert response.status_code == 302, (method, url, response.status_code)
            assert urlsplit(response["Location"]).path == target, (method, url)
    assert tried > 100  # the staff pages and the whole admin, not a sample
    # Nothing was read or changed: no staff read on the audit trail.
    assert not AuditEvent.objects.filter(action__in=["view", "export", "print", "review"]).exists()


def test_the_open_pages_show_no_patient_data(client, clinician, submit):
    intake = submit()
    client = password_only(clinician)
    for url in (SETUP, LOST):
        html = client.get(url).content.decode()
        assert intake.reference not in html and "Rivers" not in html


def test_the_admin_site_itself_refuses_an_unverified_session(administrator):
    # Without the middleware, the admin site's own permission check still holds.
    from django.conf import settings

    middleware = [m for m in settings.MIDDLEWARE if "SecondFactor" not in m]
    with override_settings(MIDDLEWARE=middleware):
        client = password_only(administrator)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        # ...and so do the staff views (staff_required).
        response = client.get(reverse("staff:export"))
        assert urlsplit(response["Location"]).path == SETUP


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_with_a_qr_code_served_here_then_backup_codes(client, clinician):
    assert sign_in(client, "bob")["Location"] == QUEUE
    response = client.get(QUEUE)
    assert response["Location"] == f"{SETUP}?next=%2Fstaff%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="{QR}"' in html  # same origin: CSP img-src 'self' holds
    assert "'self'" in page["Content-Security-Policy"]
    secret = re.search(r'data-testid="totp-secret">(\w+)<', html).group(1)

    qr = client.get(QR)
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content and b"http" not in qr.content.replace(b"http://www.w3.org", b"")

    # A wrong code is refused, the right one enrols.
    wrong = client.post(
        SETUP + "?next=/staff/",
        {"setup_view-current_step": "generator", "generator-token": "000000"},
    )
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(user=clinician).exists()
    code = pyotp.TOTP(secret).now()
    done = client.post(
        SETUP + "?next=/staff/",
        {"setup_view-current_step": "generator", "generator-token": code},
    )
    assert done.status_code == 302, done.content[:500]
    device = TOTPDevice.objects.get(user=clinician, confirmed=True)
    assert urlsplit(done["Location"]).path == reverse("two_factor:setup_complete")

    complete = client.get(done["Location"])
    codes = re.findall(r'<li class="col">(\w+)</li>', complete.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticDevice.objects.get(user=clinician).token_set.values_list("token", flat=True)
    )
    # Shown once: opening the page again makes no new set.
    assert re.findall(r'<li class="col">', client.get(done["Location"]).content.decode()) == []
    assert client.get(QUEUE).status_code == 200
    assert AuditEvent.objects.filter(
        action="login", actor=clinician, detail__contains="enrolled"
    ).exists()
    assert device.key not in complete.content.decode()


def test_an_enrolled_user_cannot_start_a_second_enrolment_unverified(clinician):
    enrol(clinician)
    client = password_only(clinician)
    assert urlsplit(client.get(SETUP)["Location"]).path == VERIFY
    assert urlsplit(client.get(QR)["Location"]).path == VERIFY


# --- signing in with a code ------------------------------------------------------------------


def test_sign_in_with_password_then_code(client, clinician):
    device = enrol(clinician)
    sign_in(client, "bob")
    to_verify = client.get(reverse("staff:overview"))
    assert to_verify.status_code == 302
    assert urlsplit(to_verify["Location"]).path == VERIFY
    assert parse_qs(urlsplit(to_verify["Location"]).query)["next"] == [reverse("staff:overview")]

    wrong = client.post(VERIFY, {"code": "123456", "next": QUEUE})
    assert wrong.status_code == 200
    assert "did not work" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", detail__contains="second factor")

    time.sleep(1.1)  # django-otp's throttle: one second after one failure
    ok = client.post(VERIFY, {"code": totp_code(device), "next": QUEUE})
    assert ok.status_code == 302 and ok["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
    assert AuditEvent.objects.filter(
        action="login", actor=clinician, detail="second factor: authenticator"
    ).exists()
    # Logging in (password) and verifying (code) are both on the audit trail.
    assert AuditEvent.objects.filter(action="login", actor=clinician, detail="").exists()


def test_a_code_is_good_once(clinician):
    device = enrol(clinician)
    code = totp_code(device)
    first = password_only(clinician)
    assert first.post(VERIFY, {"code": code, "next": QUEUE}).status_code == 302
    second = password_only(clinician)
    assert second.post(VERIFY, {"code": code, "next": QUEUE}).status_code == 200


def test_wrong_codes_are_throttled(clinician):
    device = enrol(clinician)
    client = password_only(clinician)
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    throttled = client.post(VERIFY, {"code": totp_code(device)})
    assert throttled.status_code == 200
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get(QUEUE).status_code == 302


def test_a_backup_code_works_once(clinician):
    enrol(clinician)
    backup = StaticDevice.objects.create(user=clinician, name="backup")
    backup.token_set.create(token="ab2cd3ef")
    client = password_only(clinician)
    assert client.post(VERIFY, {"code": "AB2C D3EF", "next": QUEUE}).status_code == 302
    assert client.get(QUEUE).status_code == 200
    again = password_only(clinician)
    assert again.post(VERIFY, {"code": "ab2cd3ef"}).status_code == 200
    assert AuditEvent.objects.filter(detail="second factor: backup code").count() == 1


def test_next_must_stay_on_this_site(clinician):
    device = enrol(clinician)
    client = password_only(clinician)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == QUEUE


def test_admin_login_page_then_code(client, administrator):
    device = enrol(administrator)
    response = client.post(
        reverse("admin:login"),
        {"username": "carol", "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    gate = client.get(reverse("admin:index"))
    assert urlsplit(gate["Location"]).path == VERIFY
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


# --- coordinators: optional ----------------------------------------------------------------


def test_a_coordinator_may_work_with_a_password(client, coordinator):
    assert sign_in(client, "alice")["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
    # ...and may enrol from the sign-in security page.
    assert client.get(reverse("two_factor:profile")).status_code == 200


def test_a_coordinator_who_enrolled_is_asked_for_the_code(client, coordinator):
    device = enrol(coordinator)
    sign_in(client, "alice")
    assert urlsplit(client.get(QUEUE)["Location"]).path == VERIFY
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get(QUEUE).status_code == 200


def test_a_role_given_later_needs_the_second_factor_at_once(coordinator):
    from django.contrib.auth.models import Group

    client = password_only(coordinator)
    assert client.get(QUEUE).status_code == 200
    coordinator.groups.add(Group.objects.get(name="Clinicians"))
    assert urlsplit(client.get(QUEUE)["Location"]).path == SETUP


# --- a lost device ------------------------------------------------------------------------------


def test_the_lost_device_page_says_what_to_do(client, db):
    html = client.get(LOST).content.decode()
    assert "backup codes" in html and "contact an administrator" in html
    assert "reset_second_factor" in html


def test_an_administrator_resets_a_lost_device(client, administrator, clinician):
    enrol(clinician)
    StaticDevice.objects.create(user=clinician, name="backup")
    bob = StaffClient()
    bob.force_login(clinician)
    assert bob.get(QUEUE).status_code == 200

    client.force_login(administrator)
    response = client.post(
        reverse("admin:intake_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [clinician.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    assert not StaticDevice.objects.filter(user=clinician).exists()
    # Their sessions ended; at the next sign-in they enrol again.
    assert bob.get(QUEUE)["Location"].startswith(LOGIN)
    sign_in(bob, "bob")
    assert urlsplit(bob.get(QUEUE)["Location"]).path == SETUP
    assert AuditEvent.objects.filter(
        action="admin", actor=administrator, detail__startswith="reset second factor"
    ).exists()


def test_an_administrator_cannot_reset_a_superusers_device(client, administrator):
    root = User.objects.create_superuser("root", "root@example.org", "a long root password")
    enrol(root)
    client.force_login(administrator)
    client.post(
        reverse("admin:intake_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [root.pk]},
    )
    assert TOTPDevice.objects.filter(user=root).exists()


def test_reset_second_factor_command(clinician):
    import io

    from django.core.management import call_command

    enrol(clinician)
    out = io.StringIO()
    call_command("reset_second_factor", "bob", stdout=out)
    assert "Removed 1 second-factor device(s) of bob" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=clinician).exists()


def test_a_verified_request_costs_one_query_for_the_device(client, clinician, submit):
    submit()
    client.force_login(clinician)
    client.get(QUEUE)
    intake = Intake.objects.get()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("staff:intake", args=[intake.reference])).status_code == 200
    queries = [q["sql"] for q in ctx.captured_queries]
    # OTPMiddleware loads the session's device; nothing else about the second factor.
    assert len([q for q in queries if "otp_" in q]) == 1


def test_verifying_gives_a_new_session_key(clinician):
    device = enrol(clinician)
    client = password_only(clinician)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.session.session_key != before
    assert client.get(QUEUE).status_code == 200


def test_a_verified_only_page_sends_a_coordinator_without_device_to_enrol(client, coordinator):
    # django-otp's otp_required pages (backup codes) must not loop through the login page.
    client.force_login(coordinator)
    response = client.get(reverse("two_factor:backup_tokens"), follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert response.status_code == 200


def test_the_idle_and_day_limits_hold_for_a_verified_clinician(client, clinician):
    from django.conf import settings

    from intake.middleware import SESSION_KEY, STARTED_KEY

    client.force_login(clinician)
    assert client.get(QUEUE).status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 1
    session.save()
    assert client.get(QUEUE)["Location"] == f"{LOGIN}?timeout=1"
    # Signing in again with the password alone does not bring the second factor back.
    sign_in(client, "bob")
    assert urlsplit(client.get(QUEUE)["Location"]).path == VERIFY

    client.force_login(clinician)
    session = client.session
    session[STARTED_KEY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 60
    session.save()
    assert client.get(QUEUE)["Location"] == f"{LOGIN}?timeout=day"


def test_the_device_admin_hides_secrets(client, db):
    root = User.objects.create_superuser("root", "root@example.org", "a long root password")
    device = enrol(root)
    client.force_login(root)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
