"""The queue's rows, as HTML, written in Python: templates/staff/_queue_row.html (with
_badges.html and _due.html) byte for byte.

The queue and "My follow-ups" show 50 rows a page; through the template each row took some 60
nodes, three includes, two timesince and four date filters, a reverse() and a dozen gettext
calls: three quarters of the page's time. Here the per-page work is done once (the labels and
words of the current language, the link's prefix) and a row is one f-string; every value is
still escaped. The template stays the reference: tests/test_queue_rows.py renders rows of
every kind both ways and finds them equal. Change both together.
"""

from __future__ import annotations

import datetime
import html

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext as _

from intake import followup
from intake.models import Intake

from . import presenters

_REFERENCE = "REFERENCE"


def escape(value) -> str:
    """``{{ value }}`` for the plain (never safe-marked) values a row shows: what Django's
    escape() does, without its lazy-string wrapper (some 500 calls a page)."""
    return html.escape(str(value))


def _labels(field: str) -> dict[str, str]:
    """A field's choices as get_FOO_display() shows them, escaped."""
    return {code: escape(label) for code, label in Intake._meta.get_field(field).flatchoices}


class _Plural:
    """One of timesince's TIME_STRINGS ("%(num)d minute" / "minutes") that remembers its
    translations for the page: fifty rows say "2 hours" or "4 weeks" over and over."""

    def __init__(self, lazy) -> None:
        self.lazy = lazy
        self.said: dict[int, str] = {}

    def __mod__(self, values: dict) -> str:
        num = values["num"]
        text = self.said.get(num)
        if text is None:
            text = self.said[num] = self.lazy % values
        return text


class _Words:
    """What every row of one page says alike, in the active language (built per page)."""

    def __init__(self) -> None:
        prefix = reverse("staff:intake", args=[_REFERENCE])
        self.link_before, _found, self.link_after = prefix.partition(_REFERENCE)
        self.none_due = escape(_("none due"))
        self.nobody = escape(_("nobody"))
        self.attention = escape(_("Attention:"))
        self.language = _("Language: %(language)s")
        self.prefers = _("prefers %(how)s")
        self.waiting = _("waiting %(ago)s")
        self.overdue_by = _('overdue by <span class="text-nowrap">%(time)s</span>')
        self.due_in = _('due in <span class="text-nowrap">%(time)s</span>')
        self.status = _labels("status")
        self.languages = _labels("language")
        self.contacts = _labels("preferred_contact")
        self.short_datetime = formats.get_format("SHORT_DATETIME_FORMAT")
        self.time_strings = {name: _Plural(lazy) for name, lazy in TIME_STRINGS.items()}
        self.badges: dict[tuple, str] = {}


def _badges(intake: Intake, words: _Words) -> str:
    """_badges.html (its closing newline included) for presenters.badges(intake), once per kind
    of row on a page."""
    key = (
        intake.escalation,
        intake.track,
        presenters.track_state(intake),
        tuple(intake.current_decision.flags) if intake.current_decision_id else (),
        intake.needs_review,
        intake.is_minor,
    )
    html = words.badges.get(key)
    if html is None:
        html = " ".join(
            f'<span class="badge {escape(badge.css)}"'
            + (f' title="{escape(badge.title)}"' if badge.title else "")
            + f">{escape(badge.label)}</span>"
            for badge in presenters.badges(intake)
        )
        words.badges[key] = html
    return html


def _due(due: followup.Due, words: _Words) -> str:
    """_due.html."""
    if due.minutes == 0:
        return f'<span class="due due-upcoming">{escape(due.text)}</span>'
    time = escape(due.duration)
    if due.overdue:
        return (
            f'<span class="due due-overdue"><span class="visually-hidden">{words.attention} '
            f"</span>⚠ {words.overdue_by % {'time': time}}</span>"
        )
    return f'<span class="due due-upcoming">{words.due_in % {"time": time}}</span>'


def _choice(labels: dict[str, str], code: str) -> str:
    """get_FOO_display(): the label, or the code itself when it is not a choice."""
    return labels.get(code) or escape(code)


def _times(moment: datetime.datetime, words: _Words) -> tuple[str, str]:
    """A moment as the date filter writes it: |date:'c' and |date:'SHORT_DATETIME_FORMAT'."""
    local = timezone.localtime(moment)
    return escape(local.isoformat()), escape(dateformat.format(local, words.short_datetime))


def render_row(intake: Intake, now: datetime.datetime, words: _Words) -> str:
    due = followup.due(due_at=intake.contact_due_at, now=now)
    overdue = " is-overdue" if due is not None and due.overdue else ""
    reference = escape(intake.reference)

    person = f'<span class="person-name">{escape(intake.full_name)}</span>'
    if intake.language != "en":
        language = words.language % {"language": _choice(words.languages, intake.language)}
        person += f' <span class="badge text-bg-light border language-badge">{language}</span>'
    if intake.phone:
        contact = f'<span class="text-nowrap">{escape(intake.phone)}</span>'
    elif intake.email:
        contact = f'<span class="text-break">{escape(intake.email)}</span>'
    else:
        contact = ""
    if intake.preferred_contact:
        how = _choice(words.contacts, intake.preferred_contact)
        contact += " · " + words.prefers % {"how": how}

    ago = escape(timesince(intake.submitted_at, now, time_strings=words.time_strings))
    if due is not None:
        iso, short = _times(intake.contact_due_at, words)
        due_html = f'<time datetime="{iso}" title="{short}">{_due(due, words)}\n</time>'
    else:
        due_html = f'<span class="text-body-secondary">{words.none_due}</span>'
    submitted_iso, submitted_short = _times(intake.submitted_at, words)
    if intake.assigned_to_id:
        assignee = escape(str(intake.assigned_to))
    else:
        assignee = f'<span class="text-body-secondary">{words.nobody}</span>'
    return (
        f'<tr class="queue-row escalation-{escape(intake.escalation)}{overdue}">\n'
        f'      <td><a class="reference" href="{words.link_before}{reference}{words.link_after}">'
        f"{reference}</a></td>\n"
        f"      <td>{_badges(intake, words)}\n</td>\n"
        f"      <td>{person}\n"
        f'        <span class="small d-block text-body-secondary person-contact">{contact}'
        "</span></td>\n"
        f"      <td>{_choice(words.status, intake.status)}</td>\n"
        f'      <td class="due-cell">{due_html}'
        f'<span class="d-lg-none small d-block text-body-secondary">'
        f"{words.waiting % {'ago': ago}}</span></td>\n"
        f'      <td class="d-none d-lg-table-cell"><time datetime="{submitted_iso}" '
        f'title="{submitted_short}">{ago}</time></td>\n'
        f'      <td class="assignee">{assignee}</td>\n'
        "    </tr>\n"
    )


def render_rows(intakes: list[Intake], now: datetime.datetime) -> SafeString:
    """The table body's rows, judged at one moment (``now``: due, overdue and waiting)."""
    if not intakes:
        return SafeString("")
    words = _Words()
    # Every value in a row went through escape() above.
    return mark_safe("".join(render_row(intake, now, words) for intake in intakes))  # noqa: S308  # nosec B308 B703
