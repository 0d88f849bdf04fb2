"""What every Intake admin page shares: audited changes and changelists that stay fast.

- Changes made in the admin go on the audit trail (action "admin"), by field name only.
- Changelists never count a whole big table: `show_full_result_count` is off and the
  paginator asks PostgreSQL for its row estimate on an unfiltered list, and otherwise counts
  at most CAP rows (past CAP, narrow the list with a filter or a search).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

from intake.http import who_acted
from intake.models import AuditEvent
from intake.services.audit import audit_record

COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    """Paginator whose count costs at most CAP rows of work, or a catalog lookup."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:
            return len(queryset)
        if connection.vendor == "postgresql" and not query.where:
            estimate = _estimated_rows(queryset.model._meta.db_table)
            if estimate >= self.cap:
                return estimate
        # A sliced count is COUNT(*) over a LIMITed subquery: it stops after cap + 1 rows.
        return queryset[: self.cap + 1].count()


def _estimated_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


def _reference(obj) -> str:
    """The intake reference an admin change concerns, if any (never the change's content)."""
    if hasattr(obj, "reference") and obj._meta.model_name == "intake":
        return obj.reference
    intake = getattr(obj, "intake", None)
    return getattr(intake, "reference", "") if intake is not None else ""


def _fields(message) -> str:
    """Field names from an admin change message (a list of {"changed": {"fields": [...]}})."""
    names: list[str] = []
    if isinstance(message, list):
        for entry in message:
            for part in entry.values():
                if isinstance(part, dict):
                    names.extend(str(name) for name in part.get("fields", []))
    return ", ".join(names)


class AuditedAdminMixin:
    """Every add, change and delete made through the admin is also an audit record, and so
    is every opening of a record that belongs to an intake (a staff read of the intake)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        reference = _reference(obj) if obj is not None else ""
        if reference and request.method == "GET":
            audit_record(
                action=AuditEvent.Action.VIEW,
                **who_acted(request),
                reference=reference,
                detail=f"admin: opened {obj._meta.label} #{obj.pk}",
            )
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)  # fmt: skip

    def audit_suffix(self, request, obj) -> str:
        """More for the record of a change (names, never health details); none by default."""
        return ""

    def _audit(self, request, obj, verb: str, message=None) -> None:
        fields = _fields(message)
        detail = f"{verb} {obj._meta.label} #{obj.pk}" + (f": {fields}" if fields else "")
        detail += self.audit_suffix(request, obj)
        audit_record(
            action=AuditEvent.Action.ADMIN,
            **who_acted(request),
            reference=_reference(obj),
            detail=detail,
        )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "added", message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "changed", message)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, obj, "deleted")
        return entries


class IntakeModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The base for this app's model admins."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50


class ReadOnlyMixin:
    """Append-only or machine-written records: nobody edits them here, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "intake")]
