"""A person on a 360-px phone walks the intake in Chromium; axe-core checks every page.

Screenshots land in ./screenshots/ (patient-*.png) for a human to look at.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from intake.models import Intake

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser_page):
    return browser_page


def check(page, name: str, problems: dict) -> None:
    """Screenshot, then record axe problems and horizontal overflow at 360 px."""
    page.shoot(f"patient-{name}")
    violations = page.axe_violations()
    if violations:
        problems[name] = violations
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems[f"{name} width"] = width


def path(page) -> str:
    # A fragment from an error-summary link survives the redirects; only the path matters.
    return urlparse(page.url).path


def choose(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def save(page) -> None:
    page.get_by_role("button", name="Save and continue").click()


@pytest.mark.browser_context_args(viewport=PHONE)
def test_patient_walks_the_intake_on_a_phone(phone):
    page = phone
    problems: dict = {}
    page.goto(page.base_url + "/intake/start/")
    check(page, "start", problems)
    page.get_by_role("button", name="Begin").click()

    # Step 1, first sent empty: the error summary takes the focus and links to the fields.
    save(page)
    expect(page.locator("#error-summary")).to_be_focused()
    check(page, "about-errors", problems)
    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_respondent_0"
    choose(page, "Myself")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Date of birth").fill("1991-07-04")
    choose(page, "Male")
    page.get_by_label("Phone number").fill("555-555-0199")
    choose(page, "Text message")
    page.locator("#id_voicemail_ok_1").check()
    page.get_by_label("State").select_option("OH")
    check(page, "about", problems)
    save(page)

    # Step 2: which substances, then the details with units that fit.
    choose(page, "Alcohol (beer, wine, spirits)")
    choose(page, "Baclofen (Lioresal, Gablofen, Kemstro)")
    check(page, "substances", problems)
    save(page)
    page.locator("#id_alcohol-frequency_0").check()
    page.locator("#id_alcohol-amount").fill("8")
    page.locator("#id_alcohol-last_use_0").check()
    page.locator("#id_baclofen-frequency_0").check()
    page.locator("#id_baclofen-amount").fill("160")
    page.locator("#id_baclofen-route_0").check()
    page.locator("#id_baclofen-last_use_0").check()
    page.locator("#id_baclofen-prescribed_2").check()
    check(page, "substance-details", problems)
    save(page)

    # Step 3: using together, AUDIT-C and DAST-10.
    page.locator("#id_used_together_0").check()
    page.locator("#id_used_together_1").check()
    for key in ("audit_c_1", "audit_c_2", "audit_c_3"):
        page.locator(f"#id_{key}_3").check()
    for number in range(1, 11):
        page.locator(f"#id_dast_{number}_1").check()
    check(page, "together", problems)
    save(page)

    # Step 4: a life-threatening sign brings the emergency page first.
    choose(page, "Breathing is slow, weak or shallow")
    choose(page, "Shaking hands or body (tremors)")
    page.locator("#id_withdrawal_seizures_1").check()
    page.locator("#id_withdrawal_delirium_1").check()
    check(page, "symptoms", problems)
    save(page)
    assert path(page) == "/intake/help-now/"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Call 911 now"
    assert page.get_by_role("link", name="Call 911", exact=True).get_attribute("href") == "tel:911"
    check(page, "emergency", problems)
    page.get_by_role("link", name="Continue my intake").click()

    # Step 5 onwards, with the alert kept on the page.
    assert page.locator(".emergency-alert").is_visible()
    choose(page, "Lung or breathing disease (for example COPD or asthma)")
    assert page.get_by_text("Are you pregnant?").count() == 0  # not asked after "Male"
    page.locator("#id_phq_1_1").check()
    page.locator("#id_phq_2_1").check()
    for key in ("q1", "q2", "q6"):
        page.locator(f"#id_{key}_1").check()
    check(page, "health", problems)
    save(page)
    choose(page, "I have a steady place to live")
    for key in ("others_using_at_home", "unsafe_home"):
        page.locator(f"#id_{key}_1").check()
    page.locator("#id_has_support_0").check()
    choose(page, "Work")
    choose(page, "I have not had treatment before")
    choose(page, "I am ready to start treatment")
    choose(page, "No preference, I would like advice")
    check(page, "life", problems)
    save(page)
    check(page, "insurance", problems)
    save(page)  # insurance is optional

    # Review and consent.
    assert "Step 8 of 8" in page.content()
    check(page, "review", problems)
    page.get_by_role("checkbox", name="contact me").check()
    page.get_by_label("I have read the privacy notice.").check()
    page.get_by_label("I agree to the disclosure described above (optional).").check()
    page.get_by_label("Type your full name to sign").fill("Sam Okafor")
    page.get_by_role("button", name="Send my intake").click()

    assert path(page) == "/intake/done/"
    intake = Intake.objects.get()
    assert intake.reference in page.locator("#reference-code").inner_text()
    assert intake.escalation == "emergency" and intake.track == "detox"
    check(page, "confirmation", problems)
    assert problems == {}, problems


@pytest.mark.browser_context_args(viewport=PHONE)
def test_the_pages_keep_to_the_content_security_policy(phone):
    page = phone
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(page.base_url + "/intake/start/")
    page.get_by_role("button", name="Begin").click()
    page.get_by_role("button", name="Save and continue").click()
    # intake.js ran (it is a same-origin file): it moved the focus to the error summary.
    expect(page.locator("#error-summary")).to_be_focused()
    assert not [text for text in messages if "Content Security Policy" in text]


@pytest.mark.browser_context_args(viewport=PHONE, java_script_enabled=False)
def test_the_form_works_with_javascript_off(phone):
    page = phone
    page.goto(page.base_url + "/intake/start/")
    page.get_by_role("button", name="Begin").click()
    choose(page, "A family member or friend")
    page.get_by_label("First name").fill("Lee")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Date of birth").fill("2000-01-31")
    choose(page, "Prefer not to say")
    page.get_by_label("Email address").fill("lee@example.org")
    choose(page, "Email")
    save(page)
    choose(
        page, "Opioids (prescription painkillers, heroin, fentanyl, methadone outside a program)"
    )
    save(page)
    assert path(page) == "/intake/step/substance-details/"
    page.get_by_role("link", name="Back").click()
    assert page.get_by_label(
        "Opioids (prescription painkillers, heroin, fentanyl, methadone outside a program)"
    ).is_checked()
