"""Logging a contact attempt, and what it does to the intake's first-contact clock.

One transaction appends the attempt, its timeline line and its audit record, moves the clock
(``contact_due_at``: the attempt's ``next_due_at``) and, only when the user confirmed it, the
status change the outcome suggests (``intake.followup.suggested_status``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake import followup
from intake.models import AuditEvent, ContactAttempt, Intake, IntakeEvent, User
from intake.services.staff import WORK_QUEUE, _apply, _created, _require, intake_status_change

ERRORS = {
    "voicemail_reason": _(
        "They said a voicemail is not safe for them. Give the reason a voicemail was left anyway."
    ),
    "next_due_past": _("Choose a next attempt time later than now."),
    "status_not_suggested": _("That status change does not follow from this outcome."),
}


@transaction.atomic
def contact_attempt_add(
    *,
    intake: Intake,
    actor: User,
    expected_version: int,
    channel: str,
    outcome: str,
    note: str = "",
    voicemail_reason: str = "",
    next_due_at: datetime.datetime | None = None,
    apply_status: str = "",
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ContactAttempt:
    """Append one contact attempt; apply the outcome's status only if ``apply_status`` says so.

    ``apply_status`` is the status the user confirmed (the one ``suggested_status`` offered);
    anything else is refused, so that a stale or forged form cannot move the intake elsewhere.
    """
    _require(actor, WORK_QUEUE)
    now = now or timezone.now()
    attempt = ContactAttempt(
        intake=intake,
        actor=actor,
        created_at=now,
        channel=channel,
        outcome=outcome,
        note=note.strip(),
        voicemail_reason=voicemail_reason.strip(),
        next_due_at=None if outcome == ContactAttempt.Outcome.DECLINED else next_due_at,
    )
    if attempt.left_voicemail and intake.voicemail_ok is False and not attempt.voicemail_reason:
        raise ValidationError(
            {"voicemail_reason": ERRORS["voicemail_reason"]}, code="voicemail_reason"
        )
    if attempt.next_due_at is not None and attempt.next_due_at <= now:
        raise ValidationError(ERRORS["next_due_past"], code="next_due_past")
    suggestion = followup.suggested_status(
        outcome=outcome, status=intake.status, reached_before=intake.first_reached_at is not None
    )
    if apply_status and apply_status != suggestion:
        raise ValidationError(ERRORS["status_not_suggested"], code="status_not_suggested")
    attempt.full_clean(exclude=["intake", "actor"])
    fields = {
        "attempt_count": intake.attempt_count + 1,
        "contact_due_at": attempt.next_due_at if intake.status in followup.OPEN else None,
    }
    if intake.first_attempt_at is None:
        fields["first_attempt_at"] = now
    if outcome == ContactAttempt.Outcome.REACHED and intake.first_reached_at is None:
        fields["first_reached_at"] = now
    _apply(
        intake=intake,
        expected_version=expected_version,
        actor=actor,
        fields=fields,
        event={
            "kind": IntakeEvent.Kind.CONTACT,
            "old_value": channel,
            "new_value": outcome,
            "text": attempt.note,
        },
        audit_action=AuditEvent.Action.CONTACT,
        # Channel and outcome only: the note may carry health details.
        audit_detail=f"contact attempt: {channel}, {outcome}",
        ip_address=ip_address,
        now=now,
    )
    _created(attempt)
    if apply_status:
        intake_status_change(
            intake=intake,
            actor=actor,
            status=apply_status,
            expected_version=intake.version,
            ip_address=ip_address,
            now=now,
        )
    return attempt
