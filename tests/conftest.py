"""Shared fixtures: the staff personas (as in healthchecks' hc/test.py) and intake builders."""

import base64
import copy
import shutil
import subprocess
import uuid
from pathlib import Path

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import User
from intake.models.users import ADMINISTRATORS, CLINICIANS, COORDINATORS

PASSWORD = "correct horse battery staple"

# A complete, ordinary document: outpatient, no escalation. Tests copy and change it.
BASE_DOCUMENT = {
    "sex": "female",
    "date_of_birth": "1990-05-01",
    "substances": [
        {
            "substance": "cannabis",
            "frequency": "weekly",
            "amount_per_day": 1,
            "unit": "grams",
            "route": "smoked",
            "duration_months": 24,
            "last_use": "4_7_days",
            "prescribed": False,
        }
    ],
    "used_together": [],
    "symptoms": [],
    "history": {
        "withdrawal_seizures": False,
        "withdrawal_delirium": False,
        "prior_treatment": [],
        "relapse_after_treatment": False,
    },
    "medical": {"pregnant": False, "seizure_disorder": False},
    "screening": {
        "dast_10": [True, False, True, False, False, False, False, False, False, False],
        "phq_2": [0, 1],
        "cssrs": {"q1": False, "q2": False},
    },
    "living": {
        "housing": "stable",
        "others_using_at_home": False,
        "unsafe_home": False,
        "has_support": True,
    },
    "duties": ["work"],
    "readiness": "ready",
    "preference": "outpatient",
    "contact": {
        "first_name": "Dana",
        "last_name": "Rivers",
        "date_of_birth": "1990-05-01",
        "phone": "555-0100",
        "email": "dana@example.org",
        "preferred_contact": "phone",
        "voicemail_ok": True,
        "respondent": "self",
    },
}


def pytest_configure(config):
    """Build the Spanish catalog when it is missing or older than the .po (``make`` does the
    same), so that a plain ``pytest`` run sees the translations. Once, in the main process."""
    if hasattr(config, "workerinput"):
        return
    root = Path(__file__).resolve().parent.parent
    po = root / "locale" / "es" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            raise pytest.UsageError("GNU gettext is required: apt-get install gettext")
        subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)  # noqa: S603


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return (
        "transactional_db" in item.fixturenames
        or "live_server" in item.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


def pytest_collection_modifyitems(items):
    # A transactional (or live-server) test empties every table when it ends, the catalogs
    # and roles that the migrations made included. `make test` runs these in a pytest
    # process of their own, after the others, so no other test ever sees the empty tables.
    for item in items:
        if _transactional(item):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(autouse=True)
def _reference_data_after_a_flush(request):
    """Before each transactional test, put back what an earlier one's flush removed.

    The flush at the end is a TRUNCATE (PostgreSQL) or a DELETE (SQLite), which the append-only
    tables refuse: their triggers are lifted just before it and put back before the next test."""
    if not request.node.get_closest_marker("transactional"):
        yield
        return
    from django.apps import apps
    from django.db import connection

    from intake.db_triggers import (
        APPEND_ONLY_TABLES,
        create_statements,
        drop_statements,
        truncate_drop_statements,
    )
    from intake.reference_data import load_catalogs, load_roles

    request.getfixturevalue("transactional_db")
    with connection.cursor() as cursor:
        for sql in create_statements(connection.vendor):
            cursor.execute(sql)
    load_catalogs(apps)
    load_roles(apps)
    yield
    with connection.cursor() as cursor:
        for sql in truncate_drop_statements(connection.vendor):
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            # SQLite's flush is a DELETE, which the append-only tables refuse: empty them here,
            # with their triggers lifted (the next transactional test puts them back).
            for sql in drop_statements("sqlite"):
                cursor.execute(sql)
            cursor.execute("UPDATE intake_intake SET current_decision_id = NULL")
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test signs and reads audit checkpoints in a directory of its own."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.getbasetemp() / f"audit-{uuid.uuid4().hex}"


def make_document(**changes) -> dict:
    """BASE_DOCUMENT with top-level keys replaced (a value of None removes the key)."""
    doc = copy.deepcopy(BASE_DOCUMENT)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def stored_output(decision) -> dict:
    """A stored RoutingDecision row read back in ROUTING.md's output form, to compare with what
    the engine returns (``route(document).as_dict()``)."""
    return {
        "version": decision.version,
        "escalation": decision.escalation,
        "track": decision.track,
        "next_step": decision.next_step or None,
        "flags": list(decision.flags),
        "complete": decision.complete,
        "missing": list(decision.missing),
        "scores": decision.scores,
        "rules": list(decision.rules),
    }


@pytest.fixture
def document():
    return make_document()


# The authenticator secret of every enrolled test persona (hex, as django-otp stores it).
TOTP_KEY = "3132333435363738393031323334353637383930"


def enrol(user) -> TOTPDevice:
    """The user's authenticator-app device (made, confirmed, with TOTP_KEY, if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="default", key=TOTP_KEY)


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` (now, or at ``at``), via pyotp."""
    otp = pyotp.TOTP(base64.b32encode(device.bin_key).decode(), digits=device.digits)
    return otp.at(at) if at is not None else otp.now()


class StaffClient(Client):
    """Django's test client whose force_login() signs in as an enrolled person would: the
    password and, where the role needs it, the second factor (an enrolled device verified in
    the session). force_login(user, second_factor=False) stops after the password."""

    def force_login(self, user, backend=None, *, second_factor=True):
        super().force_login(user, backend)
        from intake.staff.second_factor import needs_second_factor

        if second_factor and needs_second_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrol(user).persistent_id
            session.save()


@pytest.fixture
def client():
    return StaffClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, past the second factor too."""
    client = StaffClient()
    client.force_login(admin_user)
    return client


def _persona(username: str, group: str | None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coordinator(db):
    return _persona("alice", COORDINATORS)


@pytest.fixture
def clinician(db):
    return _persona("bob", CLINICIANS)


@pytest.fixture
def administrator(db):
    return _persona("carol", ADMINISTRATORS, is_staff=True)


@pytest.fixture
def no_role(db):
    return _persona("charlie", None)


@pytest.fixture
def inactive(db):
    return _persona("dave", CLINICIANS, is_active=False)


@pytest.fixture
def submit(db):
    """Submit a document through the real service: submit(**changes) -> Intake."""
    from intake.services.intakes import intake_submit

    def _submit(document=None, **changes):
        return intake_submit(document=document or make_document(**changes), consent=None)

    return _submit
