"""Alerts to staff: a row first, written in the transaction that causes it, then sent.

The row is the record of what must happen (Redis keeps nothing): the task that sends it is
queued when the transaction commits, and the sweep re-sends any alert still pending after a
grace time. An alert names its intake by id only; the message says nothing about health.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    class Reason(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency intake")
        CRISIS = "crisis", _("Crisis intake")
        OVERDUE = "overdue", _("First contact overdue")
        AUDIT = "audit", _("Audit verification failed")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # One alert per cause, e.g. "intake:42:emergency", "intake:42:overdue:crisis",
    # "audit:2026-11-29": a second sweep, a second beat or a replayed submit adds nothing.
    key = models.CharField(max_length=100, unique=True, editable=False)
    intake = models.ForeignKey(
        "intake.Intake",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("intake"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    # For overdue alerts: the urgency whose first-contact target passed.
    level = models.CharField(_("level"), max_length=16, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The time the message quotes as the target (first-contact target, or when it came in).
    target_at = models.DateTimeField(_("target time"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="alert_pending_due",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_state_display()})"


class AlertAttempt(models.Model):
    """One try at sending an alert: when, and the class of the error if it failed."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("time"), default=timezone.now)
    ok = models.BooleanField(_("delivered"))
    # An exception class name only (e.g. SMTPServerDisconnected): never a message text, which
    # could quote an address.
    error = models.CharField(_("error"), max_length=100, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert attempt")
        verbose_name_plural = _("alert attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"
