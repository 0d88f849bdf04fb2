"""The intake page: what it shows, its actions, optimistic concurrency and its query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.choices import Status, Track
from intake.models import AuditEvent, Intake, IntakeEvent, TrackReview, User
from intake.services.intakes import ConsentData, intake_submit
from intake.services.staff import (
    ERRORS,
    IntakeConflict,
    intake_assign,
    intake_note_add,
    intake_status_change,
)
from tests.conftest import StaffClient, make_document

OPIOIDS_DAILY = [{"substance": "opioids", "frequency": "daily", "route": "oral"}]


def page(intake):
    return reverse("staff:intake", args=[intake.reference])


def action(intake, name):
    return reverse(f"staff:intake_{name}", args=[intake.reference])


def post(client, intake, name, version=None, **fields):
    """POST one of the page's forms, prefixed as the page renders it."""
    data = {f"{name}-{key}": value for key, value in fields.items()}
    data[f"{name}-version"] = intake.version if version is None else version
    return client.post(action(intake, name), data)


@pytest.fixture
def detox(submit):
    return submit(substances=OPIOIDS_DAILY)


# --- What the page shows ---------------------------------------------------------------------


def test_page_shows_recommendation_rules_scores_and_answers(client, clinician, submit):
    intake = submit(substances=OPIOIDS_DAILY, living={"housing": "homeless"})
    client.force_login(clinician)
    response = client.get(page(intake))
    assert response.status_code == 200
    html = response.content.decode()
    # Every fired rule: code, its ASAM dimension's name, and its reason.
    for rule in intake.current_decision.rules:
        assert f">{rule['code']}<" in html
        assert rule["reason"] in html
    assert "Acute intoxication / withdrawal potential" in html
    assert "Recovery environment" in html
    # Scores with bands.
    assert "DAST-10" in html and ">low<" in html and "risk: none" in html
    # Answers grouped, with catalog labels.
    assert "Opioids" in html
    assert "Every day or nearly every day" in html
    assert "I do not have a place to live" in html
    # Next step after detox.
    assert "then Inpatient" in html


def test_page_shows_contact_and_consent(client, coordinator):
    consent = ConsentData(
        text_version="2026.1",
        contact_ok=True,
        privacy_acknowledged=True,
        signature="Dana Rivers",
        signed_on=datetime.date(2026, 1, 5),
        disclosure_ok=True,
        disclosure_recipient="Dr. Lee",
        disclosure_purpose="care coordination",
    )
    intake = intake_submit(document=make_document(), consent=consent)
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    assert "555-0100" in html and "dana@example.org" in html
    assert "Dana Rivers" in html and "Dr. Lee" in html and "care coordination" in html


def test_incomplete_intake_says_needs_clinician_review_with_what_is_missing(
    client, coordinator, submit
):
    intake = submit(symptoms=None)
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    assert "Needs clinician review" in html
    assert "Symptoms now" in html


def test_unknown_or_malformed_reference_is_404(client, coordinator, db):
    client.force_login(coordinator)
    assert client.get(reverse("staff:intake", args=["ZZZZ-ZZZZ"])).status_code == 404
    assert client.get(reverse("staff:intake", args=["nonsense"])).status_code == 404


def test_reference_is_normalised(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    typed = intake.reference.lower().replace("-", "")
    assert client.get(reverse("staff:intake", args=[typed])).status_code == 200


def test_coordinator_sees_no_review_form_clinician_does(client, coordinator, clinician, detox):
    client.force_login(coordinator)
    html = client.get(page(detox)).content.decode()
    assert action(detox, "review") not in html
    client.force_login(clinician)
    html = client.get(page(detox)).content.decode()
    assert action(detox, "review") in html
    assert "Confirm Detox" in html


# --- Actions ---------------------------------------------------------------------------------


def test_assign_to_me_then_to_someone_else_then_nobody(client, coordinator, clinician, submit):
    intake = submit()
    client.force_login(coordinator)
    assert post(client, intake, "assign", assignee=coordinator.pk).status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to == coordinator
    assert post(client, intake, "assign", assignee=clinician.pk).status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to == clinician
    assert post(client, intake, "assign", assignee="").status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to is None
    kinds = list(intake.events.values_list("kind", "new_value"))
    assert kinds[-3:] == [("assigned", "alice"), ("assigned", "bob"), ("assigned", "")]


def test_cannot_assign_to_someone_without_a_role(client, coordinator, no_role, submit):
    intake = submit()
    client.force_login(coordinator)
    response = post(client, intake, "assign", assignee=no_role.pk)
    assert response.status_code == 400
    intake.refresh_from_db()
    assert intake.assigned_to is None


def test_status_follows_the_allowed_transitions(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    assert post(client, intake, "status", status=Status.CONTACTED).status_code == 302
    intake.refresh_from_db()
    assert intake.status == Status.CONTACTED
    # contacted → in review is not a transition: refused, nothing saved.
    response = post(client, intake, "status", status=Status.IN_REVIEW)
    assert response.status_code == 400
    intake.refresh_from_db()
    assert intake.status == Status.CONTACTED


def test_status_service_refuses_a_bad_transition(coordinator, submit):
    from django.core.exceptions import ValidationError

    intake = submit()
    with pytest.raises(ValidationError) as excinfo:
        intake_status_change(
            intake=intake,
            actor=coordinator,
            status=Status.ADMITTED,
            expected_version=intake.version,
        )
    assert excinfo.value.code == "bad_transition"


def test_confirm_keeps_the_engine_track_and_marks_it_reviewed(client, clinician, detox):
    client.force_login(clinician)
    assert post(client, detox, "review", action="confirm").status_code == 302
    detox.refresh_from_db()
    assert detox.track == Track.DETOX and detox.track_confirmed
    review = TrackReview.objects.get(intake=detox)
    assert (review.action, review.engine_track, review.track) == ("confirm", "detox", "detox")
    assert "detox · confirmed" in client.get(page(detox)).content.decode().lower()


def test_override_needs_a_reason(client, clinician, detox):
    client.force_login(clinician)
    response = post(client, detox, "review", action="override", track="outpatient", reason="")
    assert response.status_code == 400
    assert str(ERRORS["reason_required"]) in response.content.decode()
    assert not TrackReview.objects.exists()
    detox.refresh_from_db()
    assert detox.track == Track.DETOX and not detox.track_confirmed


def test_override_to_the_same_track_is_refused(client, clinician, detox):
    client.force_login(clinician)
    response = post(client, detox, "review", action="override", track="detox", reason="x")
    assert response.status_code == 400
    assert not TrackReview.objects.exists()


def test_override_changes_the_queue_track_and_keeps_the_engines_beside_it(client, clinician, detox):
    client.force_login(clinician)
    response = post(
        client,
        detox,
        "review",
        action="override",
        track="inpatient",
        reason="Tapering under a prescriber already; needs residential support.",
    )
    assert response.status_code == 302
    detox.refresh_from_db()
    assert (detox.track, detox.track_rank, detox.track_confirmed) == ("inpatient", 1, True)
    assert detox.current_decision.track == "detox"  # the engine's recommendation is kept
    review = TrackReview.objects.get(intake=detox)
    assert (review.action, review.engine_track, review.track) == ("override", "detox", "inpatient")
    html = client.get(page(detox)).content.decode()
    assert "Overridden to Inpatient" in html
    assert "The engine recommends <strong>Detox</strong>" in html
    assert "needs residential support" in html
    assert "Track overridden: Detox → Inpatient" in html


def test_coordinator_cannot_override(client, coordinator, detox):
    client.force_login(coordinator)
    response = post(client, detox, "review", action="override", track="outpatient", reason="x")
    assert response.status_code == 403
    assert not TrackReview.objects.exists()


def test_note_is_added_to_the_timeline(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    assert post(client, intake, "note", text="Left a voicemail.").status_code == 302
    assert "Left a voicemail." in client.get(page(intake)).content.decode()
    intake.refresh_from_db()
    empty = post(client, intake, "note", text="   ")
    assert empty.status_code == 400


def test_first_staff_change_sets_first_action_at_once(coordinator, submit):
    intake = submit()
    assert intake.first_action_at is None
    intake_note_add(intake=intake, actor=coordinator, text="one", expected_version=1)
    intake.refresh_from_db()
    first = intake.first_action_at
    assert first is not None
    intake_note_add(intake=intake, actor=coordinator, text="two", expected_version=2)
    intake.refresh_from_db()
    assert intake.first_action_at == first
    assert intake.version == 3


def test_viewing_does_not_count_as_an_action(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    client.get(page(intake))
    intake.refresh_from_db()
    assert intake.first_action_at is None and intake.version == 1


# --- Optimistic concurrency ------------------------------------------------------------------


def test_second_save_is_told_and_both_changes_end_up_in_the_timeline(
    coordinator, clinician, submit
):
    intake = submit()
    alice, bob = StaffClient(), StaffClient()
    alice.force_login(coordinator)
    bob.force_login(clinician)
    # Both open the page at version 1.
    assert alice.get(page(intake)).status_code == 200
    assert bob.get(page(intake)).status_code == 200
    opened_at = intake.version

    assert (
        post(alice, intake, "status", version=opened_at, status=Status.CONTACTED).status_code == 302
    )
    response = post(bob, intake, "note", version=opened_at, text="Called, no answer.")

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this intake since you opened it" in html
    assert "Status: New → Contacted" in html  # the change Bob had not seen
    assert "Called, no answer.</textarea>" in html  # Bob's input is kept
    assert IntakeEvent.objects.filter(intake=intake, kind="note").count() == 0

    # The kept form carries the new version: submitting it again saves, knowingly.
    intake.refresh_from_db()
    assert f'name="note-version" value="{intake.version}"' in html
    assert post(bob, intake, "note", text="Called, no answer.").status_code == 302

    timeline = bob.get(page(intake)).content.decode()
    assert "Status: New → Contacted" in timeline
    assert "Called, no answer." in timeline
    intake.refresh_from_db()
    assert intake.status == Status.CONTACTED and intake.version == 3


def test_stale_status_change_is_reported_as_a_conflict_not_as_an_invalid_choice(
    client, coordinator, clinician, submit
):
    intake = submit()
    intake_status_change(intake=intake, actor=clinician, status=Status.CLOSED, expected_version=1)
    client.force_login(coordinator)
    # Chosen on a page rendered at version 1 when "in review" was still allowed.
    response = post(client, intake, "status", version=1, status=Status.IN_REVIEW)
    assert response.status_code == 409
    assert "Someone else changed this intake" in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == Status.CLOSED


def test_service_refuses_a_stale_version_and_names_the_unseen_events(
    coordinator, clinician, submit
):
    intake = submit()
    intake_assign(intake=intake, actor=clinician, assignee=clinician, expected_version=1)
    with pytest.raises(IntakeConflict) as excinfo:
        intake_note_add(intake=intake, actor=coordinator, text="late", expected_version=1)
    conflict = excinfo.value
    assert [e.kind for e in conflict.events] == ["assigned"]
    assert conflict.events[0].actor == clinician


def test_conditional_update_catches_a_writer_that_got_in_between(coordinator, clinician, submit):
    """The in-memory intake says version 1, the row says 2: the UPDATE matches nothing."""
    intake = submit()
    stale_copy = Intake.objects.get(pk=intake.pk)
    intake_note_add(intake=intake, actor=clinician, text="first", expected_version=1)
    with pytest.raises(IntakeConflict) as excinfo:
        intake_note_add(intake=stale_copy, actor=coordinator, text="second", expected_version=1)
    assert [e.text for e in excinfo.value.events] == ["first"]
    assert list(IntakeEvent.objects.filter(kind="note").values_list("text", flat=True)) == ["first"]
    # Nothing of the refused write survived: no audit record for it either.
    assert AuditEvent.objects.filter(action="note").count() == 1


# --- Audit -----------------------------------------------------------------------------------


def test_every_view_and_change_is_audited_without_health_details(client, clinician, detox):
    client.force_login(clinician)
    client.get(page(detox), REMOTE_ADDR="10.1.2.3")
    post(client, detox, "assign", assignee=clinician.pk)
    detox.refresh_from_db()
    post(client, detox, "status", status=Status.IN_REVIEW)
    detox.refresh_from_db()
    post(client, detox, "review", action="override", track="inpatient", reason="Relapse risk")
    detox.refresh_from_db()
    post(client, detox, "note", text="Opioid use daily, discussed MAT")
    records = list(
        AuditEvent.objects.filter(intake_reference=detox.reference)
        .exclude(action="view")
        .order_by("id")
    )
    assert [r.action for r in records] == ["assign", "status", "review", "note"]
    view = AuditEvent.objects.filter(action="view").first()
    assert (view.actor, view.actor_username, view.ip_address) == (clinician, "bob", "10.1.2.3")
    for record in AuditEvent.objects.all():
        text = record.detail.lower()
        for health_word in ("opioid", "detox", "inpatient", "relapse", "mat"):
            assert health_word not in text.split(), (record.action, record.detail)


# --- Query counts ----------------------------------------------------------------------------


def _queries_for_page(client, intake) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page(intake)).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_does_not_grow_with_notes_or_rules(client, clinician, submit):
    few = submit()  # outpatient: one rule (F4)
    many = submit(
        substances=OPIOIDS_DAILY
        + [
            {"substance": "alcohol", "frequency": "daily"},
            {"substance": "benzodiazepines", "frequency": "daily"},
            {"substance": "cocaine", "frequency": "weekly", "route": "injected"},
        ],
        used_together=["alcohol", "opioids", "benzodiazepines"],
        symptoms=["tremors", "anxiety", "coma"],
        living={"housing": "homeless"},
    )
    for n in range(5):
        intake_note_add(intake=few, actor=clinician, text=f"n{n}", expected_version=few.version)
    for n in range(50):
        intake_note_add(intake=many, actor=clinician, text=f"n{n}", expected_version=many.version)
    assert len(many.current_decision.rules) > len(few.current_decision.rules) + 5
    # The coma raised a staff alert for `many`; one for `few` too, so that both pages read
    # their alerts' attempts (a page without alerts skips that read).
    from intake.models import Alert

    assert Alert.objects.filter(intake=many).exists()
    Alert.objects.create(key=f"intake:{few.pk}:test", intake=few, reason="emergency")
    client.force_login(clinician)
    _queries_for_page(client, few)  # warm the permission cache paths alike
    assert _queries_for_page(client, few) == _queries_for_page(client, many)


# What the page reads, the audit record's write aside (its own statements, which differ between
# a test's transaction and a request's; see tests/test_audit_concurrency.py).
AUDIT_WRITE = ("intake_auditevent", "SAVEPOINT", "pg_advisory_xact_lock")


def _page_reads(client, intake) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page(intake)).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if not any(w in q["sql"] for w in AUDIT_WRITE)]


def _statements(reads: list[str]) -> list[str]:
    """The statements of the reads: on PostgreSQL, the page sends some together (read_together:
    one query, statements separated by semicolons)."""
    return [statement for sql in reads for statement in sql.split("; ")]


def _second_visit_reads(client, user, intake) -> tuple[list[str], list[str]]:
    """The page's queries when ``user`` opens it a second time (the first builds what is kept
    per process), and the statements in them."""
    client.force_login(user)
    _page_reads(client, intake)
    reads = _page_reads(client, intake)
    return reads, _statements(reads)


def test_a_new_intake_reads_no_attempts_and_the_staff_without_a_distinct(client, clinician, submit):
    """Session, user, second-factor device, permissions (one query), the intake, its
    substances, symptoms, latest review, timeline and alerts, the assignable staff. No contact
    attempts (its count says none yet) and no alert attempts (no alerts)."""
    intake = submit()
    reads, statements = _second_visit_reads(client, clinician, intake)
    assert len(statements) == 11, statements
    # PostgreSQL: the intake with its uses and symptoms in one round trip, the latest review,
    # timeline, alerts and assignable staff in another.
    assert len(reads) == (6 if connection.vendor == "postgresql" else 11), reads
    assert not [q for q in statements if "intake_contactattempt" in q or "intake_alertattempt" in q]
    (staff,) = [q for q in statements if 'FROM "intake_user" WHERE ("intake_user"."is_active"' in q]
    assert "DISTINCT" not in staff and "password" not in staff


def test_an_intake_with_attempts_and_alerts_reads_them(client, clinician, coordinator, submit):
    from intake.models import Alert, AlertAttempt
    from intake.services.followup import contact_attempt_add

    intake = submit()
    contact_attempt_add(
        intake=intake,
        actor=coordinator,
        expected_version=intake.version,
        channel="phone",
        outcome="no_answer",
    )
    alert = Alert.objects.create(key=f"intake:{intake.pk}:test", intake=intake, reason="emergency")
    AlertAttempt.objects.create(alert=alert, ok=False, error="SMTPConnectError")
    reads, statements = _second_visit_reads(client, clinician, intake)
    assert len(statements) == 13, statements
    # PostgreSQL: the contact attempts go with the page's other reads (one round trip more).
    assert len(reads) == (7 if connection.vendor == "postgresql" else 13), reads
    assert [q for q in statements if "intake_contactattempt" in q]
    assert [q for q in statements if "intake_alertattempt" in q]
    html = client.get(page(intake)).content.decode()
    assert "No answer" in html and "SMTPConnectError" in html


def test_the_assignable_staff(client, clinician, coordinator, administrator, no_role, inactive):
    from django.contrib.auth.models import Permission

    from intake.staff.selectors import assignable_users

    direct = User.objects.create_user(username="dora", first_name="Dora")
    direct.user_permissions.add(Permission.objects.get(codename="work_queue"))
    boss = User.objects.create_superuser(username="zed", password="x" * 20)  # noqa: S106
    inactive.groups.add(*coordinator.groups.all())
    assert list(assignable_users()) == sorted(
        [clinician, coordinator, administrator, direct, boss],
        key=lambda u: (u.first_name, u.last_name, u.username),
    )
