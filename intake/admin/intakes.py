"""Intakes and what hangs off them: substance uses, consent records, drafts, rate limits."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from intake.documents import SUBSTANCE_KEYS
from intake.models import (
    Consent,
    ContactAttempt,
    Draft,
    Intake,
    IntakeEvent,
    QueueCount,
    RateLimit,
    RoutingDecision,
    SubstanceUse,
    TrackReview,
)

from .alerts import AlertInline
from .base import IntakeModelAdmin, ReadOnlyInline, ReadOnlyMixin

# Contact details are the one thing an administrator corrects here (a mistyped phone number).
# Answers stay as the person gave them, and the workflow (status, assignment, track) changes
# only on the staff pages, where it is versioned and lands on the timeline.
EDITABLE_CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_contact",
    "voicemail_ok",
    "state",
    "postal_code",
)
WORKFLOW_FIELDS = (
    "reference",
    "status",
    "submitted_at",
    "assigned_to",
    "first_action_at",
    "contact_due_at",
    "first_attempt_at",
    "first_reached_at",
    "attempt_count",
    "version",
)
# Read-only here: set by the routing decision and the clinician's review.
QUEUE_STATE_FIELDS = (
    "escalation",
    "track",
    "track_confirmed",
    "priority",
    "needs_review",
    "current_decision",
)
ANSWER_FIELDS = (
    "respondent",
    "date_of_birth",
    "sex",
    "used_together",
    "symptoms_answered",
    "withdrawal_seizures",
    "withdrawal_delirium",
    "prior_treatment",
    "relapse_after_treatment",
    "pregnant",
    "seizure_disorder",
    "liver_disease",
    "heart_disease",
    "kidney_disease",
    "respiratory_disease",
    "screening",
    "housing",
    "others_using_at_home",
    "unsafe_home",
    "has_support",
    "duties",
    "readiness",
    "preference",
    "insurance_payer",
    "insurance_member_id",
    "self_pay",
)


class SubstanceUseInline(ReadOnlyInline):
    model = SubstanceUse
    fields = ("substance", *SUBSTANCE_KEYS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("substance")


class ConsentInline(admin.StackedInline):
    """Read-only except the revocation date: a revoked consent is recorded here."""

    model = Consent
    can_delete = False
    extra = 0
    max_num = 1
    readonly_fields = (
        "text_version",
        "contact_ok",
        "privacy_acknowledged",
        "disclosure_ok",
        "disclosure_recipient",
        "disclosure_purpose",
        "disclosure_information",
        "disclosure_expires",
        "signature",
        "signed_on",
        "agreed_at",
    )

    def has_add_permission(self, request, obj=None):
        return False


class RoutingDecisionInline(ReadOnlyInline):
    model = RoutingDecision
    fields = (
        "created_at",
        "version",
        "escalation",
        "track",
        "next_step",
        "flags",
        "complete",
        "missing",
        "rule_codes",
    )
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    @admin.display(description=_("fired rules"))
    def rule_codes(self, obj):
        return ", ".join(obj.rule_codes)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


class TrackReviewInline(ReadOnlyInline):
    model = TrackReview
    fields = ("created_at", "clinician", "action", "engine_track", "track", "reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clinician")


class ContactAttemptInline(ReadOnlyInline):
    model = ContactAttempt
    fields = ("created_at", "actor", "channel", "outcome", "next_due_at", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class IntakeEventInline(ReadOnlyInline):
    model = IntakeEvent
    fields = ("created_at", "kind", "actor", "old_value", "new_value", "text", "intake_version")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Intake)
class IntakeAdmin(IntakeModelAdmin):
    list_display = (
        "reference",
        "full_name",
        "status",
        "escalation",
        "track",
        "track_confirmed",
        "priority",
        "needs_review",
        "submitted_at",
        "assigned_to",
    )
    list_filter = ("status", "escalation", "track", "track_confirmed", "priority", "needs_review")
    search_fields = ("=reference", "last_name", "first_name", "phone", "email")
    list_select_related = ("assigned_to",)
    ordering = ("-submitted_at", "-id")
    readonly_fields = (*WORKFLOW_FIELDS, *QUEUE_STATE_FIELDS, *ANSWER_FIELDS, "symptom_list")
    fieldsets = (
        (_("Contact (editable)"), {"fields": EDITABLE_CONTACT_FIELDS}),
        (_("Workflow"), {"fields": WORKFLOW_FIELDS}),
        (_("Queue (from the recommendation and review)"), {"fields": QUEUE_STATE_FIELDS}),
        (_("Answers"), {"classes": ("collapse",), "fields": (*ANSWER_FIELDS, "symptom_list")}),
    )
    inlines = (
        ConsentInline,
        SubstanceUseInline,
        RoutingDecisionInline,
        TrackReviewInline,
        ContactAttemptInline,
        IntakeEventInline,
        AlertInline,
    )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("symptoms now"))
    def symptom_list(self, obj):
        return ", ".join(s.code for s in obj.symptoms.all()) or "—"

    def has_add_permission(self, request):
        return False  # intakes come from the patient form or an import, never from here

    def has_delete_permission(self, request, obj=None):
        return False  # its decisions and timeline are append-only and point at it

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # A staff page opened before this edit must not save over it unawares.
            Intake.objects.filter(pk=obj.pk).update(version=F("version") + 1)
            obj.refresh_from_db(fields=["version"])


@admin.register(SubstanceUse)
class SubstanceUseAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("intake", "substance", "frequency", "route", "last_use")
    list_filter = ("substance", "frequency", "route")
    search_fields = ("=intake__reference",)
    list_select_related = ("intake", "substance")


@admin.register(Consent)
class ConsentAdmin(IntakeModelAdmin):
    list_display = (
        "intake",
        "text_version",
        "contact_ok",
        "disclosure_ok",
        "signed_on",
        "revoked_at",
    )
    list_filter = ("text_version", "contact_ok", "disclosure_ok", "revoked_at")
    search_fields = ("=intake__reference",)
    list_select_related = ("intake",)
    readonly_fields = ConsentInline.readonly_fields + ("intake",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Draft)
class DraftAdmin(IntakeModelAdmin):
    """Unfinished intakes: who started when, never what they answered."""

    list_display = ("id", "created_at", "updated_at", "expires_at", "step_count", "submitted_at")
    list_filter = ("created_at", "expires_at")
    fields = (
        "id",
        "created_at",
        "updated_at",
        "expires_at",
        "completed_steps",
        "submitted_intake",
        "submitted_at",
    )
    readonly_fields = fields
    ordering = ("-created_at",)

    @admin.display(description=_("steps finished"))
    def step_count(self, obj):
        return len(obj.completed_steps or [])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RateLimit)
class RateLimitAdmin(ReadOnlyMixin, IntakeModelAdmin):
    list_display = ("key", "window_start", "count")
    list_filter = ("window_start",)
    search_fields = ("key",)
    ordering = ("-window_start",)


@admin.register(QueueCount)
class QueueCountAdmin(ReadOnlyMixin, IntakeModelAdmin):
    """The counts the queue shows, kept by database triggers: to look at, never to edit."""

    list_display = ("status", "track_rank", "n")
    ordering = ("status", "track_rank")
