"""`make screenshots`: phone and desktop screenshots of the main patient pages, in English and
Spanish, into docs/screenshots/ (shown in the README). Skipped in `make test`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for

TARGET = os.environ.get("SCREENSHOTS_DIR", "")
pytestmark = pytest.mark.skipif(not TARGET, reason="run by `make screenshots`")

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
EMERGENCY = answers_for(
    substances={"substances": ["opioids"]},
    substance_details={"opioids-frequency": "daily", "opioids-route": "injected",
                       "opioids-last_use": "today", "opioids-prescribed": "no"},
    symptoms={"danger_signs": ["weak_shallow_breathing"], "withdrawal_seizures": "no",
              "withdrawal_delirium": "no"},
)  # fmt: skip
STOPPING = answers_for(
    substances={"substances": ["alcohol"]},
    substance_details={"alcohol-frequency": "daily", "alcohol-amount": "8",
                       "alcohol-last_use": "today"},
    together={**DEFAULT_POSTS["together"], "audit_c_1": "4", "audit_c_2": "3", "audit_c_3": "3"},
)  # fmt: skip

# (name, path, answers, walk until, whole page?)
PAGES = [
    ("landing", "/", None, None, True),
    ("start", "/intake/start/", None, None, True),
    ("about-errors", "/intake/step/about/", answers_for(), "about", True),
    ("symptoms", "/intake/step/symptoms/", answers_for(), "symptoms", True),
    ("emergency", "/intake/help-now/", EMERGENCY, "health", True),
    ("review", "/intake/step/review/", answers_for(), "review", False),
    ("done", "/intake/done/", STOPPING, None, True),
]


def session_for(answers, until) -> str:
    client = Client()
    walk = Walk(client, answers)
    walk.run(until=until) if until else walk.run()
    return client.cookies["sessionid"].value


@pytest.mark.parametrize("language", ["en", "es"])
def test_screenshots(browser_page, browser, language):
    out = Path(TARGET)
    out.mkdir(parents=True, exist_ok=True)
    base = browser_page.base_url
    host = base.split("//", 1)[1].split(":")[0]
    for name, path, answers, until, whole in PAGES:
        session = session_for(answers, until) if answers is not None else None
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale=language)
            cookies = [{"name": "django_language", "value": language, "domain": host,
                        "path": "/"}]  # fmt: skip
            if session:
                cookies.append({"name": "sessionid", "value": session, "domain": host,
                                "path": "/"})  # fmt: skip
            context.add_cookies(cookies)
            page = context.new_page()
            page.goto(base + path)
            if name == "about-errors":
                page.locator("form[data-step-form] button[type=submit]").click()
                expect(page.locator("#error-summary")).to_be_focused()
                page.evaluate("window.scrollTo(0, 0)")
            assert page.evaluate("document.documentElement.lang") == language
            page.screenshot(path=out / f"{name}-{size}-{language}.png", full_page=whole)
            context.close()
