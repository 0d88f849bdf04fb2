"""Patient journeys in Debian's Chromium under the real CSP (issue 12).

- the whole intake in Spanish on a 360×740 phone, error states and the emergency page included;
- the whole intake by keyboard alone (Tab, Space, arrows, Enter), focus always visible;
- the resume link opened in a fresh browser context;
- every request goes to the app's own origin; axe-core finds nothing serious or critical on
  any page, in either language.
The crisis banner stays one line and within reach; the header's name stays on one line.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from intake.models import Intake

PHONE = {"width": 360, "height": 740}


class Journey:
    """One browser tab: checks each page it reaches (axe, width, same origin, focus)."""

    def __init__(self, page, language: str):
        self.page, self.language = page, language
        self.problems: dict[str, list] = {}
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def check(self, name: str) -> None:
        page = self.page
        assert page.evaluate("document.documentElement.lang") == self.language, name
        violations = page.axe_violations()
        if violations:
            self.problems[name] = violations
        width = page.viewport_size["width"]
        if page.evaluate("document.documentElement.scrollWidth") > width:
            self.problems[f"{name} width"] = [page.evaluate("document.documentElement.scrollWidth")]
        page.shoot(f"journey-{self.language}-{name}")

    def foreign_requests(self) -> list[str]:
        origin = self.page.base_url
        return [url for url in self.requests if not url.startswith((origin, "data:"))]


def path(page) -> str:
    return urlparse(page.url).path


def banner_and_header_fit(page) -> None:
    """Issue 12 findings 1 and 8: a one-line banner, in reach after scrolling; a one-line name."""
    banner = page.locator(".crisis-banner")
    assert banner.bounding_box()["height"] <= 48
    name = page.locator(".site-name")
    line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-name'))"
                               ".lineHeight)"))  # fmt: skip
    assert name.bounding_box()["height"] <= line * 1.2, "the centre's name wraps"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = banner.bounding_box()
    assert box["y"] == 0 and banner.is_visible(), "the banner scrolled away"
    page.evaluate("window.scrollTo(0, 0)")


# --- the whole intake in Spanish on a phone ------------------------------------------------------


@pytest.mark.browser_context_args(viewport=PHONE, locale="es-US")
def test_the_whole_intake_in_spanish_on_a_phone(browser_page):
    page = browser_page
    journey = Journey(page, "es")
    page.goto(page.base_url + "/")
    journey.check("landing")
    banner_and_header_fit(page)
    page.get_by_role("link", name="Empiece su formulario").click()
    journey.check("start")
    page.get_by_role("button", name="Comenzar").click()

    save = page.get_by_role("button", name="Guardar y continuar")
    # An error state first: sent empty, the summary takes the focus, in Spanish.
    save.click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert "Algunas respuestas necesitan revisión" in page.content()
    journey.check("about-errors")
    # A field the summary links to is not hidden under the sticky banner.
    page.locator("#error-summary a").nth(1).click()
    focused = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert focused >= page.locator(".crisis-banner").bounding_box()["height"]
    page.get_by_label("Yo mismo/a", exact=True).check()
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    # Switching language keeps what was typed, and the step.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_label("First name", exact=True).input_value() == "Lucía"
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.get_by_label("Nombre", exact=True).input_value() == "Lucía"
    page.get_by_label("Apellido(s)").fill("Ejemplo")
    page.get_by_label("Fecha de nacimiento").fill("1988-02-11")
    page.get_by_label("Femenino").check()
    page.get_by_label("Número de teléfono").fill("555-555-0177")
    page.get_by_label("Llamada telefónica").check()
    page.locator("#id_voicemail_ok_1").check()
    journey.check("about")
    save.click()

    page.get_by_label("Opioides", exact=False).first.check()
    journey.check("substances")
    save.click()
    page.locator("#id_opioids-frequency_0").check()
    page.locator("#id_opioids-route_3").check()
    page.locator("#id_opioids-last_use_0").check()
    page.locator("#id_opioids-prescribed_0").check()
    journey.check("substance-details")
    save.click()
    for number in range(1, 11):
        page.locator(f"#id_dast_{number}_0").check()
    journey.check("together")
    save.click()

    page.get_by_label("Respiración lenta, débil o superficial").check()
    page.locator("#id_withdrawal_seizures_1").check()
    page.locator("#id_withdrawal_delirium_1").check()
    journey.check("symptoms")
    save.click()

    # The emergency page, in Spanish, with naloxone advice and working tel: links.
    assert path(page) == "/intake/help-now/"
    assert page.get_by_role("heading", level=1).inner_text() == "Llame al 911 ahora"
    call = page.get_by_role("link", name="Llame al 911", exact=True)
    assert call.get_attribute("href") == "tel:911"
    box = call.bounding_box()
    assert page.evaluate(f"document.elementFromPoint({box['x'] + 5}, {box['y'] + 5}).closest"
                         "('a').getAttribute('href')") == "tel:911"  # fmt: skip
    assert "naloxona (Narcan)" in page.content()
    assert page.locator("a[href='sms:988?body=AYUDA']").count() >= 1
    journey.check("emergency")
    page.get_by_role("link", name="Continuar mi formulario").click()

    page.locator("#id_pregnant_1").check()
    page.locator("#id_phq_1_0").check()
    page.locator("#id_phq_2_0").check()
    for key in ("q1", "q2", "q6"):
        page.locator(f"#id_{key}_1").check()
    journey.check("health")
    save.click()
    page.get_by_label("Tengo un lugar estable donde vivir").check()
    for key in ("others_using_at_home", "unsafe_home"):
        page.locator(f"#id_{key}_1").check()
    page.locator("#id_has_support_0").check()
    page.get_by_label("No he recibido tratamiento antes").check()
    page.get_by_label("Estoy listo/a para empezar el tratamiento").check()
    page.get_by_label("No tengo preferencia, me gustaría recibir consejo").check()
    journey.check("life")
    save.click()
    journey.check("insurance")
    save.click()

    assert "Paso 8 de 8" in page.content()
    banner_and_header_fit(page)
    page.get_by_role("button", name="Enviar mi formulario").click()  # an error state
    expect(page.locator("#error-summary")).to_be_focused()
    journey.check("review-errors")
    page.get_by_label("Acepto que", exact=False).check()
    page.get_by_label("He leído el aviso de privacidad.").check()
    page.get_by_label("Escriba su nombre completo para firmar").fill("Lucía Ejemplo")
    page.get_by_role("button", name="Enviar mi formulario").click()
    assert path(page) == "/intake/done/"
    journey.check("done")
    intake = Intake.objects.get()
    assert intake.language == "es" and intake.reference in page.content()

    for name, url in (("privacy", "/privacy/"), ("not-found", "/no-such-page/"),
                      ("link-invalid", "/intake/resume/not-a-token/")):  # fmt: skip
        page.goto(page.base_url + url)
        journey.check(name)
    assert journey.problems == {}
    assert journey.foreign_requests() == []


# --- the whole intake by keyboard alone ---------------------------------------------------------

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels[0] ? getComputedStyle(el.labels[0]) : null;
  // An outline, drawn at once (Bootstrap's glow fades in, and is transparent at first).
  const drawn = s => s && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return drawn(style) || drawn(label);
}"""
ACTIVE = """() => {
  const el = document.activeElement;
  return {tag: el.tagName, type: el.type || '', name: el.name || '', value: el.value || '',
          checked: !!el.checked, text: (el.innerText || el.value || '').trim(), id: el.id};
}"""


def keyboard_page(page, plan: dict, submit: str, journey: Journey, name: str) -> None:
    """Tab through the page; answer what ``plan`` says (radio/checkbox values, typed text),
    then press Enter on the ``submit`` button. Every stop must show its focus."""
    journey.check(name)
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()
    for _ in range(250):
        page.keyboard.press("Tab")
        el = page.evaluate(ACTIVE)
        assert page.evaluate(FOCUS_VISIBLE), (name, el)
        want = plan.get(el["name"])
        if el["type"] == "radio" and want is not None:
            for _step in range(8):
                if page.evaluate(ACTIVE)["value"] == want:
                    break
                page.keyboard.press("ArrowDown")
            if not page.evaluate(ACTIVE)["checked"]:
                page.keyboard.press("Space")
        elif el["type"] == "checkbox" and want is not None:
            if (el["value"] in want) != el["checked"]:
                page.keyboard.press("Space")
        elif el["tag"] in ("INPUT",) and el["type"] in ("text", "tel", "email") and want:
            if el["value"] != want:
                page.keyboard.type(want)
        elif el["type"] == "date" and want:
            page.keyboard.type(want)
        elif el["tag"] in ("BUTTON", "A") and el["text"] == submit:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"{name}: never reached {submit!r}")


@pytest.mark.browser_context_args(viewport={"width": 1280, "height": 800})
def test_the_whole_intake_by_keyboard_alone(browser_page):
    page = browser_page
    journey = Journey(page, "en")
    page.goto(page.base_url + "/intake/start/")
    keyboard_page(page, {}, "Begin", journey, "start")
    # An error state, by keyboard: Enter on an empty page.
    keyboard_page(page, {}, "Save and continue", journey, "about-empty")
    expect(page.locator("#error-summary")).to_be_focused()
    journey.check("about-errors")
    keyboard_page(page, {
        "respondent": "self", "first_name": "Kim", "last_name": "Keys",
        "date_of_birth": "03141985", "sex": "female", "phone": "555-555-0111",
        "preferred_contact": "phone", "voicemail_ok": "no",
    }, "Save and continue", journey, "about")  # fmt: skip
    assert path(page) == "/intake/step/substances/"
    keyboard_page(page, {"substances": ["alcohol"]}, "Save and continue", journey, "substances")
    keyboard_page(page, {"alcohol-frequency": "daily", "alcohol-amount": "9",
                         "alcohol-last_use": "today"}, "Save and continue", journey,
                  "substance-details")  # fmt: skip
    plan = {f"dast_{n}": "no" for n in range(1, 11)} | {"audit_c_1": "4", "audit_c_2": "3",
                                                         "audit_c_3": "4"}  # fmt: skip
    keyboard_page(page, plan, "Save and continue", journey, "together")
    keyboard_page(page, {"danger_signs": ["chest_pain"], "body_signs": ["tremors"],
                         "withdrawal_seizures": "no", "withdrawal_delirium": "no"},
                  "Save and continue", journey, "symptoms")  # fmt: skip
    assert path(page) == "/intake/help-now/"
    assert page.get_by_role("link", name="Call 911", exact=True).get_attribute("href") == (
        "tel:911"
    )
    assert "naloxone" in page.content()
    keyboard_page(page, {}, "Continue my intake", journey, "emergency")
    keyboard_page(page, {"pregnant": "no", "phq_1": "0", "phq_2": "0", "q1": "no", "q2": "no",
                         "q6": "no"}, "Save and continue", journey, "health")  # fmt: skip
    keyboard_page(page, {"housing": "stable", "others_using_at_home": "no", "unsafe_home": "no",
                         "has_support": "yes", "relapse": "no_treatment", "readiness": "ready",
                         "preference": "none"}, "Save and continue", journey, "life")  # fmt: skip
    keyboard_page(page, {}, "Save and continue", journey, "insurance")
    keyboard_page(page, {"contact_ok": ["on"], "privacy_acknowledged": ["on"],
                         "signature": "Kim Keys"}, "Send my intake", journey, "review")  # fmt: skip
    assert path(page) == "/intake/done/"
    journey.check("done")
    assert "Please do not stop suddenly on your own." in page.content()
    assert Intake.objects.get().language == "en"
    assert journey.problems == {}
    assert journey.foreign_requests() == []


# --- the resume link in a fresh browser --------------------------------------------------------


@pytest.mark.browser_context_args(viewport=PHONE)
def test_the_resume_link_opens_in_a_fresh_browser(browser_page, browser):
    page = browser_page
    page.goto(page.base_url + "/intake/start/")
    page.get_by_role("button", name="Begin").click()
    page.get_by_label("Myself", exact=True).check()
    page.get_by_label("First name", exact=True).fill("Robin")
    page.get_by_label("Last name").fill("Later")
    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_label("Prefer not to say").check()
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Need a break? Save and finish later").click()
    link = page.locator("#resume-link").input_value()
    assert link.startswith(page.base_url)

    fresh = browser.new_context(viewport=PHONE)
    try:
        other = fresh.new_page()
        requests = []
        other.on("request", lambda request: requests.append(request.url))
        other.goto(link)
        assert path(other) == "/intake/step/substances/"
        assert "Robin" not in other.url and "Later" not in other.url
        other.get_by_role("link", name="Back").click()
        assert other.get_by_label("First name", exact=True).input_value() == "Robin"
        assert all(url.startswith(page.base_url) for url in requests), requests
    finally:
        fresh.close()
