"""Alerts to staff, in-process (tasks run inline without a broker): rows written with their
cause, e-mails that say nothing about health, retries with backoff, the overdue sweep, and
the scheduled housekeeping. The real worker, Redis and SMTP server: test_alerts_delivery.py."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intake.models import Alert, AlertAttempt, AuditEvent, Draft, Intake
from intake.services import alerts as alert_services
from intake.services.audit import audit_record, checkpoint_path
from intake.services.drafts import draft_create
from intake.services.followup import contact_attempt_add
from intake.services.staff import intake_track_review
from intake.tasks import purge_drafts, verify_audit
from tests.conftest import BASE_DOCUMENT, make_document

CRISIS_SCREENING = {**BASE_DOCUMENT["screening"], "cssrs": {"q6": True, "q6_past_3_months": True}}
# Words that would tell a reader of the e-mail about the person or their health.
FORBIDDEN = (
    "Dana", "Rivers", "dana@example.org", "555-0100", "coma", "cannabis", "substance",
    "symptom", "emergency", "crisis", "detox", "inpatient", "outpatient", "track", "score",
    "escalation", "suicid", "withdrawal",
)  # fmt: skip


class RefusingSender:
    """A mail server that is down: every send fails as SMTP would."""

    def send(self, message):
        raise smtplib.SMTPConnectError(421, "try later")


@pytest.fixture
def on_call(db, clinician, settings):
    clinician.email = "bob@example.org"
    clinician.receives_alerts = True
    clinician.save()
    settings.ALERT_EMAILS = ["oncall@example.org"]
    settings.SITE_URL = "https://intake.example.org"
    return ["bob@example.org", "oncall@example.org"]


def assert_says_nothing_about_health(message):
    text = f"{message.subject}\n{message.body}".lower()
    for word in FORBIDDEN:
        assert word.lower() not in text, word


def test_an_emergency_intake_emails_each_recipient_once(
    on_call, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake = submit(symptoms=["coma"])
    assert intake.escalation == "emergency"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == on_call
    assert message.subject == "Intake needs attention"
    assert intake.reference in message.body
    assert f"https://intake.example.org/staff/intake/{intake.reference}/" in message.body
    local = timezone.localtime(intake.submitted_at)
    assert local.strftime("%H:%M") in message.body  # when it came in
    target = timezone.localtime(intake.submitted_at + datetime.timedelta(minutes=15))
    assert f"Target time for first contact: {target:%a %d %b %Y, %H:%M}" in message.body
    assert_says_nothing_about_health(message)
    alert = Alert.objects.get()
    assert (alert.state, alert.reason, alert.recipients) == ("sent", "emergency", on_call)
    assert list(alert.attempts.values_list("ok", "error")) == [(True, "")]


def test_a_crisis_intake_alerts_and_an_ordinary_one_does_not(
    on_call, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        crisis = submit(screening=CRISIS_SCREENING)
        ordinary = submit()
    assert (crisis.escalation, ordinary.escalation) == ("crisis", "none")
    assert list(Alert.objects.values_list("intake", "reason")) == [(crisis.pk, "crisis")]
    assert len(mail.outbox) == 1
    assert_says_nothing_about_health(mail.outbox[0])


def test_a_submit_whose_transaction_fails_leaves_no_alert(
    on_call, submit, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit(symptoms=["coma"])
        assert Alert.objects.count() == 1  # written inside the transaction...
        raise RuntimeError("the draft could not be marked submitted")
    assert Alert.objects.count() == 0  # ...and gone with it
    assert Intake.objects.count() == 0
    assert callbacks == [] and mail.outbox == []


def test_imports_and_demo_data_raise_no_alert(on_call, django_capture_on_commit_callbacks):
    from intake.services.intakes import intake_submit

    with django_capture_on_commit_callbacks(execute=True):
        intake_submit(document=make_document(symptoms=["coma"]), consent=None, notify=False)
    assert Alert.objects.count() == 0 and mail.outbox == []


def test_with_nobody_to_tell_the_alert_fails_for_the_administrators_to_see(
    db, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(symptoms=["coma"])
    alert = Alert.objects.get()
    assert alert.state == "failed"
    assert list(alert.attempts.values_list("ok", "error")) == [(False, "NoRecipients")]
    assert mail.outbox == []


def test_recipients_are_active_staff_who_opted_in_with_an_address_and_the_inbox(
    on_call, coordinator, inactive, administrator
):
    coordinator.email, coordinator.receives_alerts = "", True  # no address: cannot receive
    coordinator.save()
    inactive.email, inactive.receives_alerts = "dave@example.org", True
    inactive.save()
    administrator.email = "carol@example.org"  # has not opted in
    administrator.save()
    assert alert_services.alert_recipients("emergency") == on_call
    # The shared inbox is written twice (and in capitals): it still gets one copy.
    from django.conf import settings

    settings.ALERT_EMAILS = ["oncall@example.org", "ONCALL@example.org"]
    assert alert_services.alert_recipients("overdue") == on_call
    # Audit failures go to the administrators, opted in or not.
    assert alert_services.alert_recipients("audit") == ["carol@example.org"]


# --- retries ----------------------------------------------------------------------------------


def _pending_alert(intake, now):
    with transaction.atomic():
        return alert_services.alert_raise(
            key=f"intake:{intake.pk}:emergency", reason="emergency", intake=intake, now=now
        )


def test_a_refused_send_retries_with_backoff_then_fails_after_a_day(on_call, submit, settings):
    settings.ALERT_SENDER = "tests.test_alerts.RefusingSender"
    intake = submit()
    t0 = timezone.now()
    alert = _pending_alert(intake, t0)
    now, waits = t0, []
    while True:
        outcome = alert_services.alert_send(alert.pk, now=now)
        if outcome.retry_in is None:
            break
        waits.append(int(outcome.retry_in.total_seconds() // 60))
        # Not due yet: a resend a second early does nothing.
        assert alert_services.alert_send(alert.pk, now=now + outcome.retry_in
                                         - datetime.timedelta(seconds=1)) is None  # fmt: skip
        now += outcome.retry_in
    assert waits[:7] == [1, 2, 5, 10, 30, 30, 30]
    assert set(waits[4:]) == {30}
    alert.refresh_from_db()
    assert alert.state == "failed"
    assert now - t0 >= datetime.timedelta(hours=24)
    assert now - t0 < datetime.timedelta(hours=24, minutes=31)
    assert alert.attempt_count == len(waits) + 1 == alert.attempts.count()
    assert set(alert.attempts.values_list("error", flat=True)) == {"SMTPConnectError"}
    assert alert_services.alert_send(alert.pk, now=now + datetime.timedelta(hours=1)) is None
    assert mail.outbox == []


def test_a_send_that_fails_then_works_delivers_once(on_call, submit, settings):
    intake = submit()
    t0 = timezone.now()
    alert = _pending_alert(intake, t0)
    settings.ALERT_SENDER = "tests.test_alerts.RefusingSender"
    assert alert_services.alert_send(alert.pk, now=t0).retry_in == datetime.timedelta(minutes=1)
    settings.ALERT_SENDER = "intake.alerts.senders.EmailSender"  # the server is back
    later = t0 + datetime.timedelta(minutes=1)
    assert alert_services.alert_send(alert.pk, now=later).state == "sent"
    assert alert_services.alert_send(alert.pk, now=later) is None  # sent: never twice
    assert len(mail.outbox) == 1
    assert list(alert.attempts.values_list("ok", "error")) == [
        (False, "SMTPConnectError"),
        (True, ""),
    ]


def test_the_sweep_sends_an_alert_whose_task_was_lost(on_call, submit, settings):
    intake = submit()
    t0 = timezone.now()
    _pending_alert(intake, t0)  # no on-commit here: as if Redis had lost the task
    assert alert_services.alerts_sweep(now=t0 + datetime.timedelta(seconds=30))["requeued"] == 0
    swept = alert_services.alerts_sweep(now=t0 + settings.ALERT_SWEEP_GRACE)
    assert swept["requeued"] == 1
    assert len(mail.outbox) == 1
    assert Alert.objects.get().state == "sent"
    assert alert_services.alerts_sweep(now=t0 + datetime.timedelta(hours=1))["requeued"] == 0
    assert len(mail.outbox) == 1


# --- overdue ----------------------------------------------------------------------------------


def _overdue_mails():
    return [m for m in mail.outbox if "first-contact target has passed" in m.body]


def test_the_overdue_sweep_alerts_once_per_intake_and_level(
    on_call, clinician, submit, django_capture_on_commit_callbacks
):
    t0 = timezone.now()
    detox = submit(symptoms=["hallucinations"], submitted_at=t0.isoformat())
    outpatient = submit(submitted_at=t0.isoformat())
    assert (detox.track, outpatient.track) == ("detox", "outpatient")

    def sweep(minutes):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_services.alerts_sweep(now=t0 + datetime.timedelta(minutes=minutes))

    assert sweep(119)["raised"] == 0  # detox's target is 120 minutes
    assert sweep(121)["raised"] == 1
    assert sweep(122)["raised"] == 0  # once per intake and level
    assert sweep(600)["raised"] == 0
    assert len(_overdue_mails()) == 1
    alert = Alert.objects.get(reason="overdue")
    assert (alert.intake, alert.level) == (detox, "detox")
    assert alert.target_at == t0 + datetime.timedelta(minutes=120)
    assert_says_nothing_about_health(_overdue_mails()[0])
    # A clinician moves it to inpatient (target 240 minutes, passed already): a new level.
    detox.refresh_from_db()
    intake_track_review(intake=detox, actor=clinician, action="override", track="inpatient",
                        reason="lives alone", expected_version=detox.version,
                        now=t0 + datetime.timedelta(minutes=300))  # fmt: skip
    assert sweep(601)["raised"] == 1
    assert sweep(602)["raised"] == 0
    assert sweep(24 * 60 + 1)["raised"] == 1  # the outpatient one, after a day
    assert sweep(24 * 60 + 2)["raised"] == 0
    assert sorted(Alert.objects.values_list("intake", "level")) == sorted(
        [(detox.pk, "detox"), (detox.pk, "inpatient"), (outpatient.pk, "outpatient")]
    )
    assert len(_overdue_mails()) == 3


def test_an_intake_tried_closed_or_long_past_raises_no_overdue_alert(
    on_call, coordinator, submit, django_capture_on_commit_callbacks
):
    t0 = timezone.now()
    tried = submit(submitted_at=t0.isoformat())
    contact_attempt_add(intake=tried, actor=coordinator, expected_version=tried.version,
                        channel="phone", outcome="no_answer",
                        now=t0 + datetime.timedelta(hours=1))  # fmt: skip
    closed = submit(submitted_at=t0.isoformat(), status="admitted")
    old = submit(submitted_at=(t0 - datetime.timedelta(days=10)).isoformat())
    untouched = submit(submitted_at=t0.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        swept = alert_services.alerts_sweep(now=t0 + datetime.timedelta(days=1, minutes=5))
    assert swept["raised"] == 1, (tried, closed, old)
    assert list(Alert.objects.values_list("intake", flat=True)) == [untouched.pk]


# --- housekeeping on beat ---------------------------------------------------------------------


def test_the_nightly_audit_check_alerts_administrators_once_when_the_chain_is_broken(
    administrator, coordinator, django_capture_on_commit_callbacks
):
    administrator.email = "carol@example.org"
    administrator.save()
    audit_record(action=AuditEvent.Action.VIEW, actor=coordinator, reference="K7M2-Q9XD")
    assert verify_audit() is True
    assert Alert.objects.count() == 0
    assert checkpoint_path().read_text().count("\n") == 1  # the nightly run signed the head
    # A record slipped in out of turn (bulk_create writes no chain link of its own).
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                seq=2,
                key_id="x",
                action=AuditEvent.Action.VIEW,
                actor_username="x",
                prev_hash="0" * 64,
                hash="f" * 64,
            )  # fmt: skip
        ]  # fmt: skip
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_audit() is False
        assert verify_audit() is False  # beat ran twice: still one alert that night
    alert = Alert.objects.get()
    assert (alert.reason, alert.recipients, alert.state) == ("audit", ["carol@example.org"], "sent")
    assert len(mail.outbox) == 1
    assert "audit trail" in mail.outbox[0].body


def test_the_daily_purge_deletes_expired_drafts(db):
    draft, _token = draft_create()
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    kept, _token = draft_create()
    purge_drafts()
    purge_drafts()  # twice is harmless
    assert list(Draft.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_beat_schedule_names_real_tasks(settings):
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["alerts-sweep"]["schedule"] == 60.0


# --- what staff see -----------------------------------------------------------------------------


def test_the_intake_page_shows_its_alerts_and_attempts_read_only(
    on_call, clinician, client, submit, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_SENDER = "tests.test_alerts.RefusingSender"
    with django_capture_on_commit_callbacks(execute=True):
        intake = submit(symptoms=["coma"])
    client.force_login(clinician)
    page = client.get(reverse("staff:intake", args=[intake.reference])).content.decode()
    assert "Staff alerts" in page
    assert "Emergency intake" in page and "pending" in page
    assert "failed (SMTPConnectError)" in page
    assert "to 2 recipients" in page


def test_my_settings_switches_alerts_on_and_off(clinician, client):
    url = reverse("staff:settings")
    assert client.get(url)["Location"].startswith(reverse("staff:login"))
    client.force_login(clinician)
    # No address yet: switching on is refused with a reason, nothing saved.
    response = client.post(url, {"receives_alerts": "on"})
    assert response.status_code == 400
    assert "no e-mail address" in response.content.decode()
    clinician.refresh_from_db()
    assert not clinician.receives_alerts
    clinician.email = "bob@example.org"
    clinician.save()
    assert client.post(url, {"receives_alerts": "on"})["Location"] == url
    clinician.refresh_from_db()
    assert clinician.receives_alerts
    page = client.get(url).content.decode()
    assert "Your settings are saved." in page and "checked" in page
    client.post(url, {})
    clinician.refresh_from_db()
    assert not clinician.receives_alerts
    assert 'href="/staff/settings/"' in client.get(reverse("staff:queue")).content.decode()


def test_the_admin_lists_failed_alerts_read_only(administrator, client, submit):
    administrator.is_superuser = True
    administrator.save()
    with transaction.atomic():
        submit(symptoms=["coma"])  # nobody receives alerts: failed at once
    client.force_login(administrator)
    listing = client.get(reverse("admin:intake_alert_changelist") + "?state__exact=failed")
    assert listing.status_code == 200
    assert "Emergency intake" in listing.content.decode()
    alert = Alert.objects.get()
    page = client.get(reverse("admin:intake_alert_change", args=[alert.pk])).content.decode()
    assert "NoRecipients" in page and 'name="_save"' not in page
    assert AlertAttempt.objects.count() == 1


def test_a_wizard_submit_that_fails_after_storing_the_intake_leaves_no_alert(
    on_call, client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError

    from intake.services import intakes
    from tests.test_wizard_emergency import symptoms_post
    from tests.test_wizard_walk import Walk, answers_for

    walk = Walk(client, answers_for(symptoms=symptoms_post("coma"))).run(until="review")
    raise_alert = intakes.alerts_for_submitted_intake

    def fail(intake, **kwargs):
        raise_alert(intake, **kwargs)
        assert Alert.objects.count() == 1  # the alert row is in the submit transaction...
        raise DatabaseError("the submit failed after its alert")

    monkeypatch.setattr(intakes, "alerts_for_submitted_intake", fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DatabaseError):
        walk.post_step("review")
    assert Alert.objects.count() == 0  # ...and rolled back with it: no row, no e-mail
    assert Intake.objects.count() == 0
    assert mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert walk.post_step("review").status_code == 302  # trying again works, once
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1


def test_the_sweep_command_for_cron_without_a_broker(on_call, submit):
    from io import StringIO

    from django.core.management import call_command

    intake = submit()
    _pending_alert(intake, timezone.now() - datetime.timedelta(minutes=5))  # lost task
    out = StringIO()
    call_command("alerts_sweep", stdout=out)
    assert "1 re-queued" in out.getvalue()
    assert len(mail.outbox) == 1


def test_administrators_see_failed_alerts_on_the_queue_and_in_the_admin(
    administrator, coordinator, client, submit
):
    with transaction.atomic():
        submit(symptoms=["coma"])  # nobody receives alerts: failed at once
    client.force_login(coordinator)
    assert "could not be delivered" not in client.get(reverse("staff:queue")).content.decode()
    client.force_login(administrator)  # an administrator, not a superuser
    page = client.get(reverse("staff:queue")).content.decode()
    assert "1 staff alert could not be delivered in the last 7 days." in page
    listing = client.get(reverse("admin:intake_alert_changelist") + "?state__exact=failed")
    assert listing.status_code == 200 and "Emergency intake" in listing.content.decode()
    assert not administrator.has_perm("intake.change_alert")
