"""Raising, sending and sweeping alerts (rows in intake/models/alerts.py).

- `alerts_for_submitted_intake` runs inside the submit transaction: the alert exists exactly
  when the intake does, and its task is queued only once that transaction commits.
- `alert_send` locks the row (SKIP LOCKED), sends, then marks it sent, in one transaction:
  two workers handed the same alert never both send it.
- `alerts_sweep` (every minute on beat) raises overdue alerts and re-queues alerts still
  pending after a grace time, so a lost task, a Redis restart or a dead worker delays an alert
  but never loses it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.utils import timezone

from intake import followup
from intake.alerts.messages import compose
from intake.alerts.senders import get_sender
from intake.choices import OPEN_STATUSES, Escalation
from intake.models import Alert, AlertAttempt, ContactAttempt, Intake, User
from intake.models.users import ADMINISTRATORS

logger = logging.getLogger(__name__)

ESCALATION_REASONS = {Escalation.EMERGENCY: Alert.Reason.EMERGENCY,
                      Escalation.CRISIS: Alert.Reason.CRISIS}  # fmt: skip
# Intakes whose first contact fell due longer ago than this never raise an overdue alert:
# an import of old records, or a first start with a backlog, must not page everyone at once.
OVERDUE_LOOKBACK = datetime.timedelta(days=2)


def urgency(intake: Intake) -> str:
    """The key of FIRST_CONTACT_TARGETS that applies (intake/followup.py)."""
    return followup.urgency(escalation=intake.escalation, track=intake.track)


def first_contact_due(intake: Intake) -> datetime.datetime:
    """When the first contact attempt is (or was) due: submitted + the urgency's target."""
    return intake.submitted_at + followup.first_contact_target(
        escalation=intake.escalation, track=intake.track, targets=settings.FIRST_CONTACT_TARGETS
    )


def alert_recipients(reason: str) -> list[str]:
    """Active staff who switched alerts on, plus the on-call inbox (ALERT_EMAILS). An audit
    failure goes to the administrators (and ADMINS) instead."""
    users = User.objects.filter(is_active=True).exclude(email="")
    if reason == Alert.Reason.AUDIT:
        users = users.filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATORS))
        extra = [address for _name, address in settings.ADMINS]
    else:
        users = users.filter(receives_alerts=True)
        extra = list(settings.ALERT_EMAILS)
    seen: dict[str, str] = {}
    for address in [*users.values_list("email", flat=True), *extra]:
        seen.setdefault(address.strip().lower(), address.strip())
    return sorted(seen.values(), key=str.lower)


def alert_raise(
    *,
    key: str,
    reason: str,
    intake: Intake | None = None,
    level: str = "",
    target_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    new_key: bool = False,
) -> Alert | None:
    """Write the alert row (once per key) in the caller's transaction; queue its send on
    commit. Returns None when an alert with this key exists already. ``new_key``: the caller
    knows no alert can have this key (its intake was created in this transaction), so the
    savepoint that survives a duplicate is not needed."""
    clock = timezone.now()
    now = now or clock
    recipients = alert_recipients(reason)
    row = {"key": key, "reason": reason, "intake": intake, "level": level,
           "recipients": recipients, "target_at": target_at, "created_at": now,
           "next_attempt_at": min(now, clock)}  # fmt: skip
    if new_key:
        alert = Alert.objects.create(**row)
    else:
        try:
            with transaction.atomic():  # a savepoint: a duplicate key leaves the caller usable
                alert = Alert.objects.create(**row)
        except IntegrityError:
            return None
    if not recipients:
        # Nobody to tell: an administrator must see it (the admin lists failed alerts).
        AlertAttempt.objects.create(alert=alert, at=now, ok=False, error="NoRecipients")
        Alert.objects.filter(pk=alert.pk).update(state=Alert.State.FAILED, attempt_count=1)
        alert.state = Alert.State.FAILED
        logger.error("alert %s has no recipients: nobody receives alerts", alert.pk)
        return alert
    transaction.on_commit(partial(enqueue_send, alert.pk))
    return alert


def raises_alert(intake: Intake) -> bool:
    """Whether alerts_for_submitted_intake raises an alert for this new intake."""
    return intake.escalation in ESCALATION_REASONS


def alerts_for_submitted_intake(intake: Intake, *, now: datetime.datetime | None = None):
    """Called inside the submit transaction, right after the intake's insert: an emergency or
    crisis intake raises its alert (a new intake has none yet)."""
    reason = ESCALATION_REASONS.get(intake.escalation)
    if reason is None:
        return None
    return alert_raise(
        key=f"intake:{intake.pk}:{reason}",
        reason=reason,
        intake=intake,
        level=intake.escalation,
        target_at=intake.contact_due_at or first_contact_due(intake),
        now=now,
        new_key=True,
    )


def enqueue_send(alert_id: int) -> None:
    """Queue the send task. If Redis cannot be reached the row stays pending and the sweep
    sends it later; the request that raised it never fails for this."""
    from intake.tasks import send_alert

    try:
        send_alert.delay(alert_id)
    except Exception as exc:  # noqa: BLE001 - the broker's errors vary; the sweep recovers
        logger.warning("alert %s not queued (%s); the sweep will send it", alert_id,
                       type(exc).__name__)  # fmt: skip


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 5, 10, 30 minutes, then every 30 minutes (settings.ALERT_RETRY_DELAYS)."""
    delays = settings.ALERT_RETRY_DELAYS
    return datetime.timedelta(seconds=delays[min(attempts, len(delays)) - 1])


@dataclass(frozen=True)
class SendOutcome:
    state: str
    retry_in: datetime.timedelta | None = None


def alert_send(alert_id: int, *, now: datetime.datetime | None = None) -> SendOutcome | None:
    """Send one due alert. None when there is nothing to do: it is sent or failed already,
    not due yet, or another worker holds it right now."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("intake")
            .filter(pk=alert_id, state=Alert.State.PENDING)
            .first()
        )
        now = now or timezone.now()
        if alert is None or alert.next_attempt_at > now:
            return None
        try:
            get_sender().send(compose(alert))
        except Exception as exc:  # noqa: BLE001 - every failure is an attempt to retry
            error = type(exc).__name__
            AlertAttempt.objects.create(alert=alert, at=now, ok=False, error=error)
            alert.attempt_count += 1
            if now - alert.created_at >= settings.ALERT_GIVE_UP:
                alert.state = Alert.State.FAILED
                logger.error("alert %s failed for good after %d attempts (%s)", alert.pk,
                             alert.attempt_count, error)  # fmt: skip
                alert.save(update_fields=["attempt_count", "state"])
                return SendOutcome(alert.state)
            delay = retry_delay(alert.attempt_count)
            alert.next_attempt_at = now + delay
            alert.save(update_fields=["attempt_count", "next_attempt_at"])
            logger.warning("alert %s not sent (%s); next try in %ss", alert.pk, error,
                           int(delay.total_seconds()))  # fmt: skip
            return SendOutcome(alert.state, retry_in=delay)
        AlertAttempt.objects.create(alert=alert, at=now, ok=True)
        alert.attempt_count += 1
        alert.state = Alert.State.SENT
        alert.sent_at = now
        alert.save(update_fields=["attempt_count", "state", "sent_at"])
        return SendOutcome(alert.state)


def alerts_overdue(*, now: datetime.datetime | None = None) -> list[Alert]:
    """Raise an alert for each open intake past its first-contact target with no contact
    attempt: once per intake and level (a changed urgency may alert again)."""
    now = now or timezone.now()
    raised = []
    for intake in overdue_candidates(now=now):
        due, level = intake.contact_due_at, intake.alert_level
        with transaction.atomic():
            alert = alert_raise(
                key=f"intake:{intake.pk}:overdue:{level}", reason=Alert.Reason.OVERDUE,
                intake=intake, level=level, target_at=due, now=now,
            )  # fmt: skip
        if alert is not None:
            raised.append(alert)
    return raised


def overdue_candidates(*, now: datetime.datetime):
    """Open intakes with no contact attempt whose first-contact time has passed, with no
    overdue alert at their current urgency yet (contact_due_at is kept by intake/followup.py:
    the first-contact target until the first attempt, null once closed)."""
    level = Case(
        When(escalation__in=[Escalation.EMERGENCY, Escalation.CRISIS], then=F("escalation")),
        default=F("track"),
    )
    already = Alert.objects.filter(
        intake=OuterRef("pk"), reason=Alert.Reason.OVERDUE, level=OuterRef("alert_level")
    )
    return (
        Intake.objects.filter(
            attempt_count=0,
            status__in=OPEN_STATUSES,
            contact_due_at__lt=now,
            contact_due_at__gte=now - OVERDUE_LOOKBACK,
        )
        .exclude(Exists(ContactAttempt.objects.filter(intake=OuterRef("pk"))))
        .annotate(alert_level=level)
        .exclude(Exists(already))
        .only("pk", "reference", "submitted_at", "escalation", "track", "contact_due_at")
        .order_by("contact_due_at")
    )


def alerts_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Every minute: raise overdue alerts, and re-queue pending alerts past their grace time."""
    now = now or timezone.now()
    raised = alerts_overdue(now=now)
    stale = list(
        Alert.objects.filter(
            state=Alert.State.PENDING, next_attempt_at__lte=now - settings.ALERT_SWEEP_GRACE
        ).values_list("pk", flat=True)[:500]
    )
    for alert_id in stale:
        enqueue_send(alert_id)
    return {"raised": len(raised), "requeued": len(stale)}


def audit_failure_alert(*, day: datetime.date, now: datetime.datetime | None = None):
    with transaction.atomic():
        return alert_raise(key=f"audit:{day.isoformat()}", reason=Alert.Reason.AUDIT, now=now)


def enqueue_send_later(alert_id: int, delay: datetime.timedelta) -> None:
    from intake.tasks import send_alert

    try:
        send_alert.apply_async((alert_id,), countdown=delay.total_seconds())
    except Exception as exc:  # noqa: BLE001 - the sweep recovers
        logger.warning("alert %s retry not queued (%s); the sweep will send it", alert_id,
                       type(exc).__name__)  # fmt: skip
