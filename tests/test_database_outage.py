"""A database outage loses nothing a person typed (issue 8, item 7).

The database is genuinely unreachable: each case runs the app in a fresh interpreter whose
DATABASE_URL points at a closed port on the loopback address (PostgreSQL) or at a file in a
folder that does not exist (SQLite). Nothing in the database layer is mocked. A step posted
then used to give a 500 page and lose the page's answers; now it answers 503 with
Retry-After, the answers back in the form (escaped), and the crisis numbers.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.production import ROOT, UNSET

UNREACHABLE = {
    "postgresql": "postgres://postgres@127.0.0.1:9/intake",
    "sqlite": "sqlite:////nonexistent-folder-for-outage-test/db.sqlite3",
}

SCRIPT = r"""
import json, sys
from django.test import Client
requests = json.loads(sys.argv[1])
out = []
for method, path, data, cookie in requests:
    client = Client(raise_request_exception=False)
    if cookie:
        client.cookies["sessionid"] = "k" * 32
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data)
    out.append({"status": response.status_code, "retry": response.get("Retry-After"),
                "cache": response.get("Cache-Control", ""),
                "html": response.content.decode()})
print("RESULT" + json.dumps(out))
"""


def run_down(database: str, *requests) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        DEBUG="false",
        TESTING="true",  # the test settings (no HTTPS redirect), but DEBUG off: real error pages
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=UNREACHABLE[database],
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    code = "import django; django.setup()\n" + SCRIPT
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(requests))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line, result.stdout[-2000:] + result.stderr[-3000:]
    return json.loads(line[len("RESULT") :])


ABOUT = {
    "respondent": "self",
    "first_name": "<script>alert('x')</script>",
    "last_name": "Rivers & Sons",
    "date_of_birth": "1990-05-01",
    "sex": "female",
    "phone": "555-555-0100",
    "email": "dana@example.org",
    "preferred_contact": "phone",
    "voicemail_ok": "yes",
    "state": "MA",
    "postal_code": "02139",
}
CRISIS = ('href="tel:911"', 'href="tel:988"', "1-800-222-1222")


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request):
    return request.param


def test_a_step_posted_during_an_outage_comes_back_with_its_answers(database):
    (page,) = run_down(database, ["POST", "/intake/step/about/", ABOUT, True])
    assert page["status"] == 503
    assert page["retry"] and int(page["retry"]) > 0
    assert "no-store" in page["cache"]
    html = page["html"]
    # What the person typed is back in the form, escaped, ready to send again.
    assert 'value="&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"' in html
    assert "<script>alert" not in html
    assert 'value="Rivers &amp; Sons"' in html
    assert 'value="555-555-0100"' in html and 'value="dana@example.org"' in html
    assert 'value="female" class="form-check-input" id="id_sex_1" checked' in html or (
        'value="female"' in html and "checked" in html
    )
    assert '<form method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "could not save this page" in html
    for number in CRISIS:
        assert number in html


def test_a_step_whose_questions_depend_on_earlier_answers_keeps_them_too(database):
    posted = {
        "alcohol-frequency": "daily",
        "alcohol-amount": "12",
        "alcohol-last_use": "today",
        "opioids-frequency": "weekly",
        "opioids-amount": "3",
        "opioids-unit": "pills",
        "opioids-route": "oral",
        "opioids-last_use": "4_7_days",
        "opioids-prescribed": "more",
    }
    (page,) = run_down(database, ["POST", "/intake/step/substance-details/", posted, True])
    assert page["status"] == 503
    html = page["html"]
    assert 'name="alcohol-amount" value="12"' in html or 'value="12"' in html
    assert 'value="3"' in html
    for name in ("alcohol-frequency", "opioids-prescribed", "opioids-route"):
        assert f'name="{name}"' in html


def test_other_patient_pages_say_so_kindly_with_the_crisis_numbers(database):
    pages = run_down(
        database,
        ["GET", "/intake/step/about/", {}, True],
        ["POST", "/intake/start/", {}, True],
        ["POST", "/intake/step/review/", {"signature": "Dana"}, True],
    )
    for page in pages:
        assert page["status"] == 503
        assert page["retry"]
        assert "briefly unavailable" in page["html"]
        for number in CRISIS:
            assert number in page["html"]


def test_the_landing_page_needs_no_database(database):
    (page,) = run_down(database, ["GET", "/", {}, False])
    assert page["status"] == 200


def test_the_staff_side_shows_a_clear_503(database):
    queue, login = run_down(
        database,
        ["GET", "/staff/", {}, True],
        ["POST", "/staff/login/", {"username": "alice", "password": "x" * 12}, False],
    )
    for page in (queue, login):
        assert page["status"] == 503
        assert page["retry"]
        assert "The records are unavailable" in page["html"]
        assert "Signed in as" not in page["html"]
