"""The patient-journey findings of issue 12, each reproduced and fixed (the crisis banner's
size and the header at 360 px are checked in the browser: tests/browser/test_journeys.py)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from intake import catalog, validators
from intake.models import Intake
from intake.public.forms.symptoms import GROUP_CHOICES, GROUPS
from intake.templatetags.phone import tel
from intake.views import server_error
from tests.test_public_validation import post_page
from tests.test_spanish import visible_text
from tests.test_wizard_walk import DEFAULT_POSTS, HELP_NOW, Walk, answers_for, draft_of

ROOT = Path(__file__).resolve().parent.parent
NO_HISTORY = {"withdrawal_seizures": "no", "withdrawal_delirium": "no"}


def step(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


# 2. The symptoms page ---------------------------------------------------------------------------


def test_symptoms_keep_every_catalog_code_once_with_danger_signs_first():
    shown = [code for group in GROUPS for code, _label in GROUP_CHOICES[group]]
    assert sorted(shown) == sorted(catalog.SYMPTOM_CODES) and len(shown) == len(set(shown))
    assert GROUPS[0] == "danger_signs"
    danger = {code for code, _label in GROUP_CHOICES["danger_signs"]}
    assert danger >= catalog.LIFE_THREATENING | catalog.E3_SIGNS


@pytest.mark.parametrize(
    "pair",
    [("confusion", "delirium"), ("heart_problems", "tachycardia"),
     ("severe_muscle_weakness", "muscle_weakness"), ("nausea", "upset_stomach"),
     ("vertigo", "dizziness")],
)  # fmt: skip
def test_look_alike_symptoms_read_differently(pair):
    labels = {code: str(label) for group in GROUPS for code, label in GROUP_CHOICES[group]}
    first, second = (set(re.findall(r"\w+", labels[code].lower())) for code in pair)
    # Each says at least two things the other does not: the difference is in the words.
    assert len(first - second) >= 2 and len(second - first) >= 2, pair


def test_the_symptoms_page_shows_danger_signs_first(db, client):
    Walk(client).run(until="symptoms")
    page = client.get(step("symptoms")).content.decode()
    legends = re.findall(r'<legend class="field-legend">([^<]+)', page)
    assert legends[0].startswith("Danger signs: call 911")
    assert page.count('type="checkbox"') == len(catalog.SYMPTOM_CODES)


# 3. Pregnancy only where it can apply; staff see what the person said ----------------------------


def test_pregnancy_is_not_asked_after_male(db, client, coordinator):
    posts = answers_for(about={**DEFAULT_POSTS["about"], "sex": "male"},
                        health={k: v for k, v in DEFAULT_POSTS["health"].items()
                                if k != "pregnant"})  # fmt: skip
    walk = Walk(client, posts).run(until="health")
    page = client.get(step("health")).content.decode()
    assert "Are you pregnant?" not in page
    walk.run()
    intake = Intake.objects.get()
    assert intake.pregnant is None
    client.force_login(coordinator)
    detail = visible_text(client.get(reverse("staff:intake", args=[intake.reference])).content
                          .decode())  # fmt: skip
    assert "Pregnant Not asked (sex given as male)" in detail


def test_female_is_asked_yes_or_no_and_other_may_say_it_does_not_apply(db, client):
    Walk(client).run(until="health")
    page = client.get(step("health")).content.decode()
    assert "Are you pregnant?" in page and "Does not apply to me" not in page
    client.cookies.clear()
    posts = answers_for(
        about={**DEFAULT_POSTS["about"], "sex": "other"},
        health={**DEFAULT_POSTS["health"], "pregnant": "does_not_apply"},
    )
    Walk(client, posts).run()
    assert Intake.objects.get().pregnant is False


def test_no_treatment_before_reaches_staff_as_said(db, client, coordinator):
    Walk(client).run()  # relapse: "I have not had treatment before"
    intake = Intake.objects.get()
    assert intake.prior_treatment == [] and intake.relapse_after_treatment is None
    client.force_login(coordinator)
    detail = visible_text(client.get(reverse("staff:intake", args=[intake.reference])).content
                          .decode())  # fmt: skip
    assert "Relapse after treatment No treatment before" in detail


def test_no_treatment_before_with_a_treatment_ticked_is_questioned(db, client):
    response = post_page(client, "life", prior_treatment=["detox"], relapse="no_treatment")
    assert response.status_code == 200
    assert str(validators.RELAPSE_CONTRADICTS_TREATMENT) in response.content.decode()


# 4. Naloxone and the recovery position on the emergency page -------------------------------------


def _emergency_page(client, substances: dict, details: dict) -> str:
    symptoms = {"danger_signs": ["weak_shallow_breathing"], **NO_HISTORY}
    posts = answers_for(substances=substances, substance_details=details, symptoms=symptoms)
    Walk(client, posts).run(until="health")
    return client.get(HELP_NOW).content.decode()


def test_opioids_bring_naloxone_and_recovery_position_after_call_911(db, client):
    page = _emergency_page(
        client,
        {"substances": ["opioids"]},
        {"opioids-frequency": "daily", "opioids-route": "injected", "opioids-last_use": "today",
         "opioids-prescribed": "no"},
    )  # fmt: skip
    assert page.index("Call 911 now") < page.index("naloxone (Narcan)")
    assert "It is safe" in page and "recovery position" in page


def test_no_naloxone_advice_without_a_depressant(db, client):
    page = _emergency_page(client, {"substances": ["cannabis"]}, DEFAULT_POSTS["substance-details"])
    assert "Call 911 now" in page and "naloxone" not in page


# 5. A safety note for regular use of a depressant, never the track ------------------------------


def test_regular_alcohol_use_brings_a_do_not_stop_suddenly_note(db, client):
    posts = answers_for(
        substances={"substances": ["alcohol"]},
        substance_details={"alcohol-frequency": "daily", "alcohol-amount": "10",
                           "alcohol-last_use": "today"},
        together={**DEFAULT_POSTS["together"], "audit_c_1": "4", "audit_c_2": "3",
                  "audit_c_3": "4"},
    )  # fmt: skip
    page = visible_text(Walk(client, posts).run().response.content.decode())
    assert "Please do not stop suddenly on your own." in page
    assert "our team will plan with you how to do it safely" in page
    assert Intake.objects.get().track == "detox"
    for word in ("detox", "Detox", "inpatient", "outpatient", "track"):
        assert word not in page


def test_weekly_cannabis_brings_no_such_note(db, client):
    page = Walk(client).run().response.content.decode()
    assert "do not stop suddenly" not in page


# 6. A plausible date of birth; a minor is told how a parent or guardian takes part -------------


def test_a_five_year_old_is_refused_kindly(db, client):
    born = datetime.date.today().replace(day=1) - datetime.timedelta(days=5 * 366)
    response = post_page(client, "about", date_of_birth=born.isoformat())
    page = response.content.decode()
    assert "This form is for people aged 12 or older" in page
    assert "about" not in draft_of(client).completed_steps


def test_a_minor_is_told_about_a_parent_or_guardian(db, client):
    today = datetime.date.today()
    born = datetime.date(today.year - 15, 1, 1)
    posts = answers_for(about={**DEFAULT_POSTS["about"], "date_of_birth": born.isoformat()})
    walk = Walk(client, posts).run(until="review")
    review = client.get(step("review")).content.decode()
    assert "a parent or guardian usually takes part" in review
    walk.run()
    assert "a parent or guardian usually takes part" in walk.response.content.decode()


def test_an_adult_sees_no_note_for_minors(db, client):
    assert "parent or guardian" not in Walk(client).run().response.content.decode()


# 7. A long name is refused with a message, not cut silently ------------------------------------


def test_a_300_character_name_is_refused_with_a_message_and_kept(db, client):
    long_name = "Maria" * 60
    response = post_page(client, "about", first_name=long_name)
    page = response.content.decode()
    assert "Please keep this to 100 characters or fewer." in page
    assert f'value="{long_name}"' in page, "what was typed is kept, to shorten"
    assert "about" not in draft_of(client).completed_steps


def test_text_inputs_carry_no_maxlength_that_would_cut_silently(db, client):
    Walk(client).run(until="about")
    page = client.get(step("about")).content.decode()
    assert "maxlength" not in page


# 9. Tap-to-call on the error pages ---------------------------------------------------------------


def test_error_pages_have_tap_to_call_links(db, client):
    call = f'href="tel:{tel(settings.CENTER_PHONE)}"'
    assert tel("1-800-555-0142") == "+18005550142"
    pages = {
        404: client.get("/no-such-page/"),
        "404 link": client.get(reverse("intake:resume", args=["x" * 43])),
        500: server_error(RequestFactory().get("/")),
    }
    for name, response in pages.items():
        body = response.content.decode().split('<main id="main"', 1)[1]
        assert call in body, name


def test_an_expired_link_page_has_a_tap_to_call_link(db, client):
    from intake.services.drafts import draft_create

    draft, token = draft_create()
    type(draft).objects.filter(pk=draft.pk).update(
        expires_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    response = client.get(reverse("intake:resume", args=[token]))
    assert response.status_code == 410
    assert f'href="tel:{tel(settings.CENTER_PHONE)}"' in response.content.decode()


# 10. HEAD wherever GET is answered --------------------------------------------------------------


def test_head_is_answered_wherever_get_is(db, client):
    Walk(client).run(until="substances")
    paths = ["/", "/privacy/", "/healthz", "/favicon.ico", reverse("intake:start"),
             step("about"), step("substances"), reverse("intake:help_now"),
             reverse("intake:save"), reverse("staff:login"), "/no-such-page/"]  # fmt: skip
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, path
        assert head.content == b"", path


# A newcomer's first ten minutes -----------------------------------------------------------------


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "AUDIT_KEY", "TESTING", "DATABASE_URL",
             "DJANGO_ALLOW_ASYNC_UNSAFE"}  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in unset} | env
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^(\.venv/bin/python manage\.py [^#\n]*?)\s*(?:#.*)?$", readme, re.M)


def test_the_readme_examples_use_the_sample_documents():
    commands = readme_commands()
    assert any("route docs/examples/intake.json" in c for c in commands)
    assert any("import_intakes docs/examples/intakes.json" in c for c in commands)


def test_the_readme_commands_work_as_pasted_without_secret_key(tmp_path):
    database = str(tmp_path / "readme.sqlite3")
    python = sys.executable
    assert _run([python, "manage.py", "migrate", "-v", "0"], SQLITE_NAME=database).returncode == 0
    for command in readme_commands():
        args = command.split()[1:]
        if args[1] == "export_intakes":
            args = [*args[:2], "-o", str(tmp_path / "out.json")]
        result = _run([python, *args], SQLITE_NAME=database,
                      AUDIT_CHECKPOINT_DIR=str(tmp_path / "audit"))  # fmt: skip
        assert result.returncode == 0, (command, result.stderr)
    exported = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert '"language": "es"' in exported


def test_production_stays_strict_without_secret_key():
    result = _run([sys.executable, "-c", "import config.wsgi"])
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    result = _run([sys.executable, "manage.py", "check"], DEBUG="false")
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    # A command against a real database (production's) is no local use either.
    result = _run(
        [sys.executable, "manage.py", "check"],
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
