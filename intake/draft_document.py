"""Draft answers (step id → what that step's form stored) → the intake document.

Pure (no Django, no database): the wizard routes the document after every step, the submit
service stores it at the end, and the commands and tests build example drafts from here, so the
emergency check and the stored intake can never disagree. Answers a later change made moot are
left out (details of a substance no longer chosen, AUDIT-C without alcohol, the C-SSRS
follow-up after a "no"), so stale answers never reach routing or staff.

Not to be confused with ``intake.staff.answer_sections`` (a stored intake → what staff read).
"""

from __future__ import annotations

from typing import Any

from intake import catalog, screening
from intake.documents import prune

# The medical conditions asked as checkboxes; pregnancy is a question of its own.
CONDITION_CODES = tuple(code for code, _ in catalog.MEDICAL_CONDITIONS if code != "pregnant")


def chosen_substances(answers: dict) -> list[str]:
    """The substance codes the person ticked, in the order the form stored them."""
    return list(answers.get("substances", {}).get("substances", []))


def cssrs_first_answers(answers: dict) -> dict:
    """The C-SSRS answers of the health page (the questions with no condition)."""
    return answers.get("health", {}).get("cssrs", {})


def follow_up_questions(answers: dict) -> list[str]:
    """The C-SSRS follow-up questions that the first answers call for, in screener order."""
    first = cssrs_first_answers(answers)
    return [
        q.key
        for q in screening.CSSRS_QUESTIONS
        if q.asked_if is not None and first.get(q.asked_if) is True
    ]


# Pregnancy is asked only where it can apply: not after "Male". "Does not apply to me" is
# offered where the sex given leaves it open (Other, Prefer not to say); it means "not pregnant".
PREGNANCY_NOT_ASKED = frozenset({"male"})
PREGNANCY_OPEN = frozenset({"other", "unknown"})


def pregnancy_asked(answers: dict) -> bool:
    return answers.get("about", {}).get("sex") not in PREGNANCY_NOT_ASKED


def build_document(answers: dict) -> dict:
    """The ROUTING.md document plus the contact and insurance blocks; unanswered keys absent."""
    doc: dict[str, Any] = {}
    about = answers.get("about")
    if about:
        doc["sex"] = about.get("sex")
        doc["date_of_birth"] = about.get("date_of_birth")
        doc["contact"] = prune(
            {
                key: about.get(key)
                for key in (
                    "first_name", "last_name", "date_of_birth", "phone", "email",
                    "preferred_contact", "voicemail_ok", "respondent", "postal_code", "state",
                )
            }
        )  # fmt: skip

    chosen = chosen_substances(answers)
    details = answers.get("substance-details", {})
    if chosen:
        doc["substances"] = [{"substance": code, **details.get(code, {})} for code in chosen]

    together = answers.get("together", {})
    screening: dict[str, Any] = {}
    if together:
        used = [code for code in together.get("used_together", []) if code in chosen]
        # With one substance left, nothing can be used "together" with it.
        doc["used_together"] = used if len(chosen) > 1 else []
        if "alcohol" in chosen and "audit_c" in together:
            screening["audit_c"] = together["audit_c"]
        if "dast_10" in together:
            screening["dast_10"] = together["dast_10"]

    symptoms = answers.get("symptoms")
    history: dict[str, Any] = {}
    if symptoms:
        doc["symptoms"] = list(symptoms.get("symptoms", []))
        history["withdrawal_seizures"] = symptoms.get("withdrawal_seizures")
        history["withdrawal_delirium"] = symptoms.get("withdrawal_delirium")

    health = answers.get("health")
    if health:
        conditions = set(health.get("conditions", []))
        medical = {code: code in conditions for code in CONDITION_CODES}
        pregnant = health.get("pregnant")
        if pregnant in ("yes", "no", "does_not_apply") and pregnancy_asked(answers):
            # "Does not apply to me" is a no; not asked (after "Male") stays unanswered.
            medical["pregnant"] = pregnant == "yes"
        doc["medical"] = medical
        if "phq_2" in health:
            screening["phq_2"] = health["phq_2"]
        cssrs = dict(health.get("cssrs", {}))
        follow_up = answers.get("safety", {})
        for key in follow_up_questions(answers):
            if key in follow_up:
                cssrs[key] = follow_up[key]
        screening["cssrs"] = cssrs

    life = answers.get("life")
    if life:
        doc["living"] = prune(
            {
                "housing": life.get("housing"),
                "others_using_at_home": life.get("others_using_at_home"),
                "unsafe_home": life.get("unsafe_home"),
                "has_support": life.get("has_support"),
            }
        )
        doc["duties"] = list(life.get("duties", []))
        history["prior_treatment"] = list(life.get("prior_treatment", []))
        relapse = life.get("relapse")
        if relapse in ("yes", "no"):
            history["relapse_after_treatment"] = relapse == "yes"
        # "I have not had treatment before" is no earlier treatment, not "no relapse": staff
        # see it as such (an empty treatment list and no relapse answer).
        doc["readiness"] = life.get("readiness")
        doc["preference"] = life.get("preference")

    insurance = answers.get("insurance")
    if insurance:
        doc["insurance"] = prune(
            {
                "payer": insurance.get("payer"),
                "member_id": insurance.get("member_id"),
                "self_pay": insurance.get("self_pay"),
            }
        )

    if screening:
        doc["screening"] = screening
    if history:
        doc["history"] = prune(history)
    return {key: value for key, value in prune(doc).items() if value != {}}


# A half-finished draft for demos (seed_demo) and tests: about you, substances and details.
EXAMPLE_ANSWERS: dict[str, dict] = {
    "about": {
        "respondent": "self",
        "first_name": "Robin",
        "last_name": "Demo",
        "date_of_birth": "1988-03-14",
        "sex": "female",
        "phone": "555-555-0123",
        "preferred_contact": "phone",
        "voicemail_ok": True,
        "state": "MA",
    },
    "substances": {"substances": ["alcohol", "baclofen"]},
    "substance-details": {
        "alcohol": {"frequency": "most_days", "amount_per_day": 5, "unit": "drinks",
                    "route": "oral", "last_use": "1_3_days"},
        "baclofen": {"frequency": "daily", "amount_per_day": 120, "unit": "mg", "route": "oral",
                     "last_use": "today", "prescribed": True, "more_than_prescribed": True},
    },
}  # fmt: skip
EXAMPLE_COMPLETED_STEPS = ["about", "substances", "substance-details"]
assert set(EXAMPLE_COMPLETED_STEPS) == set(EXAMPLE_ANSWERS)
