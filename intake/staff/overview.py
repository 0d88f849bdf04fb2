"""The numbers behind /staff/overview/, aggregated in the database.

A handful of queries whatever the volume: intakes per week by track and escalations per week
(one aggregate of filtered COUNTs), the time to the first staff action per week (a median:
PERCENTILE_CONT on PostgreSQL; SQLite has no percentile aggregate, so there the durations of
the window come back and Python takes the median), and the override rate per fired rule (the
decision's JSON rule list unnested by jsonb_array_elements / json_each).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from intake.choices import Escalation, Track
from intake.models import Intake

from .overview_contact import first_contact_stats

WEEKS = 12


class Median(Aggregate):
    """PostgreSQL's median of (end - start) in hours (an ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    output_field = FloatField()
    template = (
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "
        "(%(expressions)s)) / 3600.0)"
    )
    arg_joiner = " - "


def week_starts(today: datetime.date, weeks: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last ``weeks`` weeks, oldest first, this week last."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _week_key(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _week_of(value) -> datetime.date:
    """The Monday of a submission time, or of a week TruncWeek gave back (a date or a local
    midnight)."""
    if isinstance(value, datetime.datetime):
        return _monday(value)
    return value - datetime.timedelta(days=value.weekday())


def _monday(value: datetime.datetime) -> datetime.date:
    day = timezone.localtime(value).date()
    return day - datetime.timedelta(days=day.weekday())


def _weekly_counts(window, bounds) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Intakes per week and track, and escalations per week, in one aggregate query.

    Each cell is a COUNT with a FILTER on a submitted_at range (local-time week boundaries),
    which both databases evaluate natively; SQLite would otherwise call a Python function per
    row to truncate dates to weeks.
    """
    escalation_codes = [Escalation.EMERGENCY, Escalation.CRISIS]
    cells = {}
    for index, (start, end) in enumerate(bounds):
        in_week = Q(submitted_at__gte=start, submitted_at__lt=end)
        for code in Track.values:
            cells[f"t_{code}_{index}"] = Count("id", filter=in_week & Q(track=code))
        for code in escalation_codes:
            cells[f"e_{code}_{index}"] = Count("id", filter=in_week & Q(escalation=code))
    counts = window.aggregate(**cells)
    weeks = range(len(bounds))
    tracks = {code: [counts[f"t_{code}_{i}"] for i in weeks] for code in Track.values}
    escalations = {code: [counts[f"e_{code}_{i}"] for i in weeks] for code in escalation_codes}
    return tracks, escalations


def overview_data(
    *,
    today: datetime.date | None = None,
    weeks: int = WEEKS,
    now: datetime.datetime | None = None,
) -> dict:
    today = today or timezone.localdate()
    starts = week_starts(today, weeks)
    tz = timezone.get_current_timezone()
    edges = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
        for day in [*starts, starts[-1] + datetime.timedelta(weeks=1)]
    ]
    bounds = list(zip(edges, edges[1:], strict=False))
    window = Intake.objects.filter(submitted_at__gte=edges[0], submitted_at__lt=edges[-1])
    window = window.order_by()
    tracks, escalations = _weekly_counts(window, bounds)
    acted = window.filter(first_action_at__isnull=False)
    medians, overall = _median_hours(acted, starts, tz)
    contact = first_contact_stats(
        window=window,
        weeks=starts,
        week_of=_week_of,
        targets=settings.FIRST_CONTACT_TARGETS,
        now=now or timezone.now(),
        tz=tz,
    )
    return {
        "first_contact": contact,
        "weeks": [week.isoformat() for week in starts],
        "tracks": tracks,
        "escalations": escalations,
        "median_hours": medians,
        "median_hours_overall": overall,
        "rules": _override_rates(edges[0]),
        "total": sum(sum(series) for series in tracks.values()),
        "escalated": sum(sum(series) for series in escalations.values()),
    }


def _median_hours(acted, starts, tz) -> tuple[list[float | None], float | None]:
    if connection.vendor == "postgresql":
        weekly = acted.annotate(week=TruncWeek("submitted_at", tzinfo=tz))
        rows = weekly.values("week").annotate(
            median=Median(F("first_action_at"), F("submitted_at"))
        )
        by_week = {_week_key(r["week"]): r["median"] for r in rows}
        # The overall median is not a median of the weekly medians: ask once more.
        overall = acted.aggregate(median=Median(F("first_action_at"), F("submitted_at")))
        overall_median = overall["median"]
    else:
        durations: dict[datetime.date, list[float]] = defaultdict(list)
        for submitted, first in acted.values_list("submitted_at", "first_action_at"):
            durations[_monday(submitted)].append((first - submitted).total_seconds() / 3600)
        by_week = {week: statistics.median(values) for week, values in durations.items()}
        everything = [v for values in durations.values() for v in values]
        overall_median = statistics.median(everything) if everything else None
    series = [round(by_week[w], 1) if by_week.get(w) is not None else None for w in starts]
    return series, round(overall_median, 1) if overall_median is not None else None


_OVERRIDE_SQL = {
    "postgresql": """
        SELECT rule.value ->> 'code' AS code, COUNT(*) AS reviews,
               COUNT(*) FILTER (WHERE review.action = 'override') AS overrides
        FROM intake_trackreview review
        JOIN intake_routingdecision decision ON decision.id = review.decision_id
        CROSS JOIN LATERAL jsonb_array_elements(decision.rules) AS rule
        WHERE review.created_at >= %s
        GROUP BY 1
    """,
    "sqlite": """
        SELECT json_extract(rule.value, '$.code') AS code, COUNT(*) AS reviews,
               SUM(CASE WHEN review.action = 'override' THEN 1 ELSE 0 END) AS overrides
        FROM intake_trackreview review
        JOIN intake_routingdecision decision ON decision.id = review.decision_id,
             json_each(decision.rules) AS rule
        WHERE review.created_at >= %s
        GROUP BY 1
    """,
}


def _rule_order(code: str) -> tuple[int, int, str]:
    """Rule-table order: E, D, R, F, then by number (E2 before E10)."""
    kind, number = code[:1], code[1:]
    return ("EDRF".find(kind) % 5, int(number) if number.isdigit() else 0, code)


def _override_rates(since: datetime.datetime) -> list[dict]:
    """For each rule that fired on a reviewed decision: reviews, overrides, rate (%)."""
    sql = _OVERRIDE_SQL.get(connection.vendor)
    if sql is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [since])
        rows = {code: (reviews, overrides or 0) for code, reviews, overrides in cursor}
    codes = sorted(rows, key=_rule_order)
    return [
        {
            "code": code,
            "reviews": rows[code][0],
            "overrides": rows[code][1],
            "rate": round(100 * rows[code][1] / rows[code][0], 1) if rows[code][0] else 0.0,
        }
        for code in codes
    ]
