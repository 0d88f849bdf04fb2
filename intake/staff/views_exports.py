"""Disclosures: the printable summary of one intake and the CSV export of the filtered queue.

Both carry the 42 CFR Part 2 redisclosure notice and both are audited. The printable summary is
for administrators (intake.export_intakes); the CSV for anyone who works the queue, of what the
queue shows them.
"""

from __future__ import annotations

import csv

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intake.choices import Escalation, Status
from intake.http import who_acted
from intake.models import AuditEvent, ContactAttempt, Intake
from intake.services.audit import audit_record

from . import presenters, selectors
from .access import EXPORT, WORK_QUEUE, get_intake_for_user, staff_required
from .filters import QueueFilter
from .notices import PART2_NOTICE_PARAGRAPHS, PART2_NOTICE_TITLE, part2_notice_text
from .presenters import text_choice_label
from .views_intake import intake_context, timeline_items

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell's text, with a leading apostrophe if a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@require_GET
@staff_required(EXPORT)
def intake_print(request: HttpRequest, reference: str) -> HttpResponse:
    intake = get_intake_for_user(request, reference)
    context = {
        **intake_context(intake),
        "timeline": timeline_items(selectors.intake_timeline(intake=intake)),
        "latest_review": selectors.latest_review(intake=intake),
        "notice_title": PART2_NOTICE_TITLE,
        "notice": PART2_NOTICE_PARAGRAPHS,
        "printed_at": timezone.now(),
    }
    audit_record(action=AuditEvent.Action.PRINT, intake=intake, **who_acted(request))
    return render(request, "staff/intake_print.html", context)


def _columns() -> list[tuple[str, object]]:
    """(heading, how to read the cell from an intake) in export order."""
    return [
        (_("Reference"), lambda i: i.reference),
        (_("Submitted"), lambda i: timezone.localtime(i.submitted_at).isoformat()),
        (_("Status"), lambda i: Status(i.status).label),
        (_("Escalation"), lambda i: Escalation(i.escalation).label),
        (_("Track"), lambda i: i.get_track_display()),
        (_("Track review"), presenters.track_state),
        (_("Flags"), lambda i: " ".join(i.current_decision.flags) if i.current_decision_id else ""),
        (_("Needs clinician review"), lambda i: _("yes") if i.needs_review else ""),
        (_("Assigned to"), lambda i: i.assigned_to.get_username() if i.assigned_to_id else ""),
        (_("First name"), lambda i: i.first_name),
        (_("Last name"), lambda i: i.last_name),
        (_("Phone"), lambda i: i.phone),
        (_("Email"), lambda i: i.email),
        (_("Preferred contact"), lambda i: i.get_preferred_contact_display()),
        (_("Next contact due"), lambda i: _local(i.contact_due_at)),
        (_("Contact attempts"), lambda i: i.attempt_count),
        (_("First contact attempt"), lambda i: _local(i.first_attempt_at)),
        (_("First reached"), lambda i: _local(i.first_reached_at)),
        (_("Last attempt"), _last_attempt),
    ]


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def _last_attempt(intake) -> str:
    if not intake.attempt_count:
        return ""
    channel = text_choice_label(ContactAttempt.Channel, intake.last_channel)
    outcome = text_choice_label(ContactAttempt.Outcome, intake.last_outcome)
    return f"{channel}: {outcome}, {_local(intake.last_attempt_at)}"


def _with_last_attempt(queryset):
    """Each row with its latest attempt's channel, outcome and time (subqueries, no N+1)."""
    latest = ContactAttempt.objects.filter(intake=OuterRef("pk")).order_by("-created_at", "-id")
    return queryset.annotate(
        last_channel=Subquery(latest.values("channel")[:1]),
        last_outcome=Subquery(latest.values("outcome")[:1]),
        last_attempt_at=Subquery(latest.values("created_at")[:1]),
    )


class _Echo:
    """csv.writer writes into this; each row comes straight back as a string to stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(queryset, columns):
    writer = csv.writer(_Echo())
    # The notice travels inside the file, ahead of the data it protects.
    yield "\ufeff" + writer.writerow([str(PART2_NOTICE_TITLE)])
    yield writer.writerow([part2_notice_text()])
    yield writer.writerow([])
    yield writer.writerow([neutralise(heading) for heading, _read in columns])
    for intake in queryset.iterator(chunk_size=2000):
        yield writer.writerow([neutralise(read(intake)) for _heading, read in columns])


@require_GET
@staff_required(WORK_QUEUE)  # anyone who works the queue may take away what it shows them
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as filtered on screen (same query string), streamed row by row."""
    filterset = QueueFilter(
        request.GET, queryset=selectors.queue_intakes(), request=request, now=timezone.now()
    )
    queryset = filterset.qs if filterset.is_valid() else Intake.objects.none()
    rows = queryset.count()
    audit_record(
        action=AuditEvent.Action.EXPORT,
        **who_acted(request),
        detail=f"{rows} rows; filters: {_filter_summary(filterset)}",
    )
    response = StreamingHttpResponse(
        _csv_lines(_with_last_attempt(queryset), _columns()), content_type="text/csv; charset=utf-8"
    )
    filename = f"intakes-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filter_summary(filterset: QueueFilter) -> str:
    """Which filters were used, by name only: search text can be a patient's name."""
    if not filterset.is_valid():
        return "invalid"
    used = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", False) or (
            hasattr(value, "start") and not (value.start or value.stop)
        ):
            continue
        used.append(name if name in ("q", "submitted", "mine") else f"{name}={value}")
    return ", ".join(used) or "none"
