"""The rule table of ROUTING.md version 2026.1: each rule's code, ASAM dimension, effect,
condition and plain description, with the facts the conditions read.

Each condition returns ``None`` (did not fire) or a reason naming the answers that made it
fire. The F rules read what fired before them (``Facts.fired``): F1 needs a D rule, F2 needs R5
not to have fired, F4 needs the outpatient track, which is settled once the D and R rules have
run. That is why ``intake.routing`` always evaluates in code order, whatever order it is given.
Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake import catalog
from intake.catalog import codes
from intake.screening import AuditC, Cssrs, Dast10, Phq2

BACLOFEN_DAILY_MAXIMUM_MG = 100
_KIND_ORDER = "EDRF"


@dataclass(frozen=True, init=False)
class FiredRule:
    code: str
    dimension: int
    effect: str
    reason: str

    def __init__(self, code: str, dimension: int, effect: str, reason: str):
        # Frozen, but built the way a plain dataclass is: the generated __init__ of a frozen
        # one calls object.__setattr__ per field, which tripled the cost of each fired rule.
        attributes = self.__dict__
        attributes["code"] = code
        attributes["dimension"] = dimension
        attributes["effect"] = effect
        attributes["reason"] = reason

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "dimension": self.dimension,
            "effect": self.effect,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Facts:
    """The answers a rule reads, prepared once from a validated document, with the scores.

    Conditions only read it. Not frozen, so that the engine can prepare one for each document
    and bring ``fired`` up to date as rules fire without copying it: that is the hot path of
    every submit (a frozen dataclass pays a call per field to be built).
    """

    substances: tuple[Mapping[str, Any], ...]
    used_together: frozenset[str]
    symptoms: frozenset[str]
    history: Mapping[str, Any]
    medical: Mapping[str, Any]
    living: Mapping[str, Any]
    duties: tuple[str, ...]
    audit_c: AuditC
    dast_10: Dast10
    phq_2: Phq2
    cssrs: Cssrs
    cssrs_answers: Mapping[str, bool]
    missing: tuple[str, ...]
    fired: tuple[FiredRule, ...] = ()  # the rules fired so far, set by the engine

    def any_fired(self, kind: str) -> bool:
        for rule in self.fired:  # noqa: SIM110 (a loop: any() over a generator costs more here)
            if rule.code.startswith(kind):
                return True
        return False


@dataclass(frozen=True)
class Rule:
    code: str  # E1..E3, D1..D6, R1..R5, F1..F4: the letter is the kind
    dimension: int  # ASAM dimension, 1-6
    effect: str  # emergency | crisis (E), detox (D), inpatient (R), a flag name (F)
    condition: Callable[[Facts], str | None] = field(repr=False)
    title: str  # the plain description shown in docs/routing.md

    def __post_init__(self):
        allowed = {
            "E": {"emergency", "crisis"},
            "D": {"detox"},
            "R": {"inpatient"},
            "F": set(codes(catalog.FLAGS)),
        }.get(self.code[:1], set())
        if self.effect not in allowed or self.dimension not in catalog.ASAM_DIMENSIONS:
            raise ValueError(f"rule {self.code}: bad effect {self.effect!r} or dimension")


# --- Wording helpers for reasons ------------------------------------------------------------

_FREQUENCY_WORDS = {
    "daily": "daily",
    "most_days": "on most days",
    "weekly": "weekly",
    "monthly": "monthly",
    "less": "less than monthly",
}
_FREQUENCY_RANK = {code: rank for rank, code in enumerate(codes(catalog.FREQUENCIES))}
_MEDICAL_WORDS = {
    "pregnant": "pregnancy",
    "seizure_disorder": "seizure disorder",
    "liver_disease": "liver disease",
    "heart_disease": "heart disease",
    "kidney_disease": "kidney disease",
    "respiratory_disease": "respiratory disease",
}


def _listing(words: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) < 2:
        return words[0] if words else ""
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


# Staff-facing names as reasons print them, and the catalog order they are listed in.
_SYMPTOM_WORDS = {code: _lower(catalog.SYMPTOM_NAMES[code]) for code in catalog.SYMPTOM_CODES}
_SYMPTOM_ORDER = {code: rank for rank, code in enumerate(catalog.SYMPTOM_CODES)}.__getitem__
_SUBSTANCE_WORDS = {
    code: _lower(catalog.SUBSTANCE_NAMES[code]) for code in codes(catalog.SUBSTANCES)
}
_OPIOIDS = frozenset({"opioids"})


def _symptoms(present: frozenset[str]) -> list[str]:
    """``present`` (catalog symptom codes) named in catalog order."""
    return [_SYMPTOM_WORDS[code] for code in sorted(present, key=_SYMPTOM_ORDER)]


def _substances(present: Iterable[str]) -> list[str]:
    present = set(present)
    return [words for code, words in _SUBSTANCE_WORDS.items() if code in present]


def _how_often(entry: Mapping[str, Any]) -> str:
    return _FREQUENCY_WORDS[entry["frequency"]]


def _used(entry: Mapping[str, Any]) -> str:
    return f"{_SUBSTANCE_WORDS[entry['substance']]} used {_FREQUENCY_WORDS[entry['frequency']]}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _cssrs_yes(answers: Mapping[str, bool], level: str) -> str:
    """The C-SSRS answers that put the screener at ``level`` (high or moderate)."""
    q6_recent = answers.get("q6_past_3_months", False)
    if level == "high":
        parts = {
            "q4": answers.get("q4", False),
            "q5": answers.get("q5", False),
            "q6 within the past 3 months": answers.get("q6", False) and q6_recent,
        }
    else:
        parts = {
            "q3": answers.get("q3", False),
            "q6 (not within the past 3 months)": answers.get("q6", False) and not q6_recent,
        }
    return "yes to " + _listing([text for text, yes in parts.items() if yes])


# --- Conditions -----------------------------------------------------------------------------
# Every document is put to every condition, and most conditions do not hold: each one first
# rules itself out as cheaply as it can, and words its reason only when it fires.


def _e1_life_threatening(facts: Facts) -> str | None:
    if facts.symptoms.isdisjoint(catalog.LIFE_THREATENING):
        return None
    present = facts.symptoms & catalog.LIFE_THREATENING
    return _sentence(f"{_listing(_symptoms(present))} reported now")


def _e2_suicide_risk_high(facts: Facts) -> str | None:
    if facts.cssrs.risk != "high":
        return None
    return f"C-SSRS risk high: {_cssrs_yes(facts.cssrs_answers, 'high')}."


def _e3_emergency_signs(facts: Facts) -> str | None:
    symptoms = facts.symptoms
    together = symptoms >= catalog.E3_TOGETHER
    if not together and symptoms.isdisjoint(catalog.E3_SIGNS):
        return None
    parts = _symptoms(symptoms & catalog.E3_SIGNS)
    if together:
        parts.append("hallucinations together with confusion")
    return _sentence(f"{_listing(parts)} reported now")


def _regular(facts: Facts, group: frozenset[str]) -> list[Mapping[str, Any]]:
    entries = []
    for s in facts.substances:
        if s["substance"] in group and s.get("frequency") in catalog.REGULAR:
            entries.append(s)
    return entries


def _d1_regular_dangerous_depressant(facts: Facts) -> str | None:
    entries = _regular(facts, catalog.DANGEROUS_WITHDRAWAL)
    if not entries:
        return None
    used = _listing([_used(s) for s in entries])
    return _sentence(f"{used} (regular use of a depressant with dangerous withdrawal)")


def _d2_withdrawal_history(facts: Facts) -> str | None:
    seizures = facts.history.get("withdrawal_seizures")
    delirium = facts.history.get("withdrawal_delirium")
    if not seizures and not delirium:
        return None
    events = ["withdrawal seizures"] if seizures else []
    if delirium:
        events.append("withdrawal delirium")
    return f"History of {_listing(events)}."


def _d3_depressants_together(facts: Facts) -> str | None:
    together = facts.used_together & catalog.CNS_DEPRESSANTS
    if len(together) < 2:
        return None
    return _sentence(f"{_listing(_substances(together))} used on the same day")


def _d4_regular_opioids(facts: Facts) -> str | None:
    entries = _regular(facts, _OPIOIDS)
    if not entries:
        return None
    return _sentence(f"{_listing([_used(s) for s in entries])} (regular opioid use)")


def _d5_withdrawal_signs(facts: Facts) -> str | None:
    signs = facts.symptoms & catalog.WITHDRAWAL_SIGNS
    if len(signs) < 2 and signs.isdisjoint(catalog.D5_STRONG_SIGNS):
        return None
    return f"Withdrawal signs reported now: {_listing(_symptoms(signs))}."


def _d6_baclofen_above_maximum(facts: Facts) -> str | None:
    above = []
    for s in facts.substances:
        if s["substance"] != "baclofen":
            continue
        amount = s.get("amount_per_day")
        if (
            amount is not None
            and amount > BACLOFEN_DAILY_MAXIMUM_MG
            and s.get("unit", "mg") == "mg"  # no unit: read as mg, the way baclofen is dosed
            and s.get("frequency") in catalog.AT_LEAST_WEEKLY
        ):
            unit = "mg" if "unit" in s else "(no unit given, read as mg)"
            above.append(f"baclofen {_number(amount)} {unit} a day, used {_how_often(s)}")
    if not above:
        return None
    limit = BACLOFEN_DAILY_MAXIMUM_MG
    return _sentence(f"{'; '.join(above)} (above the {limit} mg daily maximum)")


def _r1_recovery_environment(facts: Facts) -> str | None:
    living = facts.living
    if not living:
        return None
    parts = []
    if living.get("housing") in ("unstable", "homeless"):
        parts.append(f"housing {living['housing']}")
    if living.get("others_using_at_home"):
        parts.append("others using substances at home")
    if living.get("unsafe_home"):
        parts.append("home not safe")
    return _sentence("; ".join(parts)) if parts else None


def _r2_relapse(facts: Facts) -> str | None:
    if not facts.history.get("relapse_after_treatment"):
        return None
    prior = facts.history.get("prior_treatment")
    earlier = f" ({_listing(prior)})" if prior else ""
    return f"Relapse after earlier treatment{earlier}."


def _r3_dast_high(facts: Facts) -> str | None:
    score = facts.dast_10.score
    if score is None or score < 6:
        return None
    return f"DAST-10 score {score} ({facts.dast_10.band})."


def _r4_many_substances(facts: Facts) -> str | None:
    if len(facts.substances) < 3:  # three different substances need three entries
        return None
    # Distinct substances (one listed twice counts once), each with its most frequent use.
    weekly: dict[str, str] = {}
    for s in facts.substances:
        if s["substance"] != "nicotine" and s.get("frequency") in catalog.AT_LEAST_WEEKLY:
            weekly[s["substance"]] = min(
                s["frequency"], weekly.get(s["substance"], "weekly"), key=_FREQUENCY_RANK.get
            )
    if len(weekly) < 3:
        return None
    used = [
        f"{words} ({_FREQUENCY_WORDS[weekly[code]]})"
        for code, words in _SUBSTANCE_WORDS.items()
        if code in weekly
    ]
    listed = _listing(used)
    return f"At least weekly use of {len(weekly)} substances besides nicotine: {listed}."


def _phq_positive(facts: Facts) -> str:
    return f"PHQ-2 score {facts.phq_2.score} (positive)"


def _cssrs_moderate(facts: Facts) -> str:
    return f"C-SSRS risk moderate: {_cssrs_yes(facts.cssrs_answers, 'moderate')}"


def _r5_depression_and_suicide_risk(facts: Facts) -> str | None:
    if facts.phq_2.positive and facts.cssrs.risk == "moderate":
        return f"{_phq_positive(facts)}, with {_cssrs_moderate(facts)}."
    return None


def _f1_medical(facts: Facts) -> str | None:
    if not facts.medical or not facts.any_fired("D"):
        return None
    conditions = [words for key, words in _MEDICAL_WORDS.items() if facts.medical.get(key)]
    if not conditions:
        return None
    rules = ", ".join([rule.code for rule in facts.fired if rule.code.startswith("D")])
    return _sentence(f"{_listing(conditions)}, with detox indicated ({rules})")


def _f2_co_occurring(facts: Facts) -> str | None:
    positive = facts.phq_2.positive
    moderate = facts.cssrs.risk == "moderate"
    if not positive and not moderate:
        return None
    for rule in facts.fired:
        if rule.code == "R5":
            return None
    parts = []
    if positive:
        parts.append(_phq_positive(facts))
    if moderate:
        parts.append(_cssrs_moderate(facts))
    return _sentence("; ".join(parts))


def _f3_priority_population(facts: Facts) -> str | None:
    parts = []
    if facts.medical.get("pregnant"):
        used = {s["substance"] for s in facts.substances} - {"nicotine"}
        if used:
            parts.append(f"pregnant and using {_listing(_substances(used))}")
    injected = None
    for s in facts.substances:
        if s.get("route") == "injected":
            injected = injected or set()
            injected.add(s["substance"])
    if injected:
        parts.append(f"{_listing(_substances(injected))} injected")
    return _sentence("; ".join(parts)) if parts else None


def _f4_duties_fit_outpatient(facts: Facts) -> str | None:
    if not facts.duties or facts.any_fired("D") or facts.any_fired("R"):
        return None
    return f"Duties ({_listing(facts.duties)}) fit the outpatient track."


# --- The table ------------------------------------------------------------------------------


def _plain(group: Iterable[str], names: Mapping[str, str]) -> str:
    """A group in catalog order (the names' order), for a rule's title."""
    group = set(group)
    return _listing((_lower(name) for code, name in names.items() if code in group), "or")


RULES: tuple[Rule, ...] = (
    Rule("E1", 1, "emergency", _e1_life_threatening, "Any life-threatening symptom now: "
         f"{_plain(catalog.LIFE_THREATENING, catalog.SYMPTOM_NAMES)}."),
    Rule("E2", 3, "crisis", _e2_suicide_risk_high,
         "C-SSRS risk high: q4 or q5, or q6 within the past 3 months."),
    Rule("E3", 1, "emergency", _e3_emergency_signs, "Delirium, hyperthermia or chest pain now, "
         "or hallucinations together with confusion."),
    Rule("D1", 1, "detox", _d1_regular_dangerous_depressant, "Regular use (daily or most days) "
         "of a depressant with dangerous withdrawal: "
         f"{_plain(catalog.DANGEROUS_WITHDRAWAL, catalog.SUBSTANCE_NAMES)}."),
    Rule("D2", 1, "detox", _d2_withdrawal_history,
         "History of withdrawal seizures or withdrawal delirium."),
    Rule("D3", 1, "detox", _d3_depressants_together, "Two or more CNS depressants ("
         f"{_plain(catalog.CNS_DEPRESSANTS, catalog.SUBSTANCE_NAMES)}) "
         "used on the same day."),
    Rule("D4", 1, "detox", _d4_regular_opioids, "Regular use (daily or most days) of opioids."),
    Rule("D5", 1, "detox", _d5_withdrawal_signs, "Two or more withdrawal signs now, or any one "
         f"of {_plain(catalog.D5_STRONG_SIGNS, catalog.SYMPTOM_NAMES)}."),
    Rule("D6", 1, "detox", _d6_baclofen_above_maximum, f"Baclofen above {BACLOFEN_DAILY_MAXIMUM_MG}"
         " mg a day (unit mg, or no unit given), used at least weekly."),
    Rule("R1", 6, "inpatient", _r1_recovery_environment, "Housing unstable or homeless, others "
         "using substances at home, or an unsafe home."),
    Rule("R2", 5, "inpatient", _r2_relapse, "Relapse after earlier treatment."),
    Rule("R3", 5, "inpatient", _r3_dast_high, "DAST-10 score 6 or more."),
    Rule("R4", 5, "inpatient", _r4_many_substances, "Three or more different substances other "
         "than nicotine used at least weekly."),
    Rule("R5", 3, "inpatient", _r5_depression_and_suicide_risk,
         "PHQ-2 positive together with C-SSRS risk moderate."),
    Rule("F1", 2, "medical", _f1_medical, "Pregnancy, seizure disorder, or liver, heart, kidney "
         "or respiratory disease, together with any D rule: detox in a medically managed setting."),
    Rule("F2", 3, "co_occurring", _f2_co_occurring,
         "PHQ-2 positive or C-SSRS risk moderate, where R5 did not fire."),
    Rule("F3", 2, "priority_population", _f3_priority_population, "Pregnant and using any "
         "substance other than nicotine, or injecting any substance: admitted first, as federal "
         "block-grant rules require."),
    Rule("F4", 6, "duties_fit_outpatient", _f4_duties_fit_outpatient,
         "Work, school or child-care duties, and the track is outpatient."),
)  # fmt: skip
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def code_order(rule: Rule) -> tuple[int, int]:
    """E1..E3, D1..D6, R1..R5, F1..F4: the order rules are evaluated and reported in."""
    return _KIND_ORDER.index(rule.code[0]), int(rule.code[1:])
