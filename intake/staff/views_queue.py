"""The triage queue: /staff/."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from intake import followup
from intake.choices import Escalation, Status, Track
from intake.models import Alert, Intake

from . import queue_rows, selectors
from .access import WORK_QUEUE, staff_required
from .filters import QueueFilter, fold_facets
from .pagination import paginate

FAILED_ALERTS_SHOWN = datetime.timedelta(days=7)


def queue_context(request: HttpRequest) -> dict:
    """Filters, facet counts and one page of rows: three queries whatever the table size (the
    facets double as the total, so the page needs no COUNT of its own; with no filter but
    status and track they come from the counts the database keeps, not a GROUP BY)."""
    now = timezone.now()
    filterset = QueueFilter(
        request.GET, queryset=selectors.queue_intakes(), request=request, now=now
    )
    if not filterset.is_valid():
        # Bad input (a malformed date): show the errors and an empty page, not a 500.
        filterset.queryset = filterset.queryset.none()
    counted, narrowed = filterset.counted("status", "track")
    matrix = selectors.queue_facet_matrix(counted, every_intake=not narrowed)
    facets = fold_facets(
        matrix, statuses=filterset.chosen_statuses(), track=filterset.chosen_track()
    )
    searching = filterset.is_valid() and bool(filterset.form.cleaned_data.get("q"))
    page = paginate(
        filterset.qs, raw_page=request.GET.get("page"), total=facets.total, selective=searching
    )
    return {
        "filter": filterset,
        "page": page,
        "rows": queue_rows.render_rows(page.items, now),
        "track_counts": [(code, label, facets.tracks[code]) for code, label in Track.choices],
        "status_counts": [(code, label, facets.statuses[code]) for code, label in Status.choices],
        "can_export": request.user.has_perm(WORK_QUEUE),
    }


@require_safe
@staff_required(WORK_QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    context = queue_context(request)
    context["opened_at"] = timezone.now()
    context["poll_seconds"] = settings.QUEUE_POLL_SECONDS
    context["live_query"] = request.GET.urlencode()
    if request.user.has_perm("intake.view_alert"):
        # Alerts that could not be delivered in a day of trying: an administrator must act.
        context["failed_alerts"] = Alert.objects.filter(
            state=Alert.State.FAILED, created_at__gte=timezone.now() - FAILED_ALERTS_SHOWN
        ).count()
    return render(request, "staff/queue.html", context)


def _since(raw: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def followups_context(request: HttpRequest, now: datetime.datetime) -> dict:
    """The signed-in user's assigned intakes with an attempt due by the end of today (in the
    center's time zone), overdue ones included, soonest first."""
    end_of_today = followup.end_of_day(now, timezone.get_current_timezone())
    queryset = selectors.followups(user=request.user, until=end_of_today)
    page = paginate(queryset, raw_page=request.GET.get("page"), total=queryset.count())
    return {
        "page": page,
        "rows": queue_rows.render_rows(page.items, now),
        "overdue": sum(1 for intake in page.items if intake.contact_due_at < now),
    }


@require_GET
@staff_required(WORK_QUEUE)
def queue_live(request: HttpRequest) -> HttpResponse:
    """The queue's counts and rows for the page's script to swap in place (same filters), and
    how many intakes, and emergencies, came in since the page was opened."""
    since = _since(request.GET.get("since", ""))
    query = request.GET.copy()
    query.pop("since", None)
    request.GET = query  # the page links ({% querystring %}) keep the filters, not `since`
    context = queue_context(request)
    context.update(new_count=0, new_emergencies=0)
    if since is not None:
        context.update(
            Intake.objects.filter(submitted_at__gt=since).aggregate(
                new_count=Count("pk"),
                new_emergencies=Count("pk", filter=Q(escalation=Escalation.EMERGENCY)),
            )
        )
    response = render(request, "staff/_queue_results.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Queue-Live"] = "1"
    return response


@require_GET
@staff_required(WORK_QUEUE)
def my_followups(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/followups.html", followups_context(request, timezone.now()))
