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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake import catalog
from tests.routing_reference.rules import RULES, Facts, FiredRule, Rule, code_order
from tests.routing_reference.schema import validate_document
from tests.routing_reference.screening import score_audit_c, score_cssrs, score_dast_10, score_phq_2

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


@dataclass(frozen=True)
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


def prepare(document: Mapping[str, Any]) -> Facts:
    """Validate ``document`` (``DocumentError`` propagates) and prepare the facts rules read."""
    return _facts(validate_document(dict(document) if isinstance(document, Mapping) else document))


def _facts(doc: Mapping[str, Any]) -> Facts:
    """The facts of a document that ``schema.validate_document`` returned."""
    substances = tuple(doc.get("substances", ()))
    missing = [] if substances else ["substances"]
    missing += [
        f"substances[{i}].frequency" for i, s in enumerate(substances) if "frequency" not in s
    ]
    if "symptoms" not in doc:  # an empty list is an answer
        missing.append("symptoms")
    screening = doc.get("screening", {})
    cssrs = screening.get("cssrs")
    return Facts(
        substances=substances,
        used_together=frozenset(doc.get("used_together", ())),
        symptoms=frozenset(doc.get("symptoms", ())),
        history=doc.get("history", {}),
        medical=doc.get("medical", {}),
        living=doc.get("living", {}),
        duties=tuple(doc.get("duties", ())),
        audit_c=score_audit_c(screening.get("audit_c"), doc.get("sex")),
        dast_10=score_dast_10(screening.get("dast_10")),
        phq_2=score_phq_2(screening.get("phq_2")),
        cssrs=score_cssrs(cssrs),
        cssrs_answers=cssrs or {},
        missing=tuple(missing),
    )


_RULES_IN_CODE_ORDER = tuple(sorted(RULES, key=code_order))


def _in_code_order(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """``rules`` sorted by code; the engine's own table is sorted once, at import."""
    if rules is RULES:
        return _RULES_IN_CODE_ORDER
    return tuple(sorted(rules, key=code_order))


def evaluate(facts: Facts, rules: Iterable[Rule] = RULES) -> Decision:
    """Walk ``rules`` in code order over ``facts``; the result is the most intensive indication."""
    fired: list[FiredRule] = []
    # One private copy whose ``fired`` is brought up to date as rules fire: each condition sees
    # the rules fired before it, as if given replace(facts, fired=...), without a copy per rule.
    current = object.__new__(Facts)
    current.__dict__.update(facts.__dict__, fired=())
    for rule in _in_code_order(rules):
        reason = rule.condition(current)
        if reason is not None:
            fired.append(FiredRule(rule.code, rule.dimension, rule.effect, reason))
            object.__setattr__(current, "fired", tuple(fired))
    kinds = {rule.code[0] for rule in fired}
    escalations = [rule.effect for rule in fired if rule.code[0] == "E"] + ["none"]
    escalation = min(escalations, key=catalog.ESCALATION_RANK.__getitem__)
    if "D" in kinds:
        track, next_step = "detox", "inpatient" if "R" in kinds else "outpatient"
    else:
        track, next_step = ("inpatient" if "R" in kinds else "outpatient"), None
    return Decision(
        version=ROUTING_VERSION,
        escalation=escalation,
        track=track,
        next_step=next_step,
        flags=tuple(rule.effect for rule in fired if rule.code[0] == "F"),
        complete=not facts.missing,
        missing=facts.missing,
        scores={
            "audit_c": facts.audit_c.as_dict(),
            "dast_10": facts.dast_10.as_dict(),
            "phq_2": facts.phq_2.as_dict(),
            "cssrs": facts.cssrs.as_dict(),
        },
        rules=tuple(fired),
    )


def route(document: Mapping[str, Any], *, rules: Iterable[Rule] = RULES) -> Decision:
    """The recommendation for one intake document. Raises ``schema.DocumentError``."""
    return evaluate(prepare(document), rules)


def route_validated(document: Mapping[str, Any]) -> Decision:
    """The recommendation for a document that ``schema.validate_document`` already returned
    (the submit service validates once); anything else goes through ``route()``."""
    return evaluate(_facts(document))


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
