"""The intake document (ROUTING.md) ⇄ an Intake with its rows.

`intake_to_document` is what `export_intakes` writes and what the routing engine reads for a
stored intake; `document_to_fields` is what the submit service stores. The two are inverse:
export → import → export gives the same document.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from intake import catalog
from intake.schema import validate_document

MEDICAL_KEYS = tuple(code for code, _ in catalog.MEDICAL_CONDITIONS)
HISTORY_BOOL_KEYS = ("withdrawal_seizures", "withdrawal_delirium", "relapse_after_treatment")
LIVING_KEYS = ("others_using_at_home", "unsafe_home", "has_support")
SUBSTANCE_KEYS = (
    "frequency",
    "amount_per_day",
    "unit",
    "route",
    "duration_months",
    "last_use",
    "prescribed",
    "more_than_prescribed",
)
# The document's contact block, key for key the Intake's columns of the same name.
CONTACT_KEYS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_contact",
    "voicemail_ok",
    "respondent",
    "postal_code",
    "state",
    "language",
)


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as the document wants it: an int when whole, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def prune(mapping: dict[str, Any]) -> dict[str, Any]:
    """Leave out unanswered keys (None, blank text): a missing key means "not answered"."""
    return {k: v for k, v in mapping.items() if v is not None and v != ""}


def intake_to_document(intake, *, contact: bool = True, extensions: bool = True) -> dict:
    """The document for a stored intake. Prefetch substance_uses and symptoms for many."""
    doc: dict[str, Any] = {
        "sex": intake.sex or None,
        "date_of_birth": intake.date_of_birth.isoformat() if intake.date_of_birth else None,
        "substances": [
            prune(
                {
                    "substance": use.substance_id,
                    **{key: getattr(use, key) for key in SUBSTANCE_KEYS},
                    "amount_per_day": number(use.amount_per_day),
                }
            )
            for use in intake.substance_uses.all()
        ],
        "used_together": intake.used_together,
        "history": prune(
            {
                "withdrawal_seizures": intake.withdrawal_seizures,
                "withdrawal_delirium": intake.withdrawal_delirium,
                "prior_treatment": intake.prior_treatment,
                "relapse_after_treatment": intake.relapse_after_treatment,
            }
        )
        or None,
        "medical": prune({key: getattr(intake, key) for key in MEDICAL_KEYS}) or None,
        "screening": dict(intake.screening) or None,
        "living": prune(
            {"housing": intake.housing, **{key: getattr(intake, key) for key in LIVING_KEYS}}
        )
        or None,
        "duties": intake.duties,
        "readiness": intake.readiness or None,
        "preference": intake.preference or None,
    }
    if not doc["substances"]:
        doc["substances"] = None
    if intake.symptoms_answered:
        order = {s.code: i for i, s in enumerate(catalog.SYMPTOMS)}
        doc["symptoms"] = sorted(
            (s.code for s in intake.symptoms.all()), key=lambda c: order.get(c, 999)
        )
    if contact:
        doc["contact"] = prune(
            {
                **{key: getattr(intake, key) for key in CONTACT_KEYS},
                "date_of_birth": doc["date_of_birth"],
                "reference": intake.reference or None,
            }
        )
    if extensions:
        doc["insurance"] = (
            prune(
                {
                    "payer": intake.insurance_payer,
                    "member_id": intake.insurance_member_id,
                    "self_pay": intake.self_pay,
                }
            )
            or None
        )
        doc["status"] = intake.status
        doc["submitted_at"] = intake.submitted_at.isoformat() if intake.submitted_at else None
    return validate_document(prune(doc))


def document_to_fields(doc: dict) -> tuple[dict[str, Any], list[dict[str, Any]], list[str] | None]:
    """A validated document → (Intake field values, substance rows, symptom codes or None).

    Symptom codes are None when the question was not answered (an empty list is an answer).
    """
    history = doc.get("history", {})
    medical = doc.get("medical", {})
    living = doc.get("living", {})
    contact = doc.get("contact", {})
    insurance = doc.get("insurance", {})
    dob = contact.get("date_of_birth") or doc.get("date_of_birth")
    dob = datetime.date.fromisoformat(dob) if dob else None
    fields: dict[str, Any] = {
        "sex": doc.get("sex", ""),
        "date_of_birth": dob,
        "used_together": doc.get("used_together"),
        "withdrawal_seizures": history.get("withdrawal_seizures"),
        "withdrawal_delirium": history.get("withdrawal_delirium"),
        "prior_treatment": history.get("prior_treatment"),
        "relapse_after_treatment": history.get("relapse_after_treatment"),
        **{key: medical.get(key) for key in MEDICAL_KEYS},
        "screening": dict(doc.get("screening", {})),
        "housing": living.get("housing", ""),
        **{key: living.get(key) for key in LIVING_KEYS},
        "duties": doc.get("duties"),
        "readiness": doc.get("readiness", ""),
        "preference": doc.get("preference", ""),
        "insurance_payer": insurance.get("payer", ""),
        "insurance_member_id": insurance.get("member_id", ""),
        "self_pay": insurance.get("self_pay"),
    }
    for key in CONTACT_KEYS:
        default = {"voicemail_ok": None, "language": "en"}.get(key, "")
        fields[key] = contact.get(key, default)
    substances = [
        {
            "substance_id": item["substance"],
            "position": position,
            **{key: item.get(key, _blank(key)) for key in SUBSTANCE_KEYS},
        }
        for position, item in enumerate(doc.get("substances", []))
    ]
    for row in substances:
        if row["amount_per_day"] is not None:
            row["amount_per_day"] = Decimal(str(row["amount_per_day"]))
    symptoms = list(doc["symptoms"]) if "symptoms" in doc else None
    return fields, substances, symptoms


def _blank(key: str):
    return "" if key in ("frequency", "unit", "route", "last_use") else None
