"""The staff side in a real browser: sign in, the queue, an intake, an override, the overview.

Each step leaves a screenshot in ./screenshots/ (staff-*.png). Console errors fail the test:
a Content Security Policy violation (an inline script or style) shows up there.
"""

import datetime

import pyotp
import pytest
from django.utils import timezone

from intake.services.intakes import intake_submit
from intake.services.staff import intake_note_add, intake_status_change, intake_track_review
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import PASSWORD, enrol, make_document, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily", "route": "oral", "last_use": "today"}


def _submit(hours_ago: float, last_name: str, **changes):
    contact = {**make_document()["contact"], "last_name": last_name}
    if "date_of_birth" in changes:
        contact["date_of_birth"] = changes["date_of_birth"]
    when = timezone.now() - datetime.timedelta(hours=hours_ago)
    return intake_submit(
        document=make_document(contact=contact, submitted_at=when.isoformat(), **changes),
        consent=None,
    )


@pytest.fixture
def queue_data(browser_page, clinician, coordinator):
    cases = [
        _submit(
            30,
            "Okafor",
            substances=[OPIOIDS_DAILY],
            symptoms=["tremors", "anxiety"],
            medical={"pregnant": True},
        ),
        _submit(2, "Nguyen", symptoms=["weak_shallow_breathing"]),
        _submit(50, "Silva", screening={"cssrs": {"q1": True, "q2": True, "q4": True}}),
        _submit(300, "Brown", living={"housing": "homeless"}),
        _submit(20, "Kowalski"),
        _submit(8, "Young", date_of_birth=f"{timezone.now().year - 16}-01-15"),
        _submit(4, "Haddad", symptoms=None),
    ]
    # Some history, so that the overview has something to draw.
    for index, intake in enumerate(cases[2:]):
        intake_note_add(
            intake=intake,
            actor=coordinator,
            text="Left a message.",
            expected_version=intake.version,
            now=intake.submitted_at + datetime.timedelta(hours=1 + 3 * index),
        )
    intake_track_review(
        intake=cases[3],
        actor=clinician,
        action="override",
        track="outpatient",
        reason="Staying with family now.",
        expected_version=cases[3].version,
    )
    intake_track_review(
        intake=cases[4], actor=clinician, action="confirm", expected_version=cases[4].version
    )
    return cases


@pytest.fixture
def console_errors(browser_page):
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def password_step(page, username: str) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, username: str) -> None:
    """Both steps, as an enrolled person would: the password, then (where the role needs it)
    the code from the authenticator app."""
    from intake.models import User
    from intake.staff.second_factor import needs_second_factor

    user = User.objects.get(username=username)
    device = enrol(user) if needs_second_factor(user) else None
    password_step(page, username)
    if device is not None:
        page.wait_for_url("**/staff/verify/**")
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Verify").click()


def test_staff_pages(browser_page, console_errors, queue_data, administrator, coordinator):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{page.base_url}/staff/")
    assert "/staff/login/" in page.url
    page.shoot("staff-login")
    assert page.axe_violations() == []

    # A clinician's first sign-in: the password, then enrolment with the QR code this app
    # serves (an SVG from its own origin: a CSP violation would fail the test), then backup codes.
    password_step(page, "bob")
    page.wait_for_url("**/staff/two-factor/setup/**")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    page.shoot("staff-enrol")
    assert page.axe_violations() == []
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url("**/staff/two-factor/setup/complete/**")
    assert page.get_by_test_id("backup-codes").locator("li").count() == 10
    page.shoot("staff-backup-codes")
    assert page.axe_violations() == []
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{page.base_url}/staff/")
    rows = page.locator("table.queue-table tbody tr")
    assert rows.count() == 7
    assert "Minor" in page.locator("tr", has_text="Young").inner_text()
    # Emergency first, then crisis, then detox.
    assert "Nguyen" in rows.nth(0).inner_text()
    assert "Silva" in rows.nth(1).inner_text()
    assert "Okafor" in rows.nth(2).inner_text()
    page.shoot("staff-queue")
    assert page.axe_violations() == []

    okafor = queue_data[0]
    page.get_by_role("link", name=okafor.reference).click()
    page.wait_for_url(f"**/staff/intake/{okafor.reference}/")
    assert page.get_by_role("heading", name="Recommendation").is_visible()
    assert page.get_by_role("rowheader", name="D4").is_visible()
    page.shoot("staff-intake")
    assert page.axe_violations() == []
    # The first screenful as well: what a clinician sees before scrolling.
    page.screenshot(path=SCREENSHOTS / "staff-intake-top.png")

    page.get_by_label("Track").select_option("inpatient")
    page.get_by_label("Reason").fill("Pregnant; needs residential care after detox.")
    page.get_by_role("button", name="Override", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Track review saved.").is_visible()
    assert page.get_by_text("Overridden to Inpatient").is_visible()
    assert page.get_by_text("The engine recommends").is_visible()
    page.shoot("staff-override")
    assert page.axe_violations() == []

    # Someone else changes the intake while this page is open; then a note from this page.
    okafor.refresh_from_db()
    intake_status_change(
        intake=okafor, actor=coordinator, status="contacted", expected_version=okafor.version
    )
    page.get_by_label("Note").fill("Spoke with her partner; call back after 5 pm.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()
    conflict = page.locator("#conflict")
    assert conflict.get_by_text("Someone else changed this intake since you opened it").is_visible()
    assert conflict.get_by_text("Status: New → Contacted").is_visible()
    assert page.get_by_label("Note").input_value().startswith("Spoke with her partner")
    page.shoot("staff-conflict")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()
    assert page.get_by_text("Note added.").is_visible()
    timeline = page.locator("ol.timeline")
    assert timeline.get_by_text("Status: New → Contacted").is_visible()
    assert timeline.get_by_text("call back after 5 pm").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/staff/login/")
    # An enrolled administrator: the password, then the code.
    device = enrol(administrator)
    password_step(page, "carol")
    page.wait_for_url("**/staff/verify/**")
    page.shoot("staff-verify")
    assert page.axe_violations() == []
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{page.base_url}/staff/")
    page.get_by_role("link", name="Overview").click()
    page.wait_for_url("**/staff/overview/")
    for chart in ("chart-tracks", "chart-escalations", "chart-median", "chart-overrides"):
        canvas = page.locator(f"#{chart}")
        assert canvas.is_visible()
        assert page.evaluate(f"() => !!Chart.getChart(document.getElementById('{chart}'))")
        box = canvas.bounding_box()
        assert box["width"] > 100 and box["height"] > 100
    page.shoot("staff-overview")
    assert page.axe_violations() == []

    page.goto(f"{page.base_url}/staff/intake/{okafor.reference}/print/")
    assert page.get_by_text("Notice prohibiting redisclosure").first.is_visible()
    page.shoot("staff-print")
    assert page.axe_violations() == []

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{page.base_url}/staff/")
    page.shoot("staff-queue-phone")
    assert page.axe_violations() == []

    # The conflict page is answered with 409 on purpose; Chromium logs every 4xx document.
    expected = "the server responded with a status of 409 (Conflict)"
    assert [e for e in console_errors if expected not in e] == []
