"""The triage queue: /staff/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intake.choices import Status, Track

from . import presenters, selectors
from .access import EXPORT, WORK_QUEUE, staff_required
from .filters import ALL, QueueFilter, fold_facets
from .pagination import paginate


def queue_context(request: HttpRequest) -> dict:
    """Filters, facet counts and one page of rows: two queries whatever the table size (the
    facets' GROUP BY doubles as the total, so the page needs no COUNT of its own)."""
    filterset = QueueFilter(request.GET, queryset=selectors.queue_intakes(), request=request)
    if not filterset.is_valid():
        # Bad input (a malformed date): show the errors and an empty page, not a 500.
        filterset.queryset = filterset.queryset.none()
    matrix = selectors.queue_facet_matrix(filterset.without("status", "track", status=ALL).qs)
    facets = fold_facets(
        matrix, statuses=filterset.chosen_statuses(), track=filterset.chosen_track()
    )
    page = paginate(filterset.qs, raw_page=request.GET.get("page"), total=facets.total)
    rows = [{"intake": intake, "badges": presenters.badges(intake)} for intake in page.items]
    return {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "track_counts": [(code, label, facets.tracks[code]) for code, label in Track.choices],
        "status_counts": [(code, label, facets.statuses[code]) for code, label in Status.choices],
        "can_export": request.user.has_perm(EXPORT),
    }


@require_GET
@staff_required(WORK_QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/queue.html", queue_context(request))
