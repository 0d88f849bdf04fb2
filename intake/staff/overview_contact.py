"""The first-contact numbers of /staff/overview/: how fast people are tried and reached.

For the intakes submitted in the overview's weeks, by urgency (intake/followup.py):
- the time from submission to the first contact attempt, median and 90th percentile, per week
  of submission and over the whole window;
- the share reached within the first-contact target, of those whose target has passed (or who
  were reached before it);
- how many attempts it took to reach someone (attempts up to the one that reached them).

A few aggregate queries whatever the volume. On PostgreSQL the percentiles are ordered-set
aggregates (PERCENTILE_CONT for the median, PERCENTILE_DISC for the 90th: the nearest rank, a
value that occurred); SQLite has none, so there the minutes come back and Python takes them
the same way.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncWeek

from intake import followup
from intake.choices import Escalation
from intake.models import ContactAttempt

ATTEMPT_BUCKETS = ("1", "2", "3", "4+")


class _MinutesPercentile(Aggregate):
    """PostgreSQL: a percentile of (first_attempt_at - submitted_at) in minutes."""

    output_field = FloatField()
    template = (
        "%(function)s(%(share)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "
        "(%(expressions)s)) / 60.0)"
    )
    arg_joiner = " - "

    def __init__(self, function: str, share: float):
        super().__init__(F("first_attempt_at"), F("submitted_at"), function=function, share=share)


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile by the nearest-rank method (a value that occurred)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _urgency():
    return Case(
        When(escalation__in=[Escalation.EMERGENCY, Escalation.CRISIS], then=F("escalation")),
        default=F("track"),
        output_field=CharField(),
    )


def _deadline(targets: Mapping[str, int]):
    target = Case(
        *(
            When(urgency=code, then=Value(datetime.timedelta(minutes=minutes)))
            for code, minutes in targets.items()
        ),
        output_field=DurationField(),
    )
    return ExpressionWrapper(F("submitted_at") + target, output_field=DateTimeField())


def first_contact_stats(
    *,
    window: QuerySet,
    weeks: list[datetime.date],
    week_of,
    targets: Mapping[str, int],
    now: datetime.datetime,
    tz: datetime.tzinfo,
) -> dict:
    """``week_of(moment)`` gives the week (a date in ``weeks``) a submission falls in."""
    tried = window.filter(first_attempt_at__isnull=False).annotate(urgency=_urgency())
    weekly_cells, overall = _percentiles(tried, week_of, tz)
    judged = (
        window.annotate(urgency=_urgency())
        .annotate(deadline=_deadline(targets))
        .values("urgency")
        .annotate(
            judged=Count(
                "pk", filter=Q(deadline__lte=now) | Q(first_reached_at__lte=F("deadline"))
            ),
            within=Count("pk", filter=Q(first_reached_at__lte=F("deadline"))),
        )
    )
    judged_by = {row["urgency"]: row for row in judged}
    summary = []
    for urgency in followup.URGENCIES:
        cell = overall.get(urgency, {})
        counts = judged_by.get(urgency, {"judged": 0, "within": 0})
        summary.append(
            {
                "urgency": urgency,
                "target_minutes": targets[urgency],
                "attempted": cell.get("n", 0),
                "median": cell.get("median"),
                "p90": cell.get("p90"),
                "judged": counts["judged"],
                "within": counts["within"],
                "within_share": round(100 * counts["within"] / counts["judged"])
                if counts["judged"]
                else None,
            }
        )
    empty = {"median": None, "p90": None}
    weekly = {
        urgency: [
            {k: weekly_cells.get((week, urgency), empty)[k] for k in ("median", "p90")}
            for week in weeks
        ]
        for urgency in followup.URGENCIES
    }
    return {"summary": summary, "weekly": weekly, "attempts": _attempts_to_reach(window)}


def _percentiles(tried: QuerySet, week_of, tz) -> tuple[dict, dict]:
    """({(week, urgency): {median, p90}}, {urgency: {n, median, p90}})."""
    if connection.vendor == "postgresql":
        stats = {
            "n": Count("pk"),
            "median": _MinutesPercentile("PERCENTILE_CONT", 0.5),
            "p90": _MinutesPercentile("PERCENTILE_DISC", 0.9),
        }
        weekly_rows = (
            tried.annotate(week=TruncWeek("submitted_at", tzinfo=tz))
            .values("week", "urgency")
            .annotate(**stats)
        )
        weekly = {(week_of(row["week"]), row["urgency"]): row for row in weekly_rows}
        overall = {row["urgency"]: row for row in tried.values("urgency").annotate(**stats)}
        return weekly, overall
    minutes: dict = defaultdict(list)
    by_urgency: dict = defaultdict(list)
    for submitted, first, urgency in tried.values_list(
        "submitted_at", "first_attempt_at", "urgency"
    ):
        value = (first - submitted).total_seconds() / 60
        minutes[(week_of(submitted), urgency)].append(value)
        by_urgency[urgency].append(value)

    def cell(values):
        return {
            "n": len(values),
            "median": statistics.median(values),
            "p90": percentile(values, 0.9),
        }

    return (
        {key: cell(values) for key, values in minutes.items()},
        {key: cell(values) for key, values in by_urgency.items()},
    )


def _attempts_to_reach(window: QuerySet) -> dict:
    """How many attempts reaching each reached person took: a histogram and the mean."""
    counts = (
        ContactAttempt.objects.filter(
            intake__in=window.filter(first_reached_at__isnull=False).values("pk"),
            created_at__lte=F("intake__first_reached_at"),
        )
        .values("intake")
        .annotate(n=Count("*"))
        .values_list("n", flat=True)
    )
    histogram = dict.fromkeys(ATTEMPT_BUCKETS, 0)
    total = reached = 0
    for n in counts:
        histogram[str(n) if n < 4 else "4+"] += 1
        total += n
        reached += 1
    return {
        "histogram": histogram,
        "reached": reached,
        "mean": round(total / reached, 1) if reached else None,
    }
