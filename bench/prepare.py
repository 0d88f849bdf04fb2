"""Make one app database ready for `make bench` and print what the load generator needs (JSON).

Run by bench/run.py in a process of its own, with DATABASE_URL naming the bench's database:

    python bench/prepare.py --intakes 100000 --drafts 400

1. Migrations, then N intakes (bench/populate.py) unless the database already holds them: a
   populated database is kept between runs while its fingerprint (N, populate.py and the demo
   vignettes it copies) and its row count match (new migrations are applied to it, then
   VACUUM ANALYZE); otherwise it prints ``{"stale": true}`` and the runner drops and recreates
   it.
2. Sessions, made in the database the way the app makes them: a signed-in clinician; a patient
   whose draft has every step answered (each step's GET); a few half-way drafts (a step's POST);
   and ``--drafts`` fresh finished drafts, one per final submit.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

# What a person types on each page (an ordinary outpatient intake), as tests/test_wizard_walk.py.
DAST_NO = {f"dast_{n}": "no" for n in range(1, 11)} | {"dast_3": "yes"}
POSTS: dict[str, dict] = {
    "about": {
        "respondent": "self", "first_name": "Dana", "last_name": "Rivers",
        "date_of_birth": "1990-05-01", "sex": "female", "phone": "555-555-0100",
        "email": "dana@example.org", "preferred_contact": "phone", "voicemail_ok": "yes",
        "state": "MA", "postal_code": "02139",
    },
    "substances": {"substances": ["cannabis"]},
    "substance-details": {
        "cannabis-frequency": "weekly", "cannabis-amount": "1", "cannabis-unit": "grams",
        "cannabis-route": "smoked", "cannabis-duration_months": "24",
        "cannabis-last_use": "4_7_days",
    },
    "together": dict(DAST_NO),
    "symptoms": {"withdrawal_seizures": "no", "withdrawal_delirium": "no"},
    "health": {"pregnant": "no", "phq_1": "0", "phq_2": "1", "q1": "no", "q2": "no",
               "q6": "no"},
    "safety": {"q3": "no", "q4": "no", "q5": "no"},
    "life": {
        "housing": "stable", "others_using_at_home": "no", "unsafe_home": "no",
        "has_support": "yes", "duties": ["work"], "relapse": "no_treatment",
        "readiness": "ready", "preference": "outpatient",
    },
    "insurance": {"payer": "Medicaid", "member_id": "ABC-123"},
}  # fmt: skip
# The final POST (the consent), without its CSRF token.
REVIEW_POST = {
    "contact_ok": "on",
    "privacy_acknowledged": "on",
    "disclosure_ok": "on",
    "signature": "Dana Rivers",
}
# Drafts whose "About you" a step POST saves again and again (one per load-generator client,
# and more, so that no two requests queue on one draft's row lock).
STEP_POST_DRAFTS = 16


def fingerprint(intakes: int) -> str:
    """What the populated rows depend on: N, bench/populate.py and the demo vignettes it copies.

    Migrations are not part of it: a kept database is migrated like a production one (new
    indexes, new columns with their data migrations) and analysed again afterwards.
    """
    digest = hashlib.sha256(str(intakes).encode())
    for path in (ROOT / "bench" / "populate.py", ROOT / "intake" / "demo.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def applied_migrations() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        names = ",".join(f"{app}.{name}" for app, name in cursor.fetchall())
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def read_meta() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute("SELECT key, value FROM bench_meta")
        return dict(cursor.fetchall())


def write_meta(**values: str) -> None:
    with connection.cursor() as cursor:
        for key, value in values.items():
            cursor.execute(
                "INSERT INTO bench_meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, value],
            )


def ensure_populated(intakes: int) -> tuple[bool, bool]:
    """(populated now, stale): stale means the database must be dropped and made again."""
    from intake.models import Intake

    print_ = sys.stderr.write
    call_command("migrate", verbosity=0, interactive=False)
    meta = read_meta()
    wanted = fingerprint(intakes)
    count = Intake.objects.count()
    if meta.get("fingerprint") == wanted:
        # Each run's submits add intakes; a few percent more changes nothing measurable.
        if not intakes <= count <= intakes * 1.03 + 50:
            return False, True
        if meta.get("migrations") != applied_migrations():
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            write_meta(migrations=applied_migrations())
        return False, False
    if count:
        return False, True
    print_(f"populating {intakes:,} intakes (kept for the next run)...\n")
    from bench.populate import populate

    populate(intakes)
    with connection.cursor() as cursor:
        # What autovacuum does on a live database: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")
    write_meta(fingerprint=wanted, migrations=applied_migrations())
    return True, False


def csrf_token() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def walk(client: Client, posts: dict[str, dict]) -> None:
    """Answer page after page as a person would, until the review page is next."""
    from intake.public import steps

    response = client.post("/intake/start/")
    location = response["Location"]
    for _ in range(30):
        if location == "/intake/help-now/":
            location = client.get(location).context["continue_url"]
            continue
        step_id = location.rstrip("/").rsplit("/", 1)[-1]
        if step_id == steps.REVIEW:
            return
        response = client.post(location, posts[step_id])
        if response.status_code != 302:
            raise SystemExit(f"bench: the walk stopped at {step_id}: {response.status_code}")
        location = response["Location"]
    raise SystemExit("bench: the walk did not reach the review page")


def patient_session(draft_id, token: str) -> str:
    from importlib import import_module

    from django.conf import settings

    from intake.public.views import SESSION_DRAFT, SESSION_TOKEN

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_DRAFT] = str(draft_id)
    session[SESSION_TOKEN] = token
    session.create()
    return session.session_key


def signed_in_clinician() -> Client:
    """A client signed in as the bench's clinician, second factor given.

    A clinician's session counts only once the second factor is given: an enrolled device,
    verified in the session (as intake/staff/second_factor.py's code page would do)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from intake.models import User

    client = Client()
    clinician = User.objects.get(username="bench-clinician")
    client.force_login(clinician)
    device, _ = TOTPDevice.objects.get_or_create(user=clinician, name="default")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--intakes", type=int, required=True)
    parser.add_argument("--drafts", type=int, default=300)
    args = parser.parse_args()

    populated, stale = ensure_populated(args.intakes)
    if stale:
        print(json.dumps({"stale": True}))
        return

    from intake.choices import OPEN_STATUSES
    from intake.models import Draft, Intake
    from intake.public import steps
    from intake.services.drafts import draft_create

    staff = signed_in_clinician()

    # A finished draft through the real forms: every step's GET opens on its copy. Answers that
    # call for the C-SSRS follow-ups (q2 "yes"), so that the safety page is there too.
    walker = Client()
    walk(walker, {**POSTS, "health": {**POSTS["health"], "q1": "yes", "q2": "yes"}})
    full = Draft.objects.get(pk=walker.session["intake_draft"])
    every_step = [step.id for step in steps.applicable(full.answers)]
    # An ordinary finished draft: the template for the submit's fresh drafts.
    walker = Client()
    walk(walker, POSTS)
    plain = Draft.objects.get(pk=walker.session["intake_draft"])

    def clone(draft, count: int, ids: list[str] | None = None) -> list[str]:
        sessions = []
        for _ in range(count):
            copy, token = draft_create(answers=draft.answers, completed_steps=draft.completed_steps)
            sessions.append(patient_session(copy.pk, token))
            if ids is not None:
                ids.append(str(copy.pk))
        return sessions

    submit_drafts: list[str] = []

    open_count = Intake.objects.filter(status__in=OPEN_STATUSES).count()
    newest = Intake.objects.order_by("-submitted_at").values_list("reference", flat=True)[0]
    print(
        json.dumps(
            {
                "stale": False,
                "populated": populated,
                "intakes": Intake.objects.count(),
                "open": open_count,
                "staff_session": staff.cookies["sessionid"].value,
                "csrf": csrf_token(),
                "steps": every_step,
                "step_session": clone(full, 1)[0],
                "post_sessions": clone(plain, STEP_POST_DRAFTS),
                "submit_sessions": clone(plain, args.drafts, submit_drafts),
                "submit_drafts": submit_drafts,  # the draft of each submit session, in order
                "about_post": POSTS["about"],
                "review_post": REVIEW_POST,
                "reference": newest,
                "last_name": "Garcia",
            }
        )
    )


if __name__ == "__main__":
    main()
