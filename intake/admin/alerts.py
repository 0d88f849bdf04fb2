"""Alerts and their attempts: read-only here, as on the staff intake page. Failed alerts are
the administrators' to see (filter by state); nobody edits or deletes one."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from intake.models import Alert, AlertAttempt

from .base import IntakeModelAdmin, ReadOnlyInline, ReadOnlyMixin

ALERT_FIELDS = (
    "reason",
    "level",
    "state",
    "recipients",
    "created_at",
    "target_at",
    "attempt_count",
    "next_attempt_at",
    "sent_at",
)


class AlertAttemptInline(ReadOnlyInline):
    model = AlertAttempt
    fields = ("at", "ok", "error")

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class AlertInline(ReadOnlyInline):
    """On the intake's admin page."""

    model = Alert
    fields = ("created_at", "reason", "state", "attempt_count", "sent_at", "recipient_list")
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients) or "—"


@admin.register(Alert)
class AlertAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("created_at", "reason", "state", "intake", "attempt_count", "sent_at")
    list_filter = ("state", "reason")
    search_fields = ("=intake__reference",)
    list_select_related = ("intake",)
    ordering = ("-created_at", "-id")
    fields = ("intake", *ALERT_FIELDS)
    readonly_fields = fields
    inlines = (AlertAttemptInline,)


@admin.register(AlertAttempt)
class AlertAttemptAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("at", "alert", "ok", "error")
    list_filter = ("ok",)
    list_select_related = ("alert",)
    ordering = ("-at", "-id")
    fields = ("alert", "at", "ok", "error")
    readonly_fields = fields
