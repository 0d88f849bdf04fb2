"""Routing decisions, clinicians' reviews of them, and the intake's timeline.

Decisions are immutable: recomputing appends a new row and the intake points at the newest.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.choices import Escalation, Track
from intake.db.instances import new


class ImmutableError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError(f"{self.model.__name__} rows cannot be changed.")

    def delete(self):
        raise ImmutableError(f"{self.model.__name__} rows cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Rows are written once. The guard covers the ORM; the audit table adds database triggers."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{type(self).__name__} rows cannot be deleted.")


class RoutingDecision(AppendOnlyModel):
    intake = models.ForeignKey("intake.Intake", on_delete=models.PROTECT, related_name="decisions")
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)
    version = models.CharField(_("rules version"), max_length=16)
    escalation = models.CharField(_("escalation"), max_length=10, choices=Escalation.choices)
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    next_step = models.CharField(_("after detox"), max_length=10, choices=Track.choices, blank=True)
    flags = models.JSONField(_("flags"), default=list)
    complete = models.BooleanField(_("complete"))
    missing = models.JSONField(_("missing answers"), default=list)
    scores = models.JSONField(_("scores"), default=dict)
    rules = models.JSONField(_("fired rules"), default=list)

    class Meta:
        ordering = ["intake", "-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")

    def __str__(self) -> str:
        return f"{self.version} {self.escalation}/{self.track}"

    @classmethod
    def from_decision(cls, *, intake, created_at, decision) -> "RoutingDecision":
        """An unsaved row for the engine's ``routing.Decision``, stored in ROUTING.md's
        output form (the one place a decision becomes a row)."""
        return new(
            cls,
            intake=intake,
            created_at=created_at,
            version=decision.version,
            escalation=decision.escalation,
            track=decision.track,
            next_step=decision.next_step or "",
            flags=list(decision.flags),
            complete=decision.complete,
            missing=list(decision.missing),
            scores={name: dict(result) for name, result in decision.scores.items()},
            rules=[rule.as_dict() for rule in decision.rules],
        )

    @property
    def rule_codes(self) -> list[str]:
        return [rule["code"] for rule in self.rules]


class TrackReview(AppendOnlyModel):
    """A clinician's confirmation or override of the engine's track."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed")
        OVERRIDE = "override", _("Overridden")

    intake = models.ForeignKey("intake.Intake", on_delete=models.PROTECT, related_name="reviews")
    decision = models.ForeignKey(RoutingDecision, on_delete=models.PROTECT, related_name="reviews")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    engine_track = models.CharField(_("engine's track"), max_length=10, choices=Track.choices)
    track = models.CharField(_("track chosen"), max_length=10, choices=Track.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        ordering = ["intake", "-created_at", "-id"]
        verbose_name = _("track review")
        verbose_name_plural = _("track reviews")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="override") | ~models.Q(reason=""),
                name="trackreview_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.track}"


class IntakeEvent(AppendOnlyModel):
    """One line of an intake's timeline: submitted, status, assignment, review, note, contact."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        REVIEWED = "reviewed", _("Track reviewed")
        NOTE = "note", _("Note")
        CONTACT = "contact", _("Contact attempt")
        ROUTED = "routed", _("Recommendation recomputed")

    # Indexed by event_timeline, which leads with it.
    intake = models.ForeignKey(
        "intake.Intake", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_value = models.CharField(_("from"), max_length=100, blank=True)
    new_value = models.CharField(_("to"), max_length=100, blank=True)
    text = models.TextField(_("text"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # The intake's version this event produced: lets a stale editor see what changed since.
    intake_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["intake", "created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["intake", "created_at"], name="event_timeline")]

    def __str__(self) -> str:
        return self.get_kind_display()
