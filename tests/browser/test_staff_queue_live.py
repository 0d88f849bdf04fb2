"""The open queue refreshes in place: a new intake appears without a reload, the filters stay,
the page says how many came in, a new emergency is announced, and a hidden tab stops asking.

Screenshot: ./screenshots/staff-queue-live.png. Console errors (a CSP violation among them)
fail the test."""

import time

import pytest

from intake.services.intakes import intake_submit
from tests.browser.test_staff_pages import sign_in
from tests.conftest import make_document

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(last_name: str, **changes):
    contact = {**make_document()["contact"], "last_name": last_name}
    return intake_submit(document=make_document(contact=contact, **changes), consent=None)


def test_the_queue_updates_in_place_and_keeps_its_filters(browser_page, clinician, settings):
    settings.QUEUE_POLL_SECONDS = 1
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    first = _submit("Nguyen", symptoms=["weak_shallow_breathing"])
    _submit("Kowalski")

    sign_in(page, "bob")
    page.wait_for_url(f"{page.base_url}/staff/")
    page.get_by_label("Escalation").select_option("emergency")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/staff/?*escalation=emergency*")
    url = page.url
    rows = page.locator("table.queue-table tbody tr")
    assert rows.count() == 1 and first.reference in rows.nth(0).inner_text()
    page.evaluate("window.openedOnce = true")  # gone if the page reloads
    live = []
    page.on("request", lambda r: live.append(r.url) if "/staff/queue/live/" in r.url else None)

    arrived = _submit("Haddad", symptoms=["coma"])
    ordinary = _submit("Brown")
    page.locator("table.queue-table").get_by_text(arrived.reference).wait_for(timeout=10_000)
    assert page.evaluate("window.openedOnce") is True
    assert page.url == url
    assert page.get_by_label("Escalation").input_value() == "emergency"
    assert rows.count() == 2
    assert ordinary.reference not in page.locator("table.queue-table").inner_text()
    assert page.get_by_role("status").filter(has_text="new intakes").inner_text() == (
        "2 new intakes since you opened this page"
    )
    announce = page.locator("#queue-announce")
    assert announce.get_attribute("aria-live") == "assertive"
    assert announce.inner_text() == "A new emergency intake is in the queue."
    assert all("escalation=emergency" in u and "since=" in u for u in live)
    page.shoot("staff-queue-live")
    assert page.axe_violations() == []

    # A hidden tab stops polling; shown again, it refreshes at once and goes on.
    page.evaluate(
        """() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    )
    time.sleep(0.3)
    before = len(live)
    time.sleep(2.5)
    assert len(live) == before
    page.evaluate(
        """() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    )
    page.wait_for_timeout(500)
    assert len(live) > before
    assert errors == []
    page.goto("about:blank")  # stop polling before the live server's tables are emptied
