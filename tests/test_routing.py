"""The routing engine against clinical vignettes (ROUTING.md 2026.1). No database, no Django."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from intake import catalog
from intake.catalog import ESCALATION_RANK, TRACK_RANK
from intake.routing import needs_emergency_page, route, rules_markdown
from intake.rules import RULES, RULES_BY_CODE, Rule
from intake.schema import DocumentError
from tests.test_schema import ROUTING_EXAMPLE

CODE_ORDER = [rule.code for rule in RULES]


def sub(substance: str, frequency: str | None = "weekly", **answers) -> dict:
    entry = {"substance": substance, **answers}
    if frequency is not None:
        entry["frequency"] = frequency
    return entry


def intake(*substances: dict, symptoms=(), **sections) -> dict:
    """A small complete document: the given substances (cannabis monthly if none), symptoms."""
    doc = {"sex": "female", "substances": list(substances) or [sub("cannabis", "monthly")]}
    if symptoms is not None:
        doc["symptoms"] = list(symptoms)
    return {**doc, **sections}


def dast(score_items: int, item_3: bool = True) -> list[bool]:
    """DAST-10 answers: the first ``score_items`` non-reversed items "yes", item 3 as given."""
    answers = [False] * 10
    for index in [0, 1, 3, 4, 5, 6, 7, 8, 9][:score_items]:
        answers[index] = True
    answers[2] = item_3
    return answers


def case(
    case_id,
    doc,
    *,
    escalation="none",
    track="outpatient",
    next_step=None,
    flags=(),
    rules=(),
    missing=(),
    scores=None,
):
    expected = {
        "escalation": escalation,
        "track": track,
        "next_step": next_step,
        "flags": list(flags),
        "rules": set(rules),
        "complete": not missing,
        "missing": list(missing),
    }
    return pytest.param(doc, expected, scores or {}, id=case_id)


DETOX = {"track": "detox", "next_step": "outpatient"}
DETOX_THEN_INPATIENT = {"track": "detox", "next_step": "inpatient"}
INPATIENT = {"track": "inpatient"}
COMBINED = [[1, 2], {"q2": True, "q3": True}]

VIGNETTES = [
    # --- Nothing fires ---------------------------------------------------------------------
    case("cannabis-monthly-outpatient", intake()),
    case("nicotine-daily-outpatient", intake(sub("nicotine", "daily"))),
    case("stimulants-daily-outpatient", intake(sub("stimulants", "daily"))),
    # --- D6: baclofen above the daily maximum -------------------------------------------------
    case("baclofen-100mg-weekly-no-rule", intake(sub("baclofen", amount_per_day=100, unit="mg"))),
    case(
        "baclofen-101mg-weekly-detox",
        intake(sub("baclofen", amount_per_day=101, unit="mg")),
        **DETOX,
        rules={"D6"},
    ),
    case(
        "baclofen-100.5mg-weekly-detox",
        intake(sub("baclofen", amount_per_day=100.5, unit="mg")),
        **DETOX,
        rules={"D6"},
    ),
    case(
        "baclofen-150-no-unit-weekly-detox",
        intake(sub("baclofen", amount_per_day=150)),
        **DETOX,
        rules={"D6"},
    ),
    case(
        "baclofen-150-grams-weekly-no-rule",
        intake(sub("baclofen", amount_per_day=150, unit="grams")),
    ),
    case(
        "baclofen-150-pills-weekly-no-rule",
        intake(sub("baclofen", amount_per_day=150, unit="pills")),
    ),
    case(
        "baclofen-150mg-monthly-no-rule",
        intake(sub("baclofen", "monthly", amount_per_day=150, unit="mg")),
    ),
    case(
        "baclofen-150mg-daily-detox-d1-d6",
        intake(sub("baclofen", "daily", amount_per_day=150, unit="mg")),
        **DETOX,
        rules={"D1", "D6"},
    ),
    case(
        "baclofen-60mg-most-days-detox-d1",
        intake(sub("baclofen", "most_days", amount_per_day=60, unit="mg")),
        **DETOX,
        rules={"D1"},
    ),
    # --- D1 / D4: regular use ------------------------------------------------------------------
    case("alcohol-daily-detox", intake(sub("alcohol", "daily")), **DETOX, rules={"D1"}),
    case("alcohol-most-days-detox", intake(sub("alcohol", "most_days")), **DETOX, rules={"D1"}),
    case("alcohol-weekly-outpatient", intake(sub("alcohol", "weekly"))),
    case(
        "benzodiazepines-daily-detox",
        intake(sub("benzodiazepines", "daily")),
        **DETOX,
        rules={"D1"},
    ),
    case(
        "other-sedatives-most-days-detox",
        intake(sub("other_sedatives", "most_days")),
        **DETOX,
        rules={"D1"},
    ),
    case("opioids-daily-detox-d4-not-d1", intake(sub("opioids", "daily")), **DETOX, rules={"D4"}),
    case("opioids-most-days-detox", intake(sub("opioids", "most_days")), **DETOX, rules={"D4"}),
    case("opioids-weekly-outpatient", intake(sub("opioids", "weekly"))),
    # --- D2: withdrawal history ---------------------------------------------------------------
    case(
        "withdrawal-seizures-history-detox",
        intake(history={"withdrawal_seizures": True}),
        **DETOX,
        rules={"D2"},
    ),
    case(
        "withdrawal-delirium-history-detox",
        intake(history={"withdrawal_delirium": True}),
        **DETOX,
        rules={"D2"},
    ),
    case(
        "withdrawal-history-no-outpatient",
        intake(history={"withdrawal_seizures": False, "withdrawal_delirium": False}),
    ),
    # --- D3: depressants used together --------------------------------------------------------
    case("one-depressant-together-outpatient", intake(used_together=["alcohol", "cocaine"])),
    case(
        "alcohol-baclofen-together-detox",
        intake(used_together=["alcohol", "baclofen"]),
        **DETOX,
        rules={"D3"},
    ),
    case(
        "opioids-benzodiazepines-together-detox",
        intake(used_together=["opioids", "benzodiazepines", "cocaine"]),
        **DETOX,
        rules={"D3"},
    ),
    case(
        "no-depressants-together-outpatient",
        intake(used_together=["nicotine", "cannabis", "cocaine", "stimulants"]),
    ),
    # --- D5: withdrawal signs now ------------------------------------------------------------
    case("one-withdrawal-sign-outpatient", intake(symptoms=["anxiety"])),
    case(
        "two-withdrawal-signs-detox",
        intake(symptoms=["anxiety", "insomnia"]),
        **DETOX,
        rules={"D5"},
    ),
    case("tremors-alone-detox", intake(symptoms=["tremors"]), **DETOX, rules={"D5"}),
    case("tachycardia-alone-detox", intake(symptoms=["tachycardia"]), **DETOX, rules={"D5"}),
    case(
        "side-effects-only-outpatient",
        intake(symptoms=["drowsiness", "muscle_weakness", "upset_stomach"]),
    ),
    case(
        "dizziness-and-nausea-detox",
        intake(symptoms=["dizziness", "nausea"]),
        **DETOX,
        rules={"D5"},
    ),
    case(
        "overdose-signs-not-withdrawal-outpatient",
        intake(symptoms=["vertigo", "heart_problems"]),
    ),
    # --- E1: each life-threatening symptom ---------------------------------------------------
    *[
        case(
            f"{code}-emergency",
            intake(symptoms=[code]),
            escalation="emergency",
            rules={"E1"},
        )
        for code in (
            "weak_shallow_breathing",
            "slowed_heart_rate",
            "loss_of_consciousness",
            "low_body_temperature",
            "coma",
            "blue_lips",
        )
    ],
    case(
        "seizures-emergency-detox",
        intake(symptoms=["seizures"]),
        escalation="emergency",
        **DETOX,
        rules={"E1", "D5"},
    ),
    # --- E3: emergency signs -----------------------------------------------------------------
    case(
        "delirium-emergency-detox",
        intake(symptoms=["delirium"]),
        escalation="emergency",
        **DETOX,
        rules={"E3", "D5"},
    ),
    case(
        "hyperthermia-emergency-detox",
        intake(symptoms=["hyperthermia"]),
        escalation="emergency",
        **DETOX,
        rules={"E3", "D5"},
    ),
    case(
        "chest-pain-emergency-outpatient",
        intake(symptoms=["chest_pain"]),
        escalation="emergency",
        rules={"E3"},
    ),
    case(
        "hallucinations-with-confusion-emergency",
        intake(symptoms=["hallucinations", "confusion"]),
        escalation="emergency",
        **DETOX,
        rules={"E3", "D5"},
    ),
    case(
        "hallucinations-alone-detox-no-emergency",
        intake(symptoms=["hallucinations"]),
        **DETOX,
        rules={"D5"},
    ),
    case("confusion-alone-outpatient", intake(symptoms=["confusion"])),
    # --- E2 and the C-SSRS -------------------------------------------------------------------
    case(
        "cssrs-q6-past-3-months-crisis",
        intake(screening={"cssrs": {"q6": True, "q6_past_3_months": True}}),
        escalation="crisis",
        rules={"E2"},
    ),
    case(
        "cssrs-q6-lifetime-co-occurring",
        intake(screening={"cssrs": {"q6": True, "q6_past_3_months": False}}),
        flags=["co_occurring"],
        rules={"F2"},
    ),
    case(
        "cssrs-q4-crisis",
        intake(screening={"cssrs": {"q1": True, "q2": True, "q4": True}}),
        escalation="crisis",
        rules={"E2"},
    ),
    case(
        "cssrs-q5-crisis",
        intake(screening={"cssrs": {"q2": True, "q5": True}}),
        escalation="crisis",
        rules={"E2"},
    ),
    case(
        "cssrs-q3-co-occurring",
        intake(screening={"cssrs": {"q2": True, "q3": True}}),
        flags=["co_occurring"],
        rules={"F2"},
    ),
    case("cssrs-q1-only-outpatient", intake(screening={"cssrs": {"q1": True}})),
    case(
        "crisis-and-emergency-emergency-wins",
        intake(symptoms=["coma"], screening={"cssrs": {"q2": True, "q4": True}}),
        escalation="emergency",
        rules={"E1", "E2"},
    ),
    # --- R5 / F2: PHQ-2 ----------------------------------------------------------------------
    case("phq-2-score-2-outpatient", intake(screening={"phq_2": [1, 1]})),
    case(
        "phq-2-score-3-co-occurring",
        intake(screening={"phq_2": [2, 1]}),
        flags=["co_occurring"],
        rules={"F2"},
    ),
    case(
        "phq-2-score-2-cssrs-moderate-co-occurring",
        intake(screening={"phq_2": [1, 1], "cssrs": COMBINED[1]}),
        flags=["co_occurring"],
        rules={"F2"},
    ),
    case(
        "phq-2-score-3-cssrs-moderate-inpatient",
        intake(screening={"phq_2": COMBINED[0], "cssrs": COMBINED[1]}),
        **INPATIENT,
        rules={"R5"},
    ),
    case(
        "phq-2-score-3-cssrs-low-co-occurring",
        intake(screening={"phq_2": [2, 1], "cssrs": {"q1": True}}),
        flags=["co_occurring"],
        rules={"F2"},
    ),
    # --- R3: DAST-10 -------------------------------------------------------------------------
    case("dast-5-outpatient", intake(screening={"dast_10": dast(5)}), scores={"dast_10": 5}),
    case(
        "dast-6-inpatient",
        intake(screening={"dast_10": dast(6)}),
        **INPATIENT,
        rules={"R3"},
        scores={"dast_10": 6},
    ),
    case(
        "dast-item-3-no-scores-6-inpatient",
        intake(screening={"dast_10": dast(5, item_3=False)}),
        **INPATIENT,
        rules={"R3"},
        scores={"dast_10": 6},
    ),
    # --- R4: several substances --------------------------------------------------------------
    case(
        "three-substances-weekly-inpatient",
        intake(sub("alcohol"), sub("cannabis"), sub("cocaine")),
        **INPATIENT,
        rules={"R4"},
    ),
    case(
        "two-substances-and-nicotine-outpatient",
        intake(sub("cannabis", "daily"), sub("cocaine"), sub("nicotine", "daily")),
    ),
    case(
        "three-substances-one-monthly-outpatient",
        intake(sub("cannabis"), sub("cocaine"), sub("stimulants", "monthly")),
    ),
    case(
        "same-substance-twice-counts-once-outpatient",
        intake(sub("other", "daily"), sub("other"), sub("cannabis")),
    ),
    case(
        "alcohol-daily-and-two-more-detox-then-inpatient",
        intake(sub("alcohol", "daily"), sub("cannabis"), sub("cocaine", "most_days")),
        **DETOX_THEN_INPATIENT,
        rules={"D1", "R4"},
    ),
    # --- R1 / R2: environment and relapse ----------------------------------------------------
    case("homeless-inpatient", intake(living={"housing": "homeless"}), **INPATIENT, rules={"R1"}),
    case(
        "unstable-housing-inpatient",
        intake(living={"housing": "unstable"}),
        **INPATIENT,
        rules={"R1"},
    ),
    case(
        "others-using-at-home-inpatient",
        intake(living={"housing": "stable", "others_using_at_home": True}),
        **INPATIENT,
        rules={"R1"},
    ),
    case("unsafe-home-inpatient", intake(living={"unsafe_home": True}), **INPATIENT, rules={"R1"}),
    case(
        "stable-home-outpatient",
        intake(living={"housing": "stable", "others_using_at_home": False, "has_support": False}),
    ),
    case(
        "relapse-after-treatment-inpatient",
        intake(history={"prior_treatment": ["detox"], "relapse_after_treatment": True}),
        **INPATIENT,
        rules={"R2"},
    ),
    case(
        "treatment-without-relapse-outpatient",
        intake(history={"prior_treatment": ["outpatient"], "relapse_after_treatment": False}),
    ),
    # --- AUDIT-C is scored, fires nothing ----------------------------------------------------
    case(
        "audit-c-3-female-positive-no-rule",
        intake(sub("alcohol"), screening={"audit_c": [1, 1, 1]}),
        scores={"audit_c": True},
    ),
    case(
        "audit-c-3-male-negative",
        {**intake(sub("alcohol"), screening={"audit_c": [1, 1, 1]}), "sex": "male"},
        scores={"audit_c": False},
    ),
    case(
        "audit-c-4-male-positive-no-rule",
        {**intake(sub("alcohol"), screening={"audit_c": [2, 1, 1]}), "sex": "male"},
        scores={"audit_c": True},
    ),
    case(
        "audit-c-2-female-negative",
        intake(sub("alcohol"), screening={"audit_c": [1, 1, 0]}),
        scores={"audit_c": False},
    ),
    # --- F rules ------------------------------------------------------------------------------
    case(
        "pregnant-alcohol-daily-medical-priority",
        intake(sub("alcohol", "daily"), medical={"pregnant": True}),
        **DETOX,
        flags=["medical", "priority_population"],
        rules={"D1", "F1", "F3"},
    ),
    case(
        "seizure-disorder-withdrawal-history-medical",
        intake(history={"withdrawal_seizures": True}, medical={"seizure_disorder": True}),
        **DETOX,
        flags=["medical"],
        rules={"D2", "F1"},
    ),
    case("liver-disease-without-detox-no-flag", intake(medical={"liver_disease": True})),
    case(
        "respiratory-disease-inpatient-no-medical-flag",
        intake(medical={"respiratory_disease": True}, living={"housing": "homeless"}),
        **INPATIENT,
        rules={"R1"},
    ),
    case(
        "pregnant-nicotine-only-no-flag",
        intake(sub("nicotine", "daily"), medical={"pregnant": True}),
    ),
    case(
        "pregnant-cannabis-monthly-priority",
        intake(medical={"pregnant": True}),
        flags=["priority_population"],
        rules={"F3"},
    ),
    case(
        "injected-opioids-weekly-priority",
        intake(sub("opioids", route="injected")),
        flags=["priority_population"],
        rules={"F3"},
    ),
    case(
        "duties-on-outpatient-track",
        intake(duties=["work", "childcare"]),
        flags=["duties_fit_outpatient"],
        rules={"F4"},
    ),
    case(
        "duties-on-detox-track-no-flag",
        intake(sub("alcohol", "daily"), duties=["school"]),
        **DETOX,
        rules={"D1"},
    ),
    case(
        "duties-on-inpatient-track-no-flag",
        intake(duties=["work"], living={"housing": "homeless"}),
        **INPATIENT,
        rules={"R1"},
    ),
    case(
        "duties-with-emergency-outpatient-flag-kept",
        intake(symptoms=["chest_pain"], duties=["work"]),
        escalation="emergency",
        flags=["duties_fit_outpatient"],
        rules={"E3", "F4"},
    ),
    case("no-duties-no-flag", intake(duties=[])),
    # --- Completeness: reported, never lowering ----------------------------------------------
    case("empty-document-incomplete", {}, missing=["substances", "symptoms"]),
    case(
        "no-substances-incomplete",
        {"symptoms": []},
        missing=["substances"],
    ),
    case(
        "empty-substances-incomplete",
        {"substances": [], "symptoms": ["anxiety"]},
        missing=["substances"],
    ),
    case(
        "frequency-missing-incomplete",
        intake(sub("alcohol"), sub("cannabis", None)),
        missing=["substances[1].frequency"],
    ),
    case(
        "symptoms-missing-incomplete",
        intake(symptoms=None),
        missing=["symptoms"],
    ),
    case(
        "incomplete-still-emergency",
        {"symptoms": ["loss_of_consciousness"]},
        escalation="emergency",
        rules={"E1"},
        missing=["substances"],
    ),
    case(
        "incomplete-still-detox",
        intake(sub("alcohol", "daily"), sub("baclofen", None), symptoms=None),
        **DETOX,
        rules={"D1"},
        missing=["substances[1].frequency", "symptoms"],
    ),
    # --- ROUTING.md's own example ------------------------------------------------------------
    case(
        "routing-md-example",
        ROUTING_EXAMPLE,
        **DETOX_THEN_INPATIENT,
        flags=["co_occurring"],
        rules={"D1", "D3", "D5", "D6", "R2", "F2"},
        scores={"audit_c": True, "dast_10": 1},
    ),
]


def test_there_are_enough_vignettes_with_distinct_ids():
    ids = [param.id for param in VIGNETTES]
    assert len(ids) >= 45
    assert len(set(ids)) == len(ids)


def test_every_rule_fires_in_some_vignette_and_is_absent_in_another():
    fired = [param.values[1]["rules"] for param in VIGNETTES]
    for code in CODE_ORDER:
        assert any(code in rules for rules in fired), code
        assert any(code not in rules for rules in fired), code


@pytest.mark.parametrize(("doc", "expected", "scores"), VIGNETTES)
def test_vignette(doc, expected, scores):
    decision = route(doc)
    result = decision.as_dict()
    assert {
        "escalation": result["escalation"],
        "track": result["track"],
        "next_step": result["next_step"],
        "flags": result["flags"],
        "rules": {rule["code"] for rule in result["rules"]},
        "complete": result["complete"],
        "missing": result["missing"],
    } == expected
    if "audit_c" in scores:
        assert result["scores"]["audit_c"]["positive"] is scores["audit_c"]
    if "dast_10" in scores:
        assert result["scores"]["dast_10"]["score"] == scores["dast_10"]


# --- Reasons name the answers -----------------------------------------------------------------

REASONS = [
    (intake(symptoms=["weak_shallow_breathing"]), "E1", "Weak or shallow breathing reported now."),
    (
        intake(symptoms=["coma", "blue_lips", "seizures"]),
        "E1",
        "Seizures, coma and blue lips reported now.",
    ),
    (
        intake(screening={"cssrs": {"q2": True, "q4": True, "q6": True, "q6_past_3_months": True}}),
        "E2",
        "C-SSRS risk high: yes to q4 and q6 within the past 3 months.",
    ),
    (
        intake(symptoms=["chest_pain", "hallucinations", "confusion"]),
        "E3",
        "Chest pain and hallucinations together with confusion reported now.",
    ),
    (
        intake(sub("alcohol", "daily"), sub("benzodiazepines", "most_days")),
        "D1",
        "Alcohol used daily and benzodiazepines used on most days "
        "(regular use of a depressant with dangerous withdrawal).",
    ),
    (
        intake(history={"withdrawal_seizures": True, "withdrawal_delirium": True}),
        "D2",
        "History of withdrawal seizures and withdrawal delirium.",
    ),
    (
        intake(used_together=["baclofen", "cannabis", "alcohol"]),
        "D3",
        "Alcohol and baclofen used on the same day.",
    ),
    (intake(sub("opioids", "daily")), "D4", "Opioids used daily (regular opioid use)."),
    (
        intake(symptoms=["insomnia", "tremors", "drowsiness"]),
        "D5",
        "Withdrawal signs reported now: tremors and insomnia.",
    ),
    (
        intake(sub("baclofen", "daily", amount_per_day=120, unit="mg")),
        "D6",
        "Baclofen 120 mg a day, used daily (above the 100 mg daily maximum).",
    ),
    (
        intake(sub("baclofen", amount_per_day=100.5)),
        "D6",
        "Baclofen 100.5 (no unit given, read as mg) a day, used weekly "
        "(above the 100 mg daily maximum).",
    ),
    (
        intake(living={"housing": "unstable", "others_using_at_home": True, "unsafe_home": True}),
        "R1",
        "Housing unstable; others using substances at home; home not safe.",
    ),
    (
        intake(
            history={"prior_treatment": ["detox", "outpatient"], "relapse_after_treatment": True}
        ),
        "R2",
        "Relapse after earlier treatment (detox and outpatient).",
    ),
    (intake(screening={"dast_10": dast(9, item_3=False)}), "R3", "DAST-10 score 10 (severe)."),
    (
        intake(
            sub("cocaine"), sub("alcohol", "daily"), sub("cannabis", "most_days"), sub("nicotine")
        ),
        "R4",
        "At least weekly use of 3 substances besides nicotine: "
        "alcohol (daily), cocaine (weekly) and cannabis (on most days).",
    ),
    (
        intake(screening={"phq_2": [3, 0], "cssrs": {"q2": True, "q3": True}}),
        "R5",
        "PHQ-2 score 3 (positive), with C-SSRS risk moderate: yes to q3.",
    ),
    (
        intake(sub("opioids", "daily"), medical={"liver_disease": True, "pregnant": True}),
        "F1",
        "Pregnancy and liver disease, with detox indicated (D4).",
    ),
    (
        intake(screening={"cssrs": {"q6": True}}),
        "F2",
        "C-SSRS risk moderate: yes to q6 (not within the past 3 months).",
    ),
    (
        intake(
            sub("nicotine"),
            sub("cannabis", route="smoked"),
            sub("opioids", route="injected"),
            medical={"pregnant": True},
        ),
        "F3",
        "Pregnant and using opioids and cannabis; opioids injected.",
    ),
    (
        intake(duties=["childcare", "work"]),
        "F4",
        "Duties (childcare and work) fit the outpatient track.",
    ),
]


@pytest.mark.parametrize(("doc", "code", "reason"), REASONS, ids=[r[1] for r in REASONS])
def test_reason_names_the_answers(doc, code, reason):
    reasons = {rule.code: rule.reason for rule in route(doc).rules}
    assert reasons[code] == reason


def test_fired_rules_carry_dimension_and_effect():
    decision = route(intake(symptoms=["coma"], living={"housing": "homeless"}, duties=["work"]))
    assert [(r.code, r.dimension, r.effect) for r in decision.rules] == [
        ("E1", 1, "emergency"),
        ("R1", 6, "inpatient"),
    ]


# --- Order, shape, determinism ----------------------------------------------------------------

EVERYTHING = intake(
    sub("alcohol", "daily"),
    sub("opioids", "daily", route="injected"),
    sub("baclofen", "daily", amount_per_day=300, unit="mg"),
    sub("cannabis"),
    symptoms=["coma", "delirium", "anxiety", "tremors"],
    used_together=["alcohol", "opioids"],
    history={"withdrawal_seizures": True, "relapse_after_treatment": True},
    medical={"pregnant": True},
    screening={"dast_10": dast(9), "phq_2": [3, 3], "cssrs": {"q2": True, "q3": True}},
    living={"housing": "homeless"},
    duties=["work"],
)


def test_rules_are_reported_in_code_order():
    codes = [rule.code for rule in route(EVERYTHING).rules]
    assert codes == ["E1", "E3", "D1", "D2", "D3", "D4", "D5", "D6", "R1", "R2", "R3", "R4", "R5",
                     "F1", "F3"]  # fmt: skip
    expected = ["E1", "E2", "E3", "D1", "D2", "D3", "D4", "D5", "D6", "R1", "R2", "R3", "R4",
                "R5", "F1", "F2", "F3", "F4"]  # fmt: skip
    assert expected == CODE_ORDER


def test_rule_order_given_does_not_matter():
    shuffled = list(RULES)
    random.Random(7).shuffle(shuffled)
    for doc in (EVERYTHING, intake(duties=["work"]), intake(screening={"phq_2": [3, 3]})):
        assert route(doc, rules=shuffled) == route(doc)


ROUTING_OUTPUT_EXAMPLE = json.loads(
    """{"version": "2026.1", "escalation": "emergency", "track": "detox", "next_step": "inpatient",
 "flags": ["medical"], "complete": true, "missing": [],
 "scores": {"audit_c": {"score": 7, "positive": true},
            "dast_10": {"score": 4, "band": "moderate"},
            "phq_2": {"score": 1, "positive": false},
            "cssrs": {"risk": "none"}},
 "rules": [{"code": "E1", "dimension": 1, "effect": "emergency",
            "reason": "Weak or shallow breathing reported now."}]}"""
)


def test_as_dict_has_exactly_the_routing_md_output_shape():
    result = route(EVERYTHING).as_dict()
    assert list(result) == list(ROUTING_OUTPUT_EXAMPLE)
    assert list(result["scores"]) == list(ROUTING_OUTPUT_EXAMPLE["scores"])
    for name, example in ROUTING_OUTPUT_EXAMPLE["scores"].items():
        assert list(result["scores"][name]) == list(example)
    assert all(list(rule) == list(ROUTING_OUTPUT_EXAMPLE["rules"][0]) for rule in result["rules"])
    assert result["rules"][0] == ROUTING_OUTPUT_EXAMPLE["rules"][0] | {
        "reason": "Coma reported now."
    }
    # JSON-ready: lists, not tuples, and a JSON round trip changes nothing.
    assert json.loads(json.dumps(result)) == result
    assert isinstance(result["flags"], list)
    assert isinstance(result["missing"], list)


def test_scores_of_an_unanswered_screening_are_null():
    assert route(intake()).as_dict()["scores"] == {
        "audit_c": {"score": None, "positive": None},
        "dast_10": {"score": None, "band": None},
        "phq_2": {"score": None, "positive": None},
        "cssrs": {"risk": None},
    }


def test_decision_dict_is_json_ready():
    output = route(EVERYTHING).as_dict()
    assert json.loads(json.dumps(output)) == output


def test_route_validates_first():
    with pytest.raises(DocumentError) as caught:
        route({"substances": [{"substance": "alcohol", "frequency": "sometimes"}], "foo": 1})
    assert caught.value.messages[0] == "unknown key 'foo'"


def test_route_does_not_mutate_its_input():
    doc = json.loads(json.dumps(EVERYTHING))
    route(doc)
    assert doc == EVERYTHING


def test_a_rule_with_the_wrong_effect_is_refused():
    with pytest.raises(ValueError, match="rule D7"):
        Rule("D7", 1, "inpatient", lambda facts: None, "Wrong effect for a D rule.")


# --- rules_markdown --------------------------------------------------------------------------


def test_rules_markdown_lists_every_rule():
    text = rules_markdown()
    assert text.startswith("# Routing rules, version 2026.1\n")
    for rule in RULES:
        assert f"| {rule.code} | {rule.dimension} " in text
        assert rule.title in text
    assert "| D6 | 1 acute intoxication / withdrawal potential | track `detox` |" in text
    assert "| F3 | 2 biomedical conditions | flag `priority_population` |" in text


def test_rules_markdown_is_deterministic_across_processes():
    # Sets of codes iterate in hash order; the text must not depend on PYTHONHASHSEED.
    script = "from intake.routing import rules_markdown; print(rules_markdown(), end='')"
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert outputs == {rules_markdown()}


def test_reasons_are_deterministic_across_processes():
    script = (
        "import json; from intake.routing import route; from tests.test_routing import EVERYTHING;"
        "print(json.dumps(route(EVERYTHING).as_dict()), end='')"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {json.dumps(route(EVERYTHING).as_dict())}


# --- Staff helpers ----------------------------------------------------------------------------


def test_ranks_follow_the_queue_order():
    assert [ESCALATION_RANK[e] for e in ("emergency", "crisis", "none")] == [0, 1, 2]
    assert [TRACK_RANK[t] for t in ("detox", "inpatient", "outpatient")] == [0, 1, 2]
    assert catalog.codes(catalog.ESCALATIONS) == ("emergency", "crisis", "none")


def test_needs_emergency_page():
    assert needs_emergency_page(route(intake(symptoms=["coma"])))
    assert needs_emergency_page(route(intake(screening={"cssrs": {"q4": True}})).as_dict())
    assert not needs_emergency_page(route(intake(sub("alcohol", "daily"))))


def test_rules_by_code():
    assert list(RULES_BY_CODE) == CODE_ORDER
    assert RULES_BY_CODE["D6"].dimension == 1


def test_catalog_matches_routing_md():
    # Rule titles and reasons list names in these tables' order: it must be the catalog's.
    assert tuple(catalog.SYMPTOM_NAMES) == catalog.SYMPTOM_CODES
    assert tuple(catalog.SUBSTANCE_NAMES) == catalog.codes(catalog.SUBSTANCES)
    assert len(catalog.SYMPTOMS) == 34
    assert {
        "weak_shallow_breathing",
        "slowed_heart_rate",
        "loss_of_consciousness",
        "seizures",
        "low_body_temperature",
        "coma",
        "blue_lips",
    } == catalog.LIFE_THREATENING
    flagless = [
        s.code for s in catalog.SYMPTOMS if not (s.overdose or s.withdrawal or s.side_effect)
    ]
    assert flagless == ["chest_pain"]
    assert catalog.SYMPTOMS_BY_CODE["dizziness"] == catalog.Symptom(
        "dizziness", "Dizziness", withdrawal=True, side_effect=True
    )
