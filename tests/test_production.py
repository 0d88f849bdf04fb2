"""The production build serves: collectstatic with DEBUG off passes on the assets `make assets`
builds, and gunicorn with the manifest storage answers the landing page, a wizard step and the
static files (issue 8, item 1: a missing source map stopped collectstatic, and without the
manifest every page answered 500)."""

import json
import re
from pathlib import Path

import pytest

from .production import Gunicorn, manage, production_env, scratch_database

HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js|svg)")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """collectstatic and migrate as a deployment runs them; yields (env, collect output)."""
    from django.db import connection

    tmp = tmp_path_factory.mktemp("production")
    database_url, drop = scratch_database(tmp, connection.settings_dict)
    env = production_env(tmp / "static", database_url)
    try:
        collected = manage(env, "collectstatic", "--noinput")
        migrated = manage(env, "migrate", "--noinput") if collected.returncode == 0 else None
        yield env, collected, migrated
    finally:
        drop()


@pytest.fixture(scope="module")
def server(build):
    env, collected, migrated = build
    assert collected.returncode == 0, collected.stderr[-3000:]
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    gunicorn = Gunicorn(env)
    yield gunicorn
    gunicorn.stop()


def test_collectstatic_passes_in_production_mode(build):
    env, collected, _ = build
    assert collected.returncode == 0, collected.stderr[-3000:]
    assert "MissingFileError" not in collected.stderr
    manifest = json.loads((_static_root(env) / "staticfiles.json").read_text())["paths"]
    # Our own files and the vendored ones (with the source maps they name) are all hashed.
    for name in (
        "css/intake.css",
        "favicon.svg",
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.min.css.map",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/chartjs/chart.umd.min.js.map",
    ):
        assert name in manifest, name


def test_every_source_map_a_static_file_names_exists():
    """The root cause of item 1: a file naming a map that `make assets` did not copy."""
    from django.conf import settings

    missing = []
    for folder in settings.STATICFILES_DIRS:
        for path in folder.rglob("*"):
            if path.suffix not in {".js", ".css"}:
                continue
            tail = path.read_bytes()[-300:].decode("utf-8", "replace")
            for name in re.findall(r"sourceMappingURL=([^\s*]+)", tail):
                if not (path.parent / name).exists():
                    missing.append(f"{path.relative_to(folder)} -> {name}")
    assert missing == []


def test_check_deploy_is_clean_with_the_production_environment(build):
    env, _, _ = build
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_serves_the_landing_page_with_hashed_static_files(server):
    browser = server.browser()
    page = browser.get("/")
    assert page.status == 200, server.output()[-3000:]
    assert "tel:988" in page.text
    assets = set(HASHED.findall(page.text))
    assert any(a.endswith(".css") for a in assets), page.text[:2000]
    for asset in assets:
        response = browser.get(asset)
        assert response.status == 200, asset
        assert "immutable" in response.headers["Cache-Control"]


def test_gunicorn_serves_a_wizard_step(server):
    browser = server.browser()
    start = browser.get("/intake/start/")
    assert start.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text).group(1)
    begun = browser.post("/intake/start/", {"csrfmiddlewaretoken": token})
    assert begun.status == 302, begun.text[:2000]
    step_url = begun.headers["Location"]
    assert step_url.startswith("/intake/step/")
    step = browser.get(step_url)
    assert step.status == 200, server.output()[-3000:]
    assert "<form" in step.text and "tel:988" in step.text
    assert HASHED.search(step.text)


def test_gunicorn_serves_the_vendored_chart_and_its_source_map(server):
    browser = server.browser()
    manifest = json.loads((_static_root(server.env) / "staticfiles.json").read_text())
    chart = manifest["paths"]["vendor/chartjs/chart.umd.min.js"]
    response = browser.get(f"/static/{chart}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    # The hashed file names its hashed map, and that map is served.
    mapped = re.search(rb"sourceMappingURL=(\S+)", response.body[-200:]).group(1).decode()
    assert re.fullmatch(r"chart\.umd\.min\.js\.[0-9a-f]{12}\.map", mapped)
    assert browser.get(f"/static/vendor/chartjs/{mapped}").status == 200


def test_an_unknown_page_is_a_kind_404_not_a_500(server):
    response = server.browser().get("/no-such-page/")
    assert response.status == 404
    assert "tel:988" in response.text


def _static_root(env):
    return Path(env["STATIC_ROOT"])
