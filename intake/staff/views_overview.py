"""/staff/overview/: charts of the intake flow for administrators (intake.view_overview)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intake.choices import Escalation, Track

from .access import OVERVIEW, staff_required
from .overview import WEEKS, overview_data


@require_GET
@staff_required(OVERVIEW)
def overview(request: HttpRequest) -> HttpResponse:
    data = overview_data()
    # Labels travel with the numbers so that overview.js holds no user-facing text.
    chart_data = {
        **data,
        "labels": {
            "tracks": {code: str(label) for code, label in Track.choices},
            "escalations": {
                code: str(Escalation(code).label)
                for code in (Escalation.EMERGENCY, Escalation.CRISIS)
            },
            "median": _("Median hours to first staff action"),
            "override_rate": _("Override rate (%)"),
            "intakes": _("Intakes"),
            "hours": _("Hours"),
            "week_of": _("Week of"),
        },
    }
    rows = [
        {
            "week": week,
            "tracks": [data["tracks"][code][index] for code in Track.values],
            "emergency": data["escalations"][Escalation.EMERGENCY][index],
            "crisis": data["escalations"][Escalation.CRISIS][index],
            "median": data["median_hours"][index],
        }
        for index, week in enumerate(data["weeks"])
    ]
    return render(
        request,
        "staff/overview.html",
        {
            "chart_data": chart_data,
            "data": data,
            "week_rows": rows,
            "track_choices": Track.choices,
            "weeks": WEEKS,
        },
    )
