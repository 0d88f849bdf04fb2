"""Contact attempts and the first-contact clock: targets, due times, the append-only record."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from intake import followup
from intake.choices import Status
from intake.models import AuditEvent, ContactAttempt, Intake, IntakeEvent
from intake.models.review import ImmutableError
from intake.services.followup import ERRORS, contact_attempt_add
from intake.services.intakes import intake_submit
from intake.services.staff import intake_status_change, intake_track_review
from tests.conftest import make_document

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TARGETS = {"emergency": 15, "crisis": 30, "detox": 120, "inpatient": 240, "outpatient": 1440}
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)

OPIOIDS_DAILY = {"substance": "opioids", "frequency": "daily"}
HIGH_SUICIDE_RISK = {"cssrs": {"q1": True, "q2": True, "q4": True}}
# One document per urgency, as the routing engine sees them.
URGENT = {
    "emergency": {"symptoms": ["coma"]},
    "crisis": {"screening": HIGH_SUICIDE_RISK},
    "detox": {"substances": [OPIOIDS_DAILY]},
    "inpatient": {"living": {"housing": "homeless"}},
    "outpatient": {},
}


def submitted(urgency="outpatient", **contact):
    doc = make_document(submitted_at=T0.isoformat(), **URGENT[urgency])
    doc["contact"] = {**doc["contact"], **contact}
    return intake_submit(document=doc, consent=None, now=T0)


# --- The pure clock --------------------------------------------------------------------------


def test_the_settings_defaults_are_the_issues():
    assert settings.FIRST_CONTACT_TARGETS == TARGETS


@pytest.mark.parametrize(
    ("escalation", "track", "minutes"),
    [
        ("emergency", "outpatient", 15),
        ("emergency", "detox", 15),
        ("crisis", "inpatient", 30),
        ("none", "detox", 120),
        ("none", "inpatient", 240),
        ("none", "outpatient", 1440),
    ],
)
def test_first_contact_target_by_urgency(escalation, track, minutes):
    target = followup.first_contact_target(escalation=escalation, track=track, targets=TARGETS)
    assert target == datetime.timedelta(minutes=minutes)


def test_targets_come_from_the_environment():
    env = {**os.environ, "FIRST_CONTACT_TARGET_CRISIS_MINUTES": "45", "TESTING": "true"}
    code = "from django.conf import settings; print(settings.FIRST_CONTACT_TARGETS['crisis'])"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "45"
    env["FIRST_CONTACT_TARGET_CRISIS_MINUTES"] = "0"
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
    assert "FIRST_CONTACT_TARGET_CRISIS_MINUTES must be more than 0" in bad.stderr


@pytest.mark.parametrize(
    ("offset", "overdue", "text"),
    [
        (-12 * MIN, False, "due in 12 min"),
        (-12 * MIN + SEC, False, "due in 12 min"),  # rounded up: 11 min 59 s is still "12"
        (-SEC, False, "due in 1 min"),
        (datetime.timedelta(0), False, "due now"),  # due at the minute, not yet overdue
        (SEC, True, "overdue by 1 min"),
        (65 * MIN, True, "overdue by 1 h 5 min"),
        (120 * MIN, True, "overdue by 2 h"),
        (datetime.timedelta(days=14, hours=3), True, "overdue by 14 d 3 h"),
    ],
)
def test_due_text_at_the_boundaries(offset, overdue, text):
    state = followup.due(due_at=T0, now=T0 + offset)
    assert (state.overdue, state.text) == (overdue, text)
    assert followup.is_overdue(due_at=T0, now=T0 + offset) is overdue


def test_nothing_due_has_no_state():
    assert followup.due(due_at=None, now=T0) is None
    assert not followup.is_overdue(due_at=None, now=T0)


@pytest.mark.parametrize(
    ("outcome", "status", "reached_before", "expected"),
    [
        ("reached", "new", False, "contacted"),
        ("reached", "no_response", False, "contacted"),
        ("reached", "contacted", True, ""),  # only the first time
        ("reached", "new", True, ""),
        ("declined", "new", False, "declined"),
        ("declined", "contacted", True, "declined"),
        ("declined", "admitted", True, ""),  # the workflow does not allow it
        ("no_answer", "new", False, ""),
        ("left_voicemail", "new", False, ""),
    ],
)
def test_suggested_status(outcome, status, reached_before, expected):
    assert (
        followup.suggested_status(outcome=outcome, status=status, reached_before=reached_before)
        == expected
    )


# --- Submission sets the clock ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("urgency", list(URGENT))
def test_submit_sets_the_first_contact_target(urgency):
    intake = submitted(urgency)
    assert intake.escalation == urgency or intake.track == urgency
    expected = T0 + datetime.timedelta(minutes=TARGETS[urgency])
    assert intake.contact_due_at == expected
    assert Intake.objects.get(pk=intake.pk).contact_due_at == expected
    assert (intake.attempt_count, intake.first_attempt_at) == (0, None)


@pytest.mark.django_db
def test_an_override_moves_the_target_until_the_first_attempt(clinician):
    intake = submitted("outpatient")
    intake_track_review(
        intake=intake,
        actor=clinician,
        action="override",
        track="detox",
        reason="reported daily use",
        expected_version=intake.version,
        now=T0,
    )
    assert Intake.objects.get(pk=intake.pk).contact_due_at == T0 + 120 * MIN


# --- Logging an attempt ----------------------------------------------------------------------


def log(intake, actor, now=T0 + 5 * MIN, **fields):
    fields = {"channel": "phone", "outcome": "no_answer", **fields}
    return contact_attempt_add(
        intake=intake, actor=actor, expected_version=intake.version, now=now, **fields
    )


@pytest.mark.django_db
def test_an_attempt_moves_the_clock_to_its_next_due_time(coordinator):
    intake = submitted("crisis")
    attempt = log(intake, coordinator, next_due_at=T0 + 65 * MIN, note="rang twice")
    intake.refresh_from_db()
    assert intake.contact_due_at == T0 + 65 * MIN
    assert (intake.attempt_count, intake.first_attempt_at) == (1, T0 + 5 * MIN)
    assert intake.first_reached_at is None
    assert intake.status == Status.NEW  # no status change unless confirmed
    assert attempt.actor == coordinator
    event = intake.events.get(kind=IntakeEvent.Kind.CONTACT)
    assert (event.old_value, event.new_value, event.text) == ("phone", "no_answer", "rang twice")
    audit = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT)
    assert audit.intake_reference == intake.reference
    assert "rang" not in audit.detail  # the note may hold health details: never in the audit


@pytest.mark.django_db
def test_no_next_due_time_means_nothing_is_due(coordinator):
    intake = submitted("crisis")
    log(intake, coordinator, outcome="reached")
    intake.refresh_from_db()
    assert intake.contact_due_at is None
    assert intake.first_reached_at == T0 + 5 * MIN


@pytest.mark.django_db
def test_the_outcomes_status_applies_only_when_confirmed(coordinator):
    intake = submitted()
    log(intake, coordinator, outcome="reached")
    intake.refresh_from_db()
    assert intake.status == Status.NEW
    other = submitted()
    log(other, coordinator, outcome="reached", apply_status="contacted")
    other.refresh_from_db()
    assert other.status == Status.CONTACTED
    assert list(other.events.values_list("kind", flat=True)) == [
        "submitted",
        "contact",
        "status",
    ]


@pytest.mark.django_db
def test_a_status_the_outcome_does_not_suggest_is_refused(coordinator):
    intake = submitted()
    with pytest.raises(ValidationError) as error:
        log(intake, coordinator, outcome="no_answer", apply_status="admitted")
    assert error.value.messages == [str(ERRORS["status_not_suggested"])]
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_declined_services_closes_the_clock(coordinator):
    intake = submitted()
    log(
        intake,
        coordinator,
        outcome="declined",
        next_due_at=T0 + 60 * MIN,
        apply_status="declined",
    )
    intake.refresh_from_db()
    assert (intake.status, intake.contact_due_at) == (Status.DECLINED, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "outcome"), [("voicemail", "left_voicemail"), ("phone", "left_voicemail")]
)
def test_a_voicemail_where_it_is_not_safe_needs_a_reason(coordinator, channel, outcome):
    intake = submitted(voicemail_ok=False)
    with pytest.raises(ValidationError) as error:
        log(intake, coordinator, channel=channel, outcome=outcome)
    assert error.value.message_dict == {"voicemail_reason": [str(ERRORS["voicemail_reason"])]}
    assert not ContactAttempt.objects.exists()
    log(intake, coordinator, channel=channel, outcome=outcome, voicemail_reason="no other way")
    assert ContactAttempt.objects.get().voicemail_reason == "no other way"


@pytest.mark.django_db
def test_a_voicemail_where_it_is_safe_needs_no_reason(coordinator):
    intake = submitted(voicemail_ok=True)
    log(intake, coordinator, channel="voicemail", outcome="left_voicemail")
    assert ContactAttempt.objects.count() == 1


@pytest.mark.django_db
def test_a_next_due_time_in_the_past_is_refused(coordinator):
    intake = submitted()
    with pytest.raises(ValidationError) as error:
        log(intake, coordinator, next_due_at=T0)
    assert error.value.messages == [str(ERRORS["next_due_past"])]


@pytest.mark.django_db
def test_only_queue_workers_log_attempts(no_role):
    intake = submitted()
    with pytest.raises(PermissionDenied):
        log(intake, no_role)


@pytest.mark.django_db
def test_closing_stops_the_clock_and_reopening_restarts_it(coordinator):
    intake = submitted()
    log(intake, coordinator, next_due_at=T0 + 60 * MIN)
    intake_status_change(
        intake=intake, actor=coordinator, status="closed", expected_version=intake.version
    )
    assert Intake.objects.get(pk=intake.pk).contact_due_at is None
    intake_status_change(
        intake=intake, actor=coordinator, status="in_review", expected_version=intake.version
    )
    assert Intake.objects.get(pk=intake.pk).contact_due_at == T0 + 60 * MIN


# --- Append-only -------------------------------------------------------------------------------


@pytest.fixture
def attempt(coordinator):
    return log(submitted(), coordinator, note="first try")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda a: ContactAttempt.objects.filter(pk=a.pk).update(note="edited"),
        lambda a: ContactAttempt.objects.filter(pk=a.pk).delete(),
        lambda a: a.save(),
        lambda a: a.delete(),
    ],
    ids=["queryset-update", "queryset-delete", "instance-save", "instance-delete"],
)
def test_the_orm_refuses_to_change_an_attempt(attempt, change):
    attempt.note = "edited"
    with pytest.raises(ImmutableError):
        change(attempt)
    assert ContactAttempt.objects.get(pk=attempt.pk).note == "first try"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE intake_contactattempt SET note = 'edited'",
        "DELETE FROM intake_contactattempt",
    ],
)
def test_the_database_refuses_to_change_an_attempt(attempt, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert ContactAttempt.objects.get(pk=attempt.pk).note == "first try"


@pytest.mark.django_db
def test_the_admin_shows_attempts_read_only(attempt, administrator):
    model_admin = site._registry[ContactAttempt]
    request = RequestFactory().get("/")
    request.user = administrator
    administrator.is_superuser = True
    assert model_admin.has_view_permission(request, attempt)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, attempt)
    assert not model_admin.has_delete_permission(request, attempt)


@pytest.mark.django_db
def test_the_intake_admin_lists_its_attempts_read_only(client, attempt, administrator):
    client.force_login(administrator)
    url = f"/admin/intake/intake/{attempt.intake_id}/change/"
    html = client.get(url).content.decode()
    assert "first try" in html
    assert 'name="contact_attempts-0-note"' not in html  # shown, not editable
