"""Intake's data model, split by concern (see each module's docstring)."""

from .alerts import Alert, AlertAttempt
from .audit import AuditEvent
from .catalog import Substance, Symptom
from .counts import QueueCount
from .drafts import Draft, RateLimit
from .followup import ContactAttempt
from .intakes import Consent, Intake, SubstanceUse
from .review import IntakeEvent, RoutingDecision, TrackReview
from .sessions import Session
from .users import User

__all__ = [
    "Alert",
    "AlertAttempt",
    "AuditEvent",
    "Consent",
    "ContactAttempt",
    "Draft",
    "Intake",
    "QueueCount",
    "IntakeEvent",
    "RateLimit",
    "RoutingDecision",
    "Session",
    "Substance",
    "SubstanceUse",
    "Symptom",
    "TrackReview",
    "User",
]
