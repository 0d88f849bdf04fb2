"""Turn an intake, its decision and its timeline into what the staff templates print.

Pure functions over loaded objects (no queries of their own: the selectors prefetch), so the
templates stay free of logic and the pages' query counts stay flat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import catalog
from intake.choices import Escalation, Flag, Status, Track
from intake.models import ContactAttempt, Intake, IntakeEvent, RoutingDecision


@dataclass(frozen=True)
class Badge:
    label: str
    css: str
    title: str = ""


ESCALATION_CSS = {Escalation.EMERGENCY: "text-bg-danger", Escalation.CRISIS: "text-bg-warning"}
TRACK_CSS = {
    Track.DETOX: "text-bg-primary",
    Track.INPATIENT: "text-bg-info",
    Track.OUTPATIENT: "text-bg-secondary",
}


def flag_name(code: str) -> str:
    """A flag's short name (the code itself for a flag this version does not know)."""
    return str(Flag(code).label) if code in Flag.values else code


def choice_label(choices, code) -> str:
    """A catalog label, translated at display time (the catalog itself is plain Python)."""
    return _(catalog.label_for(choices, code)) if code else ""


def text_choice_label(choices, code) -> str:
    """The label of a model TextChoices code; the code itself if it is unknown."""
    return str(choices(code).label) if code in choices.values else code


def yes_no(value) -> str:
    if value is None:
        return _("Not answered")
    return _("Yes") if value else _("No")


def track_state(intake: Intake) -> str:
    """recommended (no clinician yet), confirmed, or overridden."""
    if not intake.track_confirmed:
        return "recommended"
    decision = intake.current_decision
    if decision is not None and decision.track != intake.track:
        return "overridden"
    return "confirmed"


def badges(intake: Intake) -> list[Badge]:
    """Escalation, track (with its review state), flags, needs review, minor."""
    result = []
    if intake.escalation in ESCALATION_CSS:
        result.append(Badge(Escalation(intake.escalation).label, ESCALATION_CSS[intake.escalation]))
    state = track_state(intake)
    track = Track(intake.track).label
    if state == "confirmed":
        track = _("%(track)s · confirmed") % {"track": track}
    elif state == "overridden":
        track = _("%(track)s · overridden") % {"track": track}
    result.append(Badge(track, TRACK_CSS.get(intake.track, "text-bg-secondary")))
    flags = intake.current_decision.flags if intake.current_decision_id else []
    for flag in flags:
        css = "text-bg-dark" if flag == Flag.PRIORITY_POPULATION else "text-bg-light border"
        result.append(Badge(flag_name(flag), css, choice_label(catalog.FLAGS, flag)))
    if intake.needs_review:
        result.append(Badge(_("Needs clinician review"), "text-bg-warning"))
    if intake.is_minor:
        minor_css = "bg-danger-subtle text-danger-emphasis border border-danger"
        result.append(Badge(_("Minor"), minor_css))
    return result


SCORE_NAMES = {
    "audit_c": "AUDIT-C",
    "dast_10": "DAST-10",
    "phq_2": "PHQ-2",
    "cssrs": "C-SSRS",
}
# The bands are ROUTING.md's codes; these are their words on screen.
BAND_LABELS = {
    "none": gettext_lazy("none"),
    "low": gettext_lazy("low"),
    "moderate": gettext_lazy("moderate"),
    "substantial": gettext_lazy("substantial"),
    "severe": gettext_lazy("severe"),
    "high": gettext_lazy("high"),
}
BAND_CSS = {
    "severe": "text-bg-danger",
    "substantial": "text-bg-danger",
    "high": "text-bg-danger",
    "moderate": "text-bg-warning",
    "low": "text-bg-light border",
    "none": "text-bg-light border",
}


def score_rows(decision: RoutingDecision | None) -> list[dict]:
    """One row per instrument: name, score (or "—"), band text and its badge class."""
    if decision is None:
        return []
    rows = []
    for key, name in SCORE_NAMES.items():
        result = decision.scores.get(key) or {}
        score = result.get("score")
        if key == "cssrs":
            band = result.get("risk")
            text = (
                _("risk: %(band)s") % {"band": BAND_LABELS.get(band, band)}
                if band
                else _("not answered")
            )
        elif key == "dast_10":
            band = result.get("band")
            text = str(BAND_LABELS.get(band, band)) if band else _("not answered")
        else:
            positive = result.get("positive")
            band = None if positive is None else ("moderate" if positive else "none")
            if positive is None:
                text = _("not answered")
            else:
                text = _("positive") if positive else _("negative")
        rows.append(
            {
                "name": name,
                "score": "—" if score is None else score,
                "band": text,
                "css": BAND_CSS.get(band or "", "text-bg-light border"),
            }
        )
    return rows


def effect_label(effect: str) -> str:
    """A rule's effect in words: an escalation, a track or a flag."""
    if effect in Escalation.values:
        return str(Escalation(effect).label)
    if effect in Track.values:
        return str(Track(effect).label)
    return flag_name(effect)


def rule_rows(decision: RoutingDecision | None) -> list[dict]:
    """Every fired rule with its ASAM dimension's name and its reason."""
    if decision is None:
        return []
    return [
        {
            "code": rule["code"],
            "dimension": rule["dimension"],
            "dimension_name": _(catalog.ASAM_DIMENSIONS.get(rule["dimension"], "")),
            "effect": effect_label(rule["effect"]),
            "reason": rule["reason"],
        }
        for rule in decision.rules
    ]


_MISSING_FREQUENCY = re.compile(r"^substances\[(\d+)\]\.frequency$")


def flag_rows(decision: RoutingDecision | None) -> list[dict]:
    """The decision's flags: a short name for the badge and the catalog's explanation."""
    return [
        {
            "code": flag,
            "short": flag_name(flag),
            "label": choice_label(catalog.FLAGS, flag),
        }
        for flag in (decision.flags if decision else [])
    ]


def missing_labels(decision: RoutingDecision | None, intake: Intake) -> list[str]:
    """The decision's ``missing`` paths in words ("How often: Alcohol")."""
    if decision is None:
        return []
    uses = list(intake.substance_uses.all())
    labels = []
    for item in decision.missing:
        match = _MISSING_FREQUENCY.match(item)
        if item == "substances":
            labels.append(_("Which substances are used"))
        elif item == "symptoms":
            labels.append(_("Symptoms now"))
        elif match and int(match.group(1)) < len(uses):
            code = uses[int(match.group(1))].substance_id
            labels.append(
                _("How often: %(substance)s")
                % {"substance": _(catalog.SUBSTANCE_NAMES.get(code, code))}
            )
        else:
            labels.append(item)
    return labels


def _status_label(code: str) -> str:
    return Status(code).label if code in Status.values else code


def _track_label(code: str) -> str:
    return Track(code).label if code in Track.values else code


def event_text(event: IntakeEvent, names: dict[str, str] | None = None) -> str:
    """One line of the timeline in words (the note or reason text is shown beside it).

    ``names`` maps the usernames an assignment stored to the full names shown elsewhere."""
    names = names or {}
    kind = event.kind
    if kind == IntakeEvent.Kind.SUBMITTED:
        return _("Submitted")
    if kind == IntakeEvent.Kind.STATUS:
        return _("Status: %(old)s → %(new)s") % {
            "old": _status_label(event.old_value),
            "new": _status_label(event.new_value),
        }
    if kind == IntakeEvent.Kind.ASSIGNED:
        return _("Assigned: %(old)s → %(new)s") % {
            "old": names.get(event.old_value, event.old_value) or _("nobody"),
            "new": names.get(event.new_value, event.new_value) or _("nobody"),
        }
    if kind == IntakeEvent.Kind.REVIEWED:
        if event.old_value == event.new_value:
            return _("Track confirmed: %(track)s") % {"track": _track_label(event.new_value)}
        return _("Track overridden: %(engine)s → %(track)s") % {
            "engine": _track_label(event.old_value),
            "track": _track_label(event.new_value),
        }
    if kind == IntakeEvent.Kind.NOTE:
        return _("Note")
    if kind == IntakeEvent.Kind.ROUTED:
        return _("Recommendation recomputed")
    if kind == IntakeEvent.Kind.CONTACT:
        return _("Contact attempt: %(channel)s, %(outcome)s") % {
            "channel": text_choice_label(ContactAttempt.Channel, event.old_value),
            "outcome": text_choice_label(ContactAttempt.Outcome, event.new_value),
        }
    return event.get_kind_display()


def timeline(events: list[IntakeEvent], names: dict[str, str] | None = None) -> list[dict]:
    return [
        {
            "event": event,
            "text": event_text(event, names),
            "actor": str(event.actor) if event.actor_id else _("system"),
        }
        for event in events
    ]
