"""/staff/overview/: charts of the intake flow for administrators (intake.view_overview)."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from intake import followup
from intake.choices import Escalation, Track

from .access import OVERVIEW, staff_required
from .overview import WEEKS, overview_data

URGENCY_LABELS = {
    "emergency": Escalation.EMERGENCY.label,
    "crisis": Escalation.CRISIS.label,
    "detox": Track.DETOX.label,
    "inpatient": Track.INPATIENT.label,
    "outpatient": Track.OUTPATIENT.label,
}


def _duration(minutes: float | None) -> str:
    return "—" if minutes is None else followup.duration_text(math.ceil(minutes))


def _minutes_pair(cell: dict) -> str:
    if cell["median"] is None:
        return "—"
    return f"{_duration(cell['median'])} / {_duration(cell['p90'])}"


@require_safe
@staff_required(OVERVIEW)
def overview(request: HttpRequest) -> HttpResponse:
    data = overview_data(now=timezone.now())
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
    contact = data["first_contact"]
    contact_weeks = [
        {
            "week": week,
            "cells": [_minutes_pair(contact["weekly"][u][index]) for u in followup.URGENCIES],
        }
        for index, week in enumerate(data["weeks"])
    ]
    contact_summary = [
        {
            **row,
            "label": URGENCY_LABELS[row["urgency"]],
            "target": followup.duration_text(row["target_minutes"]),
            "median_text": _duration(row["median"]),
            "p90_text": _duration(row["p90"]),
        }
        for row in contact["summary"]
    ]
    return render(
        request,
        "staff/overview.html",
        {
            "contact_weeks": contact_weeks,
            "contact_summary": contact_summary,
            "urgency_labels": [URGENCY_LABELS[u] for u in followup.URGENCIES],
            "attempts": contact["attempts"],
            "chart_data": chart_data,
            "data": data,
            "week_rows": rows,
            "track_choices": Track.choices,
            "weeks": WEEKS,
        },
    )
