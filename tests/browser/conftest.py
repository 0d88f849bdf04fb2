"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser).

Use the `browser_page` fixture (it brings `live_server`); tests here are marked `browser` and
skipped with a clear reason where the machine has no Chromium.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, which trips Django's guard against
# ORM calls from async code; the tests' own ORM calls are plain synchronous ones, so allow them.
# Only the browser tests set this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(
                    pytest.mark.skip(
                        reason="no Chromium at /usr/bin/chromium: run `apt-get install chromium` "
                        "(.ci/run does)"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def append_only_paused(django_db_blocker):
    """SQLite only: Django empties the tables after a live-server test with DELETE, which the
    append-only triggers refuse. Drop the triggers for the test; at its end, empty the guarded
    tables while they are unguarded and put the triggers back (the flush runs after this
    teardown, and a DELETE of no rows fires no trigger)."""
    from django.db import connection, transaction

    from intake.db_triggers import APPEND_ONLY_TABLES, create_statements, drop_statements

    def run(statements):
        with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    if connection.vendor != "sqlite":
        yield
        return
    run(drop_statements("sqlite"))
    yield
    empty = [f"DELETE FROM {table}" for table in APPEND_ONLY_TABLES]  # noqa: S608
    run(["UPDATE intake_intake SET current_decision_id = NULL", *empty])
    run(create_statements("sqlite"))


@pytest.fixture
def browser_page(append_only_paused, live_server, page):
    """A Playwright page and the live server's URL; screenshots go to ./screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    page.shoot = lambda name: page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.axe_violations = lambda: axe_violations(page)
    return page


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core findings on the current page, one line each.

    axe is loaded by URL from the app's own static files: the CSP refuses inline scripts,
    and the check should run under the same policy a patient's browser gets.
    """
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
