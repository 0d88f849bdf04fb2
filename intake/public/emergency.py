"""When to show the emergency page: the routing engine decides (one source of truth).

After every saved step the answers so far are routed. An escalation of emergency or crisis
sends the person to the emergency page, once per new emergency: the page comes back only when
something new is reported (another life-threatening sign, a high suicide risk), not on every
step. The pages after it keep a smaller alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from intake import catalog, routing
from intake.draft_document import build_document
from intake.schema import DocumentError

logger = logging.getLogger(__name__)

# Symptoms that can make an E rule fire; each new one is a new emergency.
_EMERGENCY_SIGNS = catalog.LIFE_THREATENING | catalog.E3_SIGNS | catalog.E3_TOGETHER


@dataclass(frozen=True)
class Emergency:
    medical: bool  # life-threatening signs (E1, E3): call 911 first
    suicide_risk: bool  # high C-SSRS risk (E2): call or text 988
    items: frozenset[str]  # what makes it this emergency, to tell a new one from a seen one


def decision_for(answers: dict) -> routing.Decision | None:
    try:
        return routing.route(build_document(answers))
    except DocumentError as error:
        # Never log the answers themselves: only how many problems there were.
        logger.error("draft answers gave an invalid document (%d problems)", len(error.messages))
        return None


def emergency_for(answers: dict) -> Emergency | None:
    """The emergency the answers so far indicate, or None."""
    decision = decision_for(answers)
    if decision is None or not routing.needs_emergency_page(decision):
        return None
    codes = {rule.code for rule in decision.rules if rule.code.startswith("E")}
    symptoms = set(answers.get("symptoms", {}).get("symptoms", [])) & _EMERGENCY_SIGNS
    return Emergency(
        medical=bool(codes & {"E1", "E3"}) or decision.escalation == "emergency",
        suicide_risk="E2" in codes,
        items=frozenset(codes | {f"symptom:{code}" for code in symptoms}),
    )
