"""The first-contact clock: when an intake's next contact attempt is due, and how late it is.

Pure functions, no database and no clock: every one takes the time it reasons about (``now``)
and the targets (``settings.FIRST_CONTACT_TARGETS``) as arguments, so that the queue, the
alerts and the tests agree to the minute.

- Until the first attempt, an open intake is due at ``submitted_at`` + the first-contact target
  of its urgency: the escalation when there is one (emergency, crisis), otherwise the track.
- After an attempt, it is due when that attempt said to try again (``next_due_at``); no due time
  means no further attempt is due.
- A closed intake (admitted, referred out, declined, closed) is never due.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from intake.choices import OPEN_STATUSES, STATUS_TRANSITIONS, Escalation, Status

URGENCIES = ("emergency", "crisis", "detox", "inpatient", "outpatient")


def urgency(*, escalation: str, track: str) -> str:
    """The key of FIRST_CONTACT_TARGETS that applies: the escalation if any, else the track."""
    if escalation in (Escalation.EMERGENCY, Escalation.CRISIS):
        return str(escalation)
    return str(track)


def first_contact_target(
    *, escalation: str, track: str, targets: Mapping[str, int]
) -> datetime.timedelta:
    """How long after submission the first contact attempt is due (targets are in minutes)."""
    return datetime.timedelta(minutes=targets[urgency(escalation=escalation, track=track)])


def contact_due_at(
    *,
    status: str,
    submitted_at: datetime.datetime,
    escalation: str,
    track: str,
    attempted: bool,
    last_next_due_at: datetime.datetime | None,
    targets: Mapping[str, int],
) -> datetime.datetime | None:
    """When the intake's next contact attempt is due; None when none is."""
    if status not in OPEN_STATUSES:
        return None
    if not attempted:
        return submitted_at + first_contact_target(
            escalation=escalation, track=track, targets=targets
        )
    return last_next_due_at


@dataclass(frozen=True)
class Due:
    """An intake's place on the clock at one moment."""

    due_at: datetime.datetime
    overdue: bool
    minutes: int  # whole minutes until due, or past due, rounded up

    @property
    def duration(self) -> str:
        return duration_text(self.minutes)

    @property
    def text(self) -> str:
        if self.minutes == 0:
            return _("due now")
        if self.overdue:
            return _("overdue by %(time)s") % {"time": duration_text(self.minutes)}
        return _("due in %(time)s") % {"time": duration_text(self.minutes)}


def due(*, due_at: datetime.datetime | None, now: datetime.datetime) -> Due | None:
    """Where ``due_at`` stands at ``now``: overdue once ``now`` is past it (not at it)."""
    if due_at is None:
        return None
    seconds = (due_at - now).total_seconds()
    return Due(due_at=due_at, overdue=seconds < 0, minutes=math.ceil(abs(seconds) / 60))


def is_overdue(*, due_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    return due_at is not None and due_at < now


def duration_text(minutes: int) -> str:
    """12 min, 1 h 5 min, 2 h, 3 d 4 h: short, and exact to the unit shown."""
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        if mins:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
        return _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(d)d d") % {"d": days}


OPEN = frozenset(OPEN_STATUSES)


def suggested_status(*, outcome: str, status: str, reached_before: bool) -> str:
    """The status change an attempt's outcome suggests ('' for none), for the user to confirm.

    The first time someone is reached, Contacted; "declined services", Declined; each only
    where the workflow allows that move from the current status.
    """
    if outcome == "reached" and not reached_before:
        target = Status.CONTACTED
    elif outcome == "declined":
        target = Status.DECLINED
    else:
        return ""
    return str(target) if target in STATUS_TRANSITIONS.get(status, ()) else ""


# When to try again, as the contact form offers it: (code, minutes from now). "at" takes a time.
NEXT_ATTEMPT_CHOICES = (("1h", 60), ("4h", 240), ("1d", 1440), ("3d", 4320))


def next_due_at(
    *, choice: str, now: datetime.datetime, at: datetime.datetime | None = None
) -> datetime.datetime | None:
    """The next attempt's due time from the form's choice ("none", "at", or one of
    NEXT_ATTEMPT_CHOICES); None for "none"."""
    if choice == "at":
        return at
    minutes = dict(NEXT_ATTEMPT_CHOICES).get(choice)
    return None if minutes is None else now + datetime.timedelta(minutes=minutes)


def end_of_day(now: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """The first moment of the day after ``now``'s day in ``tz`` ("due today" is before it)."""
    local = now.astimezone(tz)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=tz)
