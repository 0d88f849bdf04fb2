"""The routing engine: one intake document in, one recommendation for staff out.

Implements ROUTING.md version 2026.1 exactly. Pure Python, no Django, no clock, no I/O:
``route(document)`` validates the document (``intake.schema``), prepares a ``Facts`` object,
walks the rule table ``RULES`` in code order and returns a frozen ``Decision``.

The rule table and the conditions live in ``intake.rules``; this module prepares the facts,
walks the table and combines what fired into one decision.

"Missing answers never lower a recommendation": incompleteness is reported beside the result
(``complete``, ``missing``) and never gates a rule or caps the track; an unanswered item simply
gives its rule nothing to fire on, and staff see "needs clinician review".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from intake import catalog
from intake.rules import RULES, Facts, FiredRule, Rule, code_order
from intake.schema import validate_document
from intake.screening import score_audit_c, score_cssrs, score_dast_10, score_phq_2

# The engine's own API; the rule table and its conditions are intake.rules'.
__all__ = [
    "ROUTING_VERSION",
    "Decision",
    "evaluate",
    "needs_emergency_page",
    "prepare",
    "route",
    "route_validated",
    "rules_markdown",
]

ROUTING_VERSION = "2026.1"


@dataclass(frozen=True, init=False)
class Decision:
    version: str
    escalation: str  # none | crisis | emergency
    track: str  # detox | inpatient | outpatient
    next_step: str | None  # inpatient | outpatient when the track is detox, else None
    flags: tuple[str, ...]
    complete: bool
    missing: tuple[str, ...]
    # {"audit_c": {...}, "dast_10": {...}, "phq_2": {...}, "cssrs": {...}}, as in as_dict()
    scores: dict = field(hash=False)
    rules: tuple[FiredRule, ...]

    def __init__(
        self,
        version: str,
        escalation: str,
        track: str,
        next_step: str | None,
        flags: tuple[str, ...],
        complete: bool,
        missing: tuple[str, ...],
        scores: dict,
        rules: tuple[FiredRule, ...],
    ):
        # Frozen, but built without object.__setattr__ per field (see FiredRule.__init__).
        attributes = self.__dict__
        attributes["version"] = version
        attributes["escalation"] = escalation
        attributes["track"] = track
        attributes["next_step"] = next_step
        attributes["flags"] = flags
        attributes["complete"] = complete
        attributes["missing"] = missing
        attributes["scores"] = scores
        attributes["rules"] = rules

    def as_dict(self) -> dict:
        """Exactly ROUTING.md's output form (JSON-ready: lists, not tuples)."""
        return {
            "version": self.version,
            "escalation": self.escalation,
            "track": self.track,
            "next_step": self.next_step,
            "flags": list(self.flags),
            "complete": self.complete,
            "missing": list(self.missing),
            "scores": {name: dict(result) for name, result in self.scores.items()},
            "rules": [rule.as_dict() for rule in self.rules],
        }


# --- The engine -----------------------------------------------------------------------------
# route_validated() runs on every submit and every reroute: its hot path builds one Facts and one
# Decision and otherwise only what fired. Everything constant per rule table is made at import.

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NOTHING: frozenset[str] = frozenset()


def prepare(document: Mapping[str, Any]) -> Facts:
    """Validate ``document`` (``DocumentError`` propagates) and prepare the facts rules read."""
    return _facts(validate_document(dict(document) if isinstance(document, Mapping) else document))


def _facts(doc: Mapping[str, Any]) -> Facts:
    """The facts of a document that ``schema.validate_document`` returned."""
    get = doc.get
    substances = tuple(get("substances", ()))
    missing = [] if substances else ["substances"]
    for i, s in enumerate(substances):
        if "frequency" not in s:
            missing.append(f"substances[{i}].frequency")
    symptoms = get("symptoms")
    if symptoms is None:  # an empty list is an answer
        missing.append("symptoms")
    screening = get("screening", _EMPTY)
    cssrs = screening.get("cssrs")
    used_together = get("used_together")
    return Facts(
        substances,
        frozenset(used_together) if used_together else _NOTHING,
        frozenset(symptoms) if symptoms else _NOTHING,
        get("history", _EMPTY),
        get("medical", _EMPTY),
        get("living", _EMPTY),
        tuple(get("duties", ())),
        score_audit_c(screening.get("audit_c"), get("sex")),
        score_dast_10(screening.get("dast_10")),
        score_phq_2(screening.get("phq_2")),
        score_cssrs(cssrs),
        cssrs or _EMPTY,
        tuple(missing),
    )


# A rule table as the engine walks it: (condition, code, dimension, effect, kind) in code order.
_Table = tuple[tuple[Callable[[Facts], str | None], str, int, str, str], ...]


def _table(rules: Iterable[Rule]) -> _Table:
    return tuple(
        (rule.condition, rule.code, rule.dimension, rule.effect, rule.code[0])
        for rule in sorted(rules, key=code_order)
    )


_RULES_TABLE = _table(RULES)
_RANK = catalog.ESCALATION_RANK


def _decide(facts: Facts, table: _Table) -> Decision:
    """Walk ``table`` over ``facts``, which this call owns (``fired`` is kept up to date in it,
    so that each condition sees the rules fired before it)."""
    fired: list[FiredRule] = []
    flags: list[str] = []
    escalation, detox, inpatient = "none", False, False
    facts.fired = ()
    for condition, code, dimension, effect, kind in table:
        reason = condition(facts)
        if reason is None:
            continue
        fired.append(FiredRule(code, dimension, effect, reason))
        facts.fired = tuple(fired)
        if kind == "E":
            if _RANK[effect] < _RANK[escalation]:
                escalation = effect
        elif kind == "D":
            detox = True
        elif kind == "R":
            inpatient = True
        elif kind == "F":
            flags.append(effect)
    if detox:
        track, next_step = "detox", "inpatient" if inpatient else "outpatient"
    else:
        track, next_step = ("inpatient" if inpatient else "outpatient"), None
    audit_c, dast_10, phq_2 = facts.audit_c, facts.dast_10, facts.phq_2
    return Decision(
        ROUTING_VERSION,
        escalation,
        track,
        next_step,
        tuple(flags),
        not facts.missing,
        facts.missing,
        {
            "audit_c": {"score": audit_c.score, "positive": audit_c.positive},
            "dast_10": {"score": dast_10.score, "band": dast_10.band},
            "phq_2": {"score": phq_2.score, "positive": phq_2.positive},
            "cssrs": {"risk": facts.cssrs.risk},
        },
        tuple(fired),
    )


def evaluate(facts: Facts, rules: Iterable[Rule] = RULES) -> Decision:
    """Walk ``rules`` in code order over ``facts``; the result is the most intensive indication.
    ``facts`` is left as it was given (the walk runs on a copy)."""
    table = _RULES_TABLE if rules is RULES else _table(rules)
    return _decide(replace(facts, fired=()), table)


def route(document: Mapping[str, Any], *, rules: Iterable[Rule] = RULES) -> Decision:
    """The recommendation for one intake document. Raises ``schema.DocumentError``."""
    return _decide(prepare(document), _RULES_TABLE if rules is RULES else _table(rules))


def route_validated(document: Mapping[str, Any]) -> Decision:
    """The recommendation for a document that ``schema.validate_document`` already returned
    (the submit service validates once); anything else goes through ``route()``."""
    return _decide(_facts(document), _RULES_TABLE)


# --- For the wizard: when to show the emergency page ----------------------------------------


def _get(decision: Decision | Mapping[str, Any], name: str) -> Any:
    return decision[name] if isinstance(decision, Mapping) else getattr(decision, name)


def needs_emergency_page(decision: Decision | Mapping[str, Any]) -> bool:
    """Whether the patient must see the emergency guidance next (a Decision or its dict)."""
    return _get(decision, "escalation") in ("emergency", "crisis")


def rules_markdown() -> str:
    """docs/routing.md, rendered from the rule table; the same text on every run."""
    dimensions = catalog.ASAM_DIMENSIONS
    lines = [
        f"# Routing rules, version {ROUTING_VERSION}",
        "",
        "Generated from the rule table in `intake/routing.py` by `rules_markdown()`; do not "
        "edit by hand. The specification is ROUTING.md. The result is decision support: a "
        "clinician confirms or overrides it.",
        "",
        "- Escalation: the highest fired of emergency, crisis, none.",
        "- Track: detox if any D rule fired, else inpatient if any R rule fired, else outpatient.",
        "- Next step (detox only): inpatient if any R rule fired, else outpatient.",
        "- F rules never change the track or the escalation; they add flags.",
        "- Incomplete (needs clinician review) when no substance is given, a substance has no "
        "frequency, or symptoms were not answered. Missing answers never lower a "
        "recommendation.",
        "",
        "| code | dimension | effect | rule |",
        "| --- | --- | --- | --- |",
    ]
    for rule in sorted(RULES, key=code_order):
        effect = {"E": "escalation", "D": "track", "R": "track"}.get(rule.code[0], "flag")
        name = dimensions[rule.dimension]
        dimension = f"{rule.dimension} {name[:1].lower()}{name[1:]}"
        lines.append(f"| {rule.code} | {dimension} | {effect} `{rule.effect}` | {rule.title} |")
    return "\n".join(lines) + "\n"
