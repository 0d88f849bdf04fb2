"""Append-only records: decisions, track reviews, contact attempts, the timeline and the audit.

Read-only for every role, superusers included (the ORM and database triggers refuse changes
anyway; this keeps the admin from offering them).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from intake.models import AuditEvent, ContactAttempt, IntakeEvent, RoutingDecision, TrackReview

from .base import IntakeModelAdmin, ReadOnlyMixin


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = (
        "intake",
        "created_at",
        "version",
        "escalation",
        "track",
        "next_step",
        "complete",
        "rule_codes",
    )
    list_filter = ("version", "escalation", "track", "complete")
    search_fields = ("=intake__reference",)
    list_select_related = ("intake",)
    ordering = ("-created_at", "-id")

    @admin.display(description=_("fired rules"))
    def rule_codes(self, obj):
        return ", ".join(obj.rule_codes)


@admin.register(TrackReview)
class TrackReviewAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("intake", "created_at", "clinician", "action", "engine_track", "track")
    list_filter = ("action", "engine_track", "track")
    search_fields = ("=intake__reference", "clinician__username")
    list_select_related = ("intake", "clinician")
    ordering = ("-created_at", "-id")


@admin.register(IntakeEvent)
class IntakeEventAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = (
        "intake",
        "created_at",
        "kind",
        "actor",
        "old_value",
        "new_value",
        "intake_version",
    )
    list_filter = ("kind",)
    search_fields = ("=intake__reference", "actor__username")
    list_select_related = ("intake", "actor")
    ordering = ("-created_at", "-id")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = (
        "created_at",
        "actor_username",
        "action",
        "intake_reference",
        "ip_address",
        "detail",
    )
    list_filter = ("action",)
    # Exact matches use the indexes; the audit table is the biggest one there is.
    search_fields = ("=intake_reference", "=actor_username", "=ip_address")
    ordering = ("-id",)
    readonly_fields = (
        "seq",
        "created_at",
        "actor",
        "actor_username",
        "action",
        "intake_reference",
        "ip_address",
        "detail",
        "key_id",
        "prev_hash",
        "hash",
    )
    fields = readonly_fields


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("intake", "created_at", "actor", "channel", "outcome", "next_due_at")
    list_filter = ("channel", "outcome")
    search_fields = ("=intake__reference", "actor__username")
    list_select_related = ("intake", "actor")
    ordering = ("-created_at", "-id")
