"""The first-contact numbers of /staff/overview/: how fast people are tried and reached.

For the intakes submitted in the overview's weeks, by urgency (intake/followup.py):
- the time from submission to the first contact attempt, median and 90th percentile, per week
  of submission and over the whole window;
- the share reached within the first-contact target, of those whose target has passed (or who
  were reached before it);
- how many attempts it took to reach someone (attempts up to the one that reached them).

Two queries whatever the volume: the window's intakes (five columns each) and one GROUP BY over
their attempts. The percentiles are taken in Python so both databases agree to the minute.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping

from django.db.models import Count, F, QuerySet

from intake import followup
from intake.models import ContactAttempt

ATTEMPT_BUCKETS = ("1", "2", "3", "4+")


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile by the nearest-rank method (a value that occurred)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _minutes(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 60


def first_contact_stats(
    *,
    window: QuerySet,
    weeks: list[datetime.date],
    week_of,
    targets: Mapping[str, int],
    now: datetime.datetime,
) -> dict:
    """``week_of(submitted_at)`` gives a row's week (a date in ``weeks``)."""
    rows = window.values_list(
        "pk", "submitted_at", "first_attempt_at", "first_reached_at", "escalation", "track"
    )
    by_week: dict[tuple[datetime.date, str], list[float]] = defaultdict(list)
    by_urgency: dict[str, list[float]] = defaultdict(list)
    judged: Counter[str] = Counter()
    within: Counter[str] = Counter()
    reached_ids = []
    for pk, submitted, first_attempt, first_reached, escalation, track in rows:
        urgency = followup.urgency(escalation=escalation, track=track)
        if first_attempt is not None:
            minutes = _minutes(submitted, first_attempt)
            by_week[(week_of(submitted), urgency)].append(minutes)
            by_urgency[urgency].append(minutes)
        deadline = submitted + datetime.timedelta(minutes=targets[urgency])
        reached_in_time = first_reached is not None and first_reached <= deadline
        if deadline <= now or reached_in_time:
            judged[urgency] += 1
            within[urgency] += reached_in_time
        if first_reached is not None:
            reached_ids.append(pk)
    attempts = _attempts_to_reach(window)
    summary = []
    for urgency in followup.URGENCIES:
        values = by_urgency.get(urgency, [])
        summary.append(
            {
                "urgency": urgency,
                "target_minutes": targets[urgency],
                "attempted": len(values),
                "median": statistics.median(values) if values else None,
                "p90": percentile(values, 0.9),
                "judged": judged[urgency],
                "within": within[urgency],
                "within_share": round(100 * within[urgency] / judged[urgency])
                if judged[urgency]
                else None,
            }
        )
    weekly = {
        urgency: [
            {
                "median": statistics.median(by_week[(week, urgency)])
                if by_week.get((week, urgency))
                else None,
                "p90": percentile(by_week.get((week, urgency), []), 0.9),
            }
            for week in weeks
        ]
        for urgency in followup.URGENCIES
    }
    return {"summary": summary, "weekly": weekly, "attempts": attempts}


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
