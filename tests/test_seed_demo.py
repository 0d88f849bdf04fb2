"""The demo data covers what a person trying the product should be able to see."""

import io
import re

import pyotp
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.choices import Escalation, Flag, Status, Track
from intake.models import Alert, Intake, TrackReview, User
from intake.services.alerts import alert_recipients
from intake.services.audit import audit_verify


def test_seed_demo_covers_every_track_escalation_flag_and_status(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()

    intakes = Intake.objects.select_related("current_decision")
    assert intakes.count() == 60
    assert {i.current_decision.track for i in intakes} == set(Track.values)
    assert {i.escalation for i in intakes} == set(Escalation.values)
    assert {flag for i in intakes for flag in i.current_decision.flags} == set(Flag.values)
    assert {i.status for i in intakes} == set(Status.values)
    assert any(i.needs_review for i in intakes)
    assert any(i.is_minor for i in intakes)
    assert set(TrackReview.objects.values_list("action", flat=True)) == {"confirm", "override"}
    assert audit_verify().ok

    for username in ("coordinator", "clinician", "administrator"):
        assert User.objects.get(username=username).check_password("intake-demo-2026")
        assert username in printed
    assert "/intake/resume/" in printed
    # Someone is on call in the demo, so alerts reach the console instead of failing.
    assert alert_recipients(Alert.Reason.EMERGENCY) == ["coordinator@example.org"]

    # The demo clinician and administrator are enrolled; the printed secret gives their codes.
    for username in ("clinician", "administrator"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        secret = re.search(rf"{username}\s+secret (\w+)", printed).group(1)
        assert device.verify_token(pyotp.TOTP(secret).now())
        assert f"otpauth://totp/Riverbend%20Recovery%20Center%3A%20{username}?secret={secret}" in (
            printed
        )
    assert not TOTPDevice.objects.filter(user__username="coordinator").exists()
    codes = io.StringIO()
    call_command("demo_codes", stdout=codes)
    assert re.search(r"clinician\s+\d{6}", codes.getvalue())

    # A second run keeps the data and the logins, and adds no intakes.
    call_command("seed_demo", stdout=io.StringIO())
    assert Intake.objects.count() == 60


def test_seed_demo_contact_attempts_in_realistic_variety(db):
    from django.db.models import Count, F
    from django.utils import timezone

    from intake.models import ContactAttempt, IntakeEvent

    call_command("seed_demo", stdout=io.StringIO())
    reached = Intake.objects.filter(first_reached_at__isnull=False)
    tries_to_reach = set(
        ContactAttempt.objects.filter(
            intake__in=reached, created_at__lte=F("intake__first_reached_at")
        )
        .values("intake")
        .annotate(n=Count("*"))
        .values_list("n", flat=True)
    )
    assert tries_to_reach == {1, 2, 3}  # reached after one to three tries
    outcomes = set(ContactAttempt.objects.values_list("outcome", flat=True))
    assert {"reached", "left_voicemail", "wrong_number", "no_answer"} <= outcomes
    # No voicemail where the person said one is not safe.
    assert not ContactAttempt.objects.filter(
        outcome="left_voicemail", intake__voicemail_ok=False
    ).exists()
    overdue = Intake.objects.filter(contact_due_at__lt=timezone.now())
    assert overdue.filter(attempt_count=0).exists()  # never tried, past the target
    assert overdue.filter(attempt_count__gt=0).exists()  # tried, the next try came due
    # Every attempt is on its intake's timeline, and the timeline starts with the submission.
    assert IntakeEvent.objects.filter(kind="contact").count() == ContactAttempt.objects.count()
    for intake in Intake.objects.all():
        first = intake.events.order_by("created_at", "id").first()
        assert (first.kind, first.created_at) == ("submitted", intake.submitted_at)
