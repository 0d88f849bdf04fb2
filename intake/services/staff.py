"""Staff changes to an intake: assign, change status, review the track, add a note.

Every change is one transaction that
- refuses to write over a change the user has not seen (optimistic concurrency: the page
  carries the version it was rendered from, and the write is ``UPDATE ... WHERE id = %s AND
  version = %s``, which is race-free on SQLite and PostgreSQL alike),
- bumps ``Intake.version`` and sets ``first_action_at`` on the first staff change,
- appends one timeline event (carrying the version it produced) and one audit record.

A stale write raises ``IntakeConflict`` with the events the user has not seen, so the page can
show them and keep the user's input.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake import followup
from intake.catalog import TRACK_RANK
from intake.choices import STATUS_TRANSITIONS, Status, Track
from intake.models import AuditEvent, ContactAttempt, Intake, IntakeEvent, TrackReview, User
from intake.selectors import intake_events_since
from intake.services.audit import audit_record

WORK_QUEUE = "intake.work_queue"
REVIEW_TRACK = "intake.review_track"

# Messages the forms and tests share (STYLE.md: error messages are constants).
ERRORS = {
    "bad_transition": _("An intake that is “%(current)s” cannot move to “%(new)s”."),
    "not_assignable": _("That person cannot work the intake queue."),
    "no_decision": _("This intake has no recommendation to review yet."),
    "reason_required": _("Give a reason for the override."),
    "same_track": _("Choose a track different from the recommendation, or confirm it."),
    "empty_note": _("Write the note first."),
}


class IntakeConflict(Exception):
    """The intake changed since the user's page was rendered from ``expected_version``."""

    def __init__(self, *, intake: Intake, expected_version: int, events: list[IntakeEvent]):
        super().__init__(
            f"intake {intake.reference} is at version {intake.version}, not {expected_version}"
        )
        self.intake = intake
        self.expected_version = expected_version
        self.events = events


def _conflict(intake_id: int, expected_version: int) -> IntakeConflict:
    fresh = Intake.objects.select_related("assigned_to", "current_decision").get(pk=intake_id)
    return IntakeConflict(
        intake=fresh,
        expected_version=expected_version,
        events=intake_events_since(intake_id=intake_id, version=expected_version),
    )


def _apply(
    *,
    intake: Intake,
    expected_version: int,
    actor: User,
    fields: dict,
    event: dict,
    audit_action: str,
    audit_detail: str,
    ip_address: str | None = None,
    now: datetime.datetime,
) -> IntakeEvent:
    """Write ``fields`` only if the intake is still at ``expected_version``; log it twice."""
    updates = dict(fields)
    if intake.first_action_at is None:
        updates["first_action_at"] = now
    new_version = expected_version + 1
    # The version in the WHERE clause is what makes this safe against a concurrent writer:
    # on PostgreSQL the second UPDATE waits for the first to commit, re-reads the row and
    # matches nothing; SQLite serialises writers outright.
    written = Intake.objects.filter(pk=intake.pk, version=expected_version).update(
        version=new_version, **updates
    )
    if written != 1:
        raise _conflict(intake.pk, expected_version)
    for name, value in updates.items():
        setattr(intake, name, value)
    intake.version = new_version
    timeline_event = _created(
        IntakeEvent(intake=intake, actor=actor, created_at=now, intake_version=new_version, **event)
    )
    audit_record(
        action=audit_action,
        actor=actor,
        ip_address=ip_address,
        intake=intake,
        detail=audit_detail,
    )
    return timeline_event


def _created(record):
    """Validate (field lengths, choices, the override-needs-a-reason constraint), then save."""
    record.full_clean()
    record.save()
    return record


def _contact_due(intake: Intake, *, status: str = "", track: str = ""):
    """The intake's next contact due time once its status or track has changed."""
    last_next_due_at = None
    if intake.attempt_count:
        last_next_due_at = (
            ContactAttempt.objects.filter(intake=intake)
            .order_by("-created_at", "-id")
            .values_list("next_due_at", flat=True)
            .first()
        )
    return followup.contact_due_at(
        status=status or intake.status,
        submitted_at=intake.submitted_at,
        escalation=intake.escalation,
        track=track or intake.track,
        attempted=bool(intake.attempt_count),
        last_next_due_at=last_next_due_at,
        targets=settings.FIRST_CONTACT_TARGETS,
    )


def _can_work_queue(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_perm(WORK_QUEUE)


def _require(actor: User, *perms: str) -> None:
    """The service layer's one permission check (the views have made their own)."""
    if not (actor is not None and actor.is_active and actor.has_perms(perms)):
        raise PermissionDenied


@transaction.atomic
def intake_assign(
    *,
    intake: Intake,
    actor: User,
    assignee: User | None,
    expected_version: int,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> IntakeEvent:
    """Assign the intake to ``assignee`` (None: nobody)."""
    _require(actor, WORK_QUEUE)
    if assignee is not None and not _can_work_queue(assignee):
        raise ValidationError(ERRORS["not_assignable"], code="not_assignable")
    before = intake.assigned_to.get_username() if intake.assigned_to_id else ""
    after = assignee.get_username() if assignee is not None else ""
    return _apply(
        intake=intake,
        expected_version=expected_version,
        actor=actor,
        fields={"assigned_to": assignee},
        event={
            "kind": IntakeEvent.Kind.ASSIGNED,
            "old_value": before[:100],
            "new_value": after[:100],
        },
        audit_action=AuditEvent.Action.ASSIGN,
        audit_detail=f"assigned to {after or 'nobody'}",
        ip_address=ip_address,
        now=now or timezone.now(),
    )


@transaction.atomic
def intake_status_change(
    *,
    intake: Intake,
    actor: User,
    status: str,
    expected_version: int,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> IntakeEvent:
    """Move the intake along STATUS_TRANSITIONS."""
    _require(actor, WORK_QUEUE)
    if intake.version == expected_version and status not in STATUS_TRANSITIONS[intake.status]:
        raise ValidationError(
            ERRORS["bad_transition"],
            code="bad_transition",
            params={
                "current": Status(intake.status).label,
                "new": Status(status).label if status in Status.values else status,
            },
        )
    old = intake.status
    return _apply(
        intake=intake,
        expected_version=expected_version,
        actor=actor,
        fields={"status": status, "contact_due_at": _contact_due(intake, status=status)},
        event={"kind": IntakeEvent.Kind.STATUS, "old_value": old, "new_value": status},
        audit_action=AuditEvent.Action.STATUS,
        # Workflow states only; no answers or recommendation in audit text.
        audit_detail=f"status {old} -> {status}",
        ip_address=ip_address,
        now=now or timezone.now(),
    )


@transaction.atomic
def intake_track_review(
    *,
    intake: Intake,
    actor: User,
    action: str,
    expected_version: int,
    track: str = "",
    reason: str = "",
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> TrackReview:
    """A clinician confirms the engine's track, or overrides it with a reason.

    The engine's recommendation is never changed: the review is stored beside the decision it
    reviewed, and the intake's queue track follows the clinician (``track_confirmed``), which
    ``apply_queue_fields`` honours when the intake is routed again.
    """
    _require(actor, WORK_QUEUE, REVIEW_TRACK)
    now = now or timezone.now()
    decision = intake.current_decision
    if decision is None:
        raise ValidationError(ERRORS["no_decision"], code="no_decision")
    reason = reason.strip()
    if action == TrackReview.Action.CONFIRM:
        chosen = decision.track
    elif action == TrackReview.Action.OVERRIDE:
        if not reason:
            raise ValidationError(ERRORS["reason_required"], code="reason_required")
        if track not in Track.values or track == decision.track:
            raise ValidationError(ERRORS["same_track"], code="same_track")
        chosen = track
    else:
        raise ValueError(f"unknown review action {action!r}")
    # A stale expected_version is refused by _apply's UPDATE, which rolls this review back.
    review = _created(
        TrackReview(
            intake=intake,
            decision=decision,
            clinician=actor,
            action=action,
            engine_track=decision.track,
            track=chosen,
            reason=reason,
            created_at=now,
        )
    )
    _apply(
        intake=intake,
        expected_version=expected_version,
        actor=actor,
        fields={
            "track": chosen,
            "track_rank": TRACK_RANK[chosen],
            "track_confirmed": True,
            "contact_due_at": _contact_due(intake, track=chosen),
        },
        event={
            "kind": IntakeEvent.Kind.REVIEWED,
            "old_value": decision.track,
            "new_value": chosen,
            "text": reason,
        },
        audit_action=AuditEvent.Action.REVIEW,
        # The action only: the track itself is clinical information.
        audit_detail=f"track review: {action}",
        ip_address=ip_address,
        now=now,
    )
    return review


@transaction.atomic
def intake_note_add(
    *,
    intake: Intake,
    actor: User,
    text: str,
    expected_version: int,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> IntakeEvent:
    """Append a note to the timeline."""
    _require(actor, WORK_QUEUE)
    text = text.strip()
    if not text:
        raise ValidationError(ERRORS["empty_note"], code="empty_note")
    return _apply(
        intake=intake,
        expected_version=expected_version,
        actor=actor,
        fields={},
        event={"kind": IntakeEvent.Kind.NOTE, "text": text},
        audit_action=AuditEvent.Action.NOTE,
        audit_detail="note added",
        ip_address=ip_address,
        now=now or timezone.now(),
    )
