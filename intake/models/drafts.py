"""Answers in progress, kept on the server, and the shared throttle."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    """An unfinished intake. Only the SHA-256 of the resume token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    # {"step_id": {field: value, ...}, ...} as cleaned by each step's form (JSON-safe).
    answers = models.JSONField(default=dict, blank=True)
    # Steps whose form was saved valid, in the order they were finished.
    completed_steps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    submitted_intake = models.OneToOneField(
        "intake.Intake", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("draft intake")
        verbose_name_plural = _("draft intakes")

    def __str__(self) -> str:
        return str(self.id)


class RateLimit(models.Model):
    """A fixed-window counter shared by every app instance (lives in the database)."""

    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_window"),
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_start")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
