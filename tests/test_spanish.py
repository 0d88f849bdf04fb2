"""Spanish: the catalog is complete, the whole intake reads in Spanish, the switch keeps answers
and the step, the language reaches staff, and staff pages stay English."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from intake.documents import intake_to_document
from intake.models import Intake
from tests.test_wizard_walk import DEFAULT_POSTS, HELP_NOW, Walk, answers_for, draft_of

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
SETLANG = reverse("set_language")


def po_entries(path: Path = PO) -> dict[str, str]:
    """msgid → msgstr of a .po file (the header left out)."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        current, parts = None, {"msgid": [], "msgstr": []}
        for line in lines:
            key, _, rest = line.partition(" ")
            if key in parts:
                current, line = key, rest
            if current and line.startswith('"'):
                parts[current].append(line[1:-1].encode().decode("unicode_escape"))
        msgid = "".join(parts["msgid"])
        if msgid:
            # unicode_escape reads the UTF-8 bytes as Latin-1: put them back.
            fix = lambda s: s.encode("latin-1").decode("utf-8")  # noqa: E731
            entries[fix(msgid)] = fix("".join(parts["msgstr"]))
    return entries


def visible_text(page: str) -> str:
    """The words a person reads: tags, scripts and the state names (kept in English) removed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<option value="[A-Z]{2}"[^>]*>[^<]*</option>', " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(page))


# English words that Spanish text never contains: a sign of an unmarked English string.
ENGLISH_WORDS = {"the", "your", "you", "please", "with", "what", "this", "we", "have", "are",
                 "and", "of", "to", "is", "it", "for", "our", "can", "will"}  # fmt: skip
# Names, not language: the centre's name, the switch's own labels, what the person typed.
ALLOWED = ("Riverbend Recovery Center", "Language / Idioma", "English")


REFERENCE_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def english_left(page: str, catalog: dict[str, str]) -> list[str]:
    text = visible_text(page)
    found = []
    for msgid, msgstr in catalog.items():
        if msgstr == msgid or len(msgid.split()) < 2:
            continue  # the same in both languages, or too short to tell
        # The longest fixed part of the message (placeholders are filled in on the page).
        fragment = max(re.split(r"%\(\w+\)[sd]", html_lib.unescape(msgid)), key=len).strip()
        if len(fragment) >= 8 and fragment in text:
            found.append(msgid)
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    # A reference code is random letters and digits: "K7WE-Q9XD" is no English "we".
    text = REFERENCE_CODE.sub(" ", text)
    words = set(re.findall(r"[A-Za-z]+", text.lower()))
    found += sorted(f"English word: {word}" for word in words & ENGLISH_WORDS)
    return found


class Recorder:
    """Wraps the test client: keeps every HTML page it was given, by URL."""

    def __init__(self, client):
        self.client, self.pages = client, []
        self._get, self._post = client.get, client.post
        client.get, client.post = self.get, self.post

    def _keep(self, method, path, response):
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            self.pages.append((f"{method} {path} {response.status_code}",
                               response.content.decode()))  # fmt: skip
        return response

    def get(self, path, *args, **kwargs):
        return self._keep("GET", path, self._get(path, *args, **kwargs))

    def post(self, path, *args, **kwargs):
        return self._keep("POST", path, self._post(path, *args, **kwargs))


# --- the catalog ---------------------------------------------------------------------------


def test_catalog_messages_module_is_current():
    call_command("patient_messages", check=True)


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="GNU gettext is not installed")
def test_every_patient_facing_message_has_a_spanish_translation(tmp_path):
    """makemessages over a copy of the code: a new or changed patient-facing string comes out
    untranslated or fuzzy, and fails here until the .po translates it."""
    copy = tmp_path / "repo"
    for name in ("intake", "templates", "config", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "patient_messages"],
        cwd=copy, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    fresh = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    for option, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
        out = subprocess.run(["msgattrib", option, "--no-obsolete", str(fresh)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert not re.findall(r'^msgid "(.+)"', out, re.M), f"{what} in Spanish: {out}"
    assert set(po_entries(fresh)) == set(po_entries()), "locale/es is stale: run `make messages`"


def test_the_catalog_is_complete_and_not_fuzzy():
    catalog = po_entries()
    assert len(catalog) > 400
    assert all(catalog.values()), [k for k, v in catalog.items() if not v]
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_placeholders_survive_translation():
    for msgid, msgstr in po_entries().items():
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", msgstr)
        ), msgid


# --- the whole intake in Spanish --------------------------------------------------------------

EVERYTHING = answers_for(
    about={**DEFAULT_POSTS["about"], "date_of_birth": "2010-01-15"},  # a minor: the note too
    substances={"substances": ["alcohol", "opioids", "cannabis"]},
    substance_details={
        "alcohol-frequency": "daily", "alcohol-amount": "8", "alcohol-last_use": "today",
        "opioids-frequency": "daily", "opioids-amount": "4", "opioids-unit": "pills",
        "opioids-route": "oral", "opioids-last_use": "today", "opioids-prescribed": "more",
        "cannabis-frequency": "weekly", "cannabis-route": "smoked",
        "cannabis-last_use": "4_7_days",
    },
    together={**{f"dast_{n}": "yes" for n in range(1, 11)}, "used_together": ["alcohol"],
              "audit_c_1": "4", "audit_c_2": "3", "audit_c_3": "4"},
    symptoms={"danger_signs": ["weak_shallow_breathing"], "body_signs": ["tremors"],
              "withdrawal_seizures": "no", "withdrawal_delirium": "no"},
    health={"conditions": ["liver_disease"], "pregnant": "no", "phq_1": "3", "phq_2": "3",
            "q1": "yes", "q2": "yes", "q6": "yes"},
    safety={"q3": "yes", "q4": "no", "q5": "no", "q6_past_3_months": "no"},
)  # fmt: skip


def test_the_whole_intake_reads_in_spanish(db, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es-US,es;q=0.9"
    recorder = Recorder(client)
    client.get("/")
    client.get(reverse("privacy"))
    client.get(reverse("intake:start"))
    walk = Walk(client, EVERYTHING)
    walk.run(until="review")
    assert walk.emergency_after, "the emergency page came"
    # Every step's page with its error messages, and the finish-later page.
    for step_id in walk.visited:
        client.post(reverse("intake:step", args=[step_id]), {"first_name": "x" * 300})
    client.post(reverse("intake:step", args=["review"]), {})
    client.get(reverse("intake:save"))
    client.get(HELP_NOW)
    client.get(reverse("intake:step", args=["review"]))
    response = walk.post_step("review")
    assert response.status_code == 302
    client.get(response["Location"])
    client.get("/no-such-page/")
    client.get(reverse("intake:resume", args=["not-a-real-token"]))

    catalog = po_entries()
    assert len(recorder.pages) >= 25
    for name, page in recorder.pages:
        assert '<html lang="es">' in page, name
        assert english_left(page, catalog) == [], name
    text = " ".join(visible_text(page) for _name, page in recorder.pages)
    for spanish in ("Paso 1 de 8", "Llame al 911 ahora", "naloxona", "posición de recuperación",
                    "Menor de 18 años", "no deje de consumir de golpe", "Gracias. Recibimos",
                    "marque 2", "AYUDA", "Centro de Toxicología", "Sí"):  # fmt: skip
        assert spanish in text, spanish
    intake = Intake.objects.get()
    assert intake.language == "es"
    assert intake_to_document(intake)["contact"]["language"] == "es"


def test_the_english_walk_stores_english(db, client):
    Walk(client).run()
    assert Intake.objects.get().language == "en"


def test_the_checker_finds_english(db, client):
    """The walk's check would notice an English message or an unmarked English sentence."""
    catalog = po_entries()
    assert english_left("<p>Save and continue</p>", catalog) == [
        "Save and continue",
        "English word: and",
    ]
    assert english_left("<p>Tenemos your datos</p>", catalog) == ["English word: your"]
    assert english_left("<p>Guardar y continuar</p>", catalog) == []


# --- the switch ------------------------------------------------------------------------------


PUBLIC_PAGES = ["/", "/privacy/", "/intake/start/", "/no-such-page/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_the_switch(db, client, path):
    page = client.get(path).content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'name="language" value="es" lang="es">Español</button>' in page
    spanish = client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'name="language" value="en" lang="en">English</button>' in spanish


def test_the_switch_keeps_the_step_and_the_saved_answers(db, client):
    walk = Walk(client).run(until="together")
    step = reverse("intake:step", args=["together"])
    page = client.get(step)
    assert "Save and continue" in page.content.decode()
    response = client.post(SETLANG, {"language": "es", "next": step})
    assert response.status_code == 302 and response["Location"] == step
    assert client.cookies["django_language"].value == "es"
    assert not client.cookies["django_language"]["max-age"], "lasts for the visit only"
    page = client.get(step).content.decode()
    assert "Guardar y continuar" in page and '<html lang="es">' in page
    assert draft_of(client).completed_steps == walk.visited
    # Back on an earlier step, the saved answers are there, in Spanish.
    about = client.get(reverse("intake:step", args=["about"])).content.decode()
    assert 'value="Dana"' in about and "Nombre" in about


def test_the_switch_on_a_step_keeps_what_was_typed_unsaved(db, client):
    Walk(client).run(until="about")
    about = reverse("intake:step", args=["about"])
    typed = {"first_name": "Lucía", "last_name": "", "respondent": "self", "language": "es"}
    response = client.post(about, typed)
    assert response.status_code == 302 and response["Location"] == about
    page = client.get(about).content.decode()
    assert 'value="Lucía"' in page
    assert re.search(r'value="self"[^>]*checked', page)
    assert "error-summary" not in page, "typed answers are not checked before they are sent"
    assert "Guardar y continuar" in page
    assert "about" not in draft_of(client).answers
    # Once only: a later visit shows the saved (empty) form.
    assert 'value="Lucía"' not in client.get(about).content.decode()


def test_the_switch_refuses_an_unknown_language(db, client):
    Walk(client).run(until="about")
    about = reverse("intake:step", args=["about"])
    response = client.post(about, {"language": "xx"})
    assert response.status_code == 200  # an ordinary (incomplete) answer: errors shown
    assert "error-summary" in response.content.decode()


# --- staff stay English and see the language ----------------------------------------------------


def test_staff_pages_stay_english(db, client, coordinator):
    client.cookies["django_language"] = "es"
    login = client.get(reverse("staff:login"), HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in login.content.decode()
    assert 'action="/i18n/setlang/"' not in login.content.decode()
    client.force_login(coordinator)
    queue = client.get(reverse("staff:queue"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in queue and "Queue" in queue


def test_staff_see_the_language_in_the_queue_and_on_the_intake(db, client, coordinator):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    Walk(client).run()
    intake = Intake.objects.get()
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(coordinator)
    queue = visible_text(client.get(reverse("staff:queue")).content.decode())
    assert "Language: Spanish" in queue
    detail = visible_text(client.get(reverse("staff:intake", args=[intake.reference])).content
                          .decode())  # fmt: skip
    assert "Language: Spanish" in detail
    assert "call with a speaker of it" in detail


def test_english_intakes_carry_no_language_badge_in_the_queue(db, client, coordinator):
    Walk(client).run()
    client.force_login(coordinator)
    assert "Language:" not in client.get(reverse("staff:queue")).content.decode()


# --- crisis lines in Spanish --------------------------------------------------------------------


def test_spanish_crisis_lines(db, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    symptoms = {"danger_signs": ["chest_pain"], "withdrawal_seizures": "no",
                "withdrawal_delirium": "no"}  # fmt: skip
    Walk(client, answers_for(symptoms=symptoms)).run(until="health")
    page = client.get(HELP_NOW).content.decode()
    assert "Llame al 911 ahora" in page
    assert 'href="tel:911"' in page
    assert "llame al 988 y marque 2" in page
    assert 'href="sms:988?body=AYUDA"' in page
    assert "1-800-222-1222" in page and "intérpretes" in page
    english = client.get(HELP_NOW, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Call 911 now" in english and "marque 2" not in english
