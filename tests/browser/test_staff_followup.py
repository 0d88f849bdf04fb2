"""Issue 10 in a real browser: the queue fits at 1024 and 1280 px (and on a tablet), a contact
attempt is logged in a couple of clicks, a form error is announced at the top and focused, and
the override chart labels every rule. Screenshots: ./screenshots/followup-*.png."""

import datetime

import pytest
from django.utils import timezone

from intake.services.intakes import intake_submit
from intake.services.staff import intake_assign, intake_track_review
from tests.browser.test_staff_pages import sign_in
from tests.conftest import make_document

pytestmark = pytest.mark.django_db(transaction=True)

OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily", "route": "oral", "last_use": "today"}
MANY_RULES = {
    "substances": [
        OPIOIDS_DAILY,
        {"substance": "alcohol", "frequency": "daily"},
        {"substance": "benzodiazepines", "frequency": "daily"},
        {"substance": "cocaine", "frequency": "weekly", "route": "injected"},
    ],
    "used_together": ["alcohol", "opioids", "benzodiazepines"],
    "symptoms": ["tremors", "anxiety"],
    "living": {"housing": "homeless"},
    "medical": {"pregnant": True, "seizure_disorder": True},
}


def _submit(hours_ago, last_name, email="dana@example.org", **changes):
    contact = {**make_document()["contact"], "last_name": last_name, "email": email}
    when = timezone.now() - datetime.timedelta(hours=hours_ago)
    return intake_submit(
        document=make_document(contact=contact, submitted_at=when.isoformat(), **changes),
        consent=None,
    )


@pytest.fixture
def busy_queue(browser_page, clinician, coordinator):
    """A queue as wide as real ones get: long names and addresses, every badge, assignees."""
    clinician.first_name, clinician.last_name = "Roberta", "Castellanos-Whitfield"
    clinician.save()
    cases = [
        _submit(
            400,
            "Vanderhoeven-Abernathy",
            email="a.very.long.address.for.testing@community-health-example.org",
            **MANY_RULES,
        ),
        _submit(2, "Nguyen", symptoms=["weak_shallow_breathing"]),
        _submit(50, "Silva", screening={"cssrs": {"q1": True, "q2": True, "q4": True}}),
        _submit(300, "Brown", living={"housing": "homeless"}),
        _submit(20, "Kowalski"),
        _submit(1, "Haddad", symptoms=None),
        _submit(30, "Okafor", **MANY_RULES),
    ]
    for intake in cases[:4]:
        intake_assign(intake=intake, actor=coordinator, assignee=clinician, expected_version=1)
    for intake in (cases[0], cases[6]):
        intake.refresh_from_db()
        intake_track_review(
            intake=intake,
            actor=clinician,
            action="override",
            track="inpatient",
            reason="Needs a residential setting.",
            expected_version=intake.version,
        )
    return cases


@pytest.mark.parametrize("width", [1280, 1024, 768])
def test_the_queue_fits_without_horizontal_overflow(browser_page, busy_queue, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "bob")
    page.wait_for_url(f"{page.base_url}/staff/")
    assert page.locator("table.queue-table tbody tr").count() == 7
    page.shoot(f"followup-queue-{width}")
    fit = page.evaluate(
        """() => {
          const box = document.querySelector('.queue-box');
          const table = box.querySelector('table');
          return {table: table.scrollWidth, box: box.clientWidth,
                  page: document.documentElement.scrollWidth, viewport: window.innerWidth};
        }"""
    )
    assert fit["table"] <= fit["box"], fit
    assert fit["page"] <= fit["viewport"], fit
    # Every column's heading is on screen, the last one (Assigned) included.
    last = page.get_by_role("columnheader", name="Assigned").bounding_box()
    assert last["x"] + last["width"] <= width
    assert page.get_by_text("overdue by").first.is_visible()
    assert page.axe_violations() == []


def test_log_an_attempt_and_see_the_error_summary(browser_page, busy_queue, console_errors):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "bob")
    page.wait_for_url(f"{page.base_url}/staff/")
    silva = busy_queue[2]
    page.goto(f"{page.base_url}/staff/intake/{silva.reference}/")
    form = page.locator("form.contact-form")
    assert form.get_by_label("How").input_value() == "phone"  # the preferred channel
    form.get_by_label("No answer").check()
    form.get_by_label("Try again").select_option("1h")
    form.get_by_role("button", name="Log attempt").click()
    page.wait_for_load_state()
    assert page.get_by_text("Contact attempt logged.").is_visible()
    assert (
        page.locator("ol.timeline")
        .get_by_text("Contact attempt: Phone call, No answer")
        .is_visible()
    )
    assert page.locator(".due-line").get_by_text("due in").is_visible()
    page.shoot("followup-intake-attempt")
    assert page.axe_violations() == []

    # An override with no reason: the page says so at the top, focused, linked to the field.
    page.get_by_label("Track", exact=True).select_option("inpatient")
    page.get_by_role("button", name="Override", exact=True).click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert summary.bounding_box()["y"] < 400  # above the fold
    summary.get_by_role("link", name="Give a reason for the override.").click()
    assert page.evaluate("() => location.hash") == "#id_review-reason"
    page.shoot("followup-error-summary")
    assert page.axe_violations() == []
    expected = "the server responded with a status of 400"
    assert [e for e in console_errors if expected not in e] == []


def test_the_override_chart_labels_every_rule(browser_page, busy_queue, administrator):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "carol")
    page.wait_for_url(f"{page.base_url}/staff/")
    page.goto(f"{page.base_url}/staff/overview/")
    rules = page.locator("#chart-overrides-heading ~ details tbody tr").count()
    assert rules >= 8
    labelled = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-overrides')).scales.y.ticks.length"
    )
    assert labelled == rules
    assert page.locator("#first-contact").get_by_text("90th percentile").first.is_visible()
    page.shoot("followup-overview")
    assert page.axe_violations() == []


@pytest.fixture
def console_errors(browser_page):
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
