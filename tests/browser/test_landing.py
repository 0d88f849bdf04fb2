"""The landing page in a real browser, at a phone's width and a desktop's."""

import pytest


@pytest.mark.parametrize(("width", "name"), [(360, "phone"), (1280, "desktop")])
def test_landing_page_reads_well_and_loads_nothing_from_elsewhere(browser_page, width, name):
    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base_url + "/")
    page.shoot(f"landing-{name}")

    assert page.get_by_role("link", name="Emergency: call 911").is_visible()
    assert page.get_by_role("link", name="Start your intake").is_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert all(url.startswith(page.base_url) for url in requests), requests
    assert errors == []
    assert page.axe_violations() == []


def test_the_skip_link_is_the_first_stop_for_a_keyboard(browser_page):
    page = browser_page
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-9999px"
