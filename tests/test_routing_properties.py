"""Properties of the routing engine over generated valid documents. No database, no Django."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from intake import catalog
from intake.catalog import ESCALATION_RANK, TRACK_RANK, codes
from intake.routing import (
    ROUTING_VERSION,
    route,
)
from intake.rules import RULES, RULES_BY_CODE
from intake.schema import validate_document
from intake.screening import CSSRS_KEYS

MODEST = settings(max_examples=200, deadline=None, database=None)
CODE_ORDER = [rule.code for rule in RULES]
WITHOUT_F_RULES = tuple(rule for rule in RULES if not rule.code.startswith("F"))


def one_of_codes(choices):
    return st.sampled_from(codes(choices))


def code_list(choices, max_size=4):
    return st.lists(st.sampled_from(codes(choices)), unique=True, max_size=max_size)


# Amounts cluster around the baclofen maximum, where D6 turns.
amounts = st.one_of(
    st.sampled_from([0, 50, 100, 100.5, 101, 300]),
    st.integers(0, 100_000),
    st.floats(0, 100_000, allow_nan=False, allow_infinity=False),
)

substance_entries = st.fixed_dictionaries(
    {"substance": one_of_codes(catalog.SUBSTANCES)},
    optional={
        "frequency": one_of_codes(catalog.FREQUENCIES),
        "amount_per_day": amounts,
        "unit": one_of_codes(catalog.UNITS),
        "route": one_of_codes(catalog.ROUTES),
        "duration_months": st.integers(0, 1200),
        "last_use": one_of_codes(catalog.LAST_USE),
        "prescribed": st.booleans(),
        "more_than_prescribed": st.booleans(),
    },
)

screenings = st.fixed_dictionaries(
    {},
    optional={
        "audit_c": st.lists(st.integers(0, 4), min_size=3, max_size=3),
        "dast_10": st.lists(st.booleans(), min_size=10, max_size=10),
        "phq_2": st.lists(st.integers(0, 3), min_size=2, max_size=2),
        "cssrs": st.fixed_dictionaries({}, optional=dict.fromkeys(CSSRS_KEYS, st.booleans())),
    },
)


def flags_of(keys):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, st.booleans()))


documents = st.fixed_dictionaries(
    {},
    optional={
        "sex": one_of_codes(catalog.SEXES),
        "date_of_birth": st.dates().map(lambda d: d.isoformat()),
        "substances": st.lists(substance_entries, max_size=5),
        "used_together": code_list(catalog.SUBSTANCES),
        "symptoms": st.lists(st.sampled_from(catalog.SYMPTOM_CODES), unique=True, max_size=6),
        "history": st.fixed_dictionaries(
            {},
            optional={
                "withdrawal_seizures": st.booleans(),
                "withdrawal_delirium": st.booleans(),
                "prior_treatment": code_list(catalog.PRIOR_TREATMENTS),
                "relapse_after_treatment": st.booleans(),
            },
        ),
        "medical": flags_of(codes(catalog.MEDICAL_CONDITIONS)),
        "screening": screenings,
        "living": st.fixed_dictionaries(
            {},
            optional={
                "housing": one_of_codes(catalog.HOUSING),
                "others_using_at_home": st.booleans(),
                "unsafe_home": st.booleans(),
                "has_support": st.booleans(),
            },
        ),
        "duties": code_list(catalog.DUTIES),
        "readiness": one_of_codes(catalog.READINESS),
        "preference": one_of_codes(catalog.PREFERENCES),
        "status": st.sampled_from(["new", "in_review"]),
        "submitted_at": st.just("2026-11-25T17:48:00+00:00"),
    },
)


# --- An independent check of ROUTING.md's output form ------------------------------------------

SCORE_SHAPES = {
    "audit_c": {"score": range(13), "positive": (True, False)},
    "dast_10": {
        "score": range(11),
        "band": ("none", "low", "moderate", "substantial", "severe"),
    },
    "phq_2": {"score": range(7), "positive": (True, False)},
    "cssrs": {"risk": ("none", "low", "moderate", "high")},
}


def assert_output_form(result: dict) -> None:
    assert list(result) == [
        "version",
        "escalation",
        "track",
        "next_step",
        "flags",
        "complete",
        "missing",
        "scores",
        "rules",
    ]
    assert result["version"] == ROUTING_VERSION
    assert result["escalation"] in ("none", "crisis", "emergency")
    assert result["track"] in ("detox", "inpatient", "outpatient")
    if result["track"] == "detox":
        assert result["next_step"] in ("inpatient", "outpatient")
    else:
        assert result["next_step"] is None
    assert type(result["flags"]) is list
    assert set(result["flags"]) <= set(codes(catalog.FLAGS))
    assert len(set(result["flags"])) == len(result["flags"])
    assert type(result["complete"]) is bool
    assert type(result["missing"]) is list
    assert all(isinstance(item, str) for item in result["missing"])
    assert result["complete"] == (not result["missing"])
    assert list(result["scores"]) == list(SCORE_SHAPES)
    for name, shape in SCORE_SHAPES.items():
        score = result["scores"][name]
        assert list(score) == list(shape)
        values = list(score.values())
        # All null (not answered) or all set.
        assert all(v is None for v in values) or all(v is not None for v in values)
        for key, allowed in shape.items():
            assert score[key] is None or (
                score[key] in allowed and type(score[key]) is type(next(iter(allowed)))
            )
    assert type(result["rules"]) is list
    codes_fired = [rule["code"] for rule in result["rules"]]
    assert codes_fired == sorted(codes_fired, key=CODE_ORDER.index)
    for rule in result["rules"]:
        assert list(rule) == ["code", "dimension", "effect", "reason"]
        table = RULES_BY_CODE[rule["code"]]
        assert (rule["dimension"], rule["effect"]) == (table.dimension, table.effect)
        assert isinstance(rule["reason"], str)
        assert rule["reason"][:1].isupper() and rule["reason"].endswith(".")
    kinds = {code[0] for code in codes_fired}
    expected_track = "detox" if "D" in kinds else "inpatient" if "R" in kinds else "outpatient"
    assert result["track"] == expected_track
    escalations = [r["effect"] for r in result["rules"] if r["code"][0] == "E"] + ["none"]
    assert result["escalation"] == min(escalations, key=ESCALATION_RANK.__getitem__)
    assert result["flags"] == [r["effect"] for r in result["rules"] if r["code"][0] == "F"]


# --- Properties -----------------------------------------------------------------------------


@MODEST
@given(documents)
def test_valid_documents_route_to_the_output_form(doc):
    before = copy.deepcopy(doc)
    assert_output_form(route(doc).as_dict())
    assert doc == before
    assert validate_document(validate_document(doc)) == validate_document(doc)


@MODEST
@given(documents, st.sampled_from(catalog.SYMPTOM_CODES))
def test_adding_a_symptom_never_lowers_the_recommendation(doc, symptom):
    before = route(doc)
    after = route({**doc, "symptoms": [*doc.get("symptoms", []), symptom]})
    assert ESCALATION_RANK[after.escalation] <= ESCALATION_RANK[before.escalation]
    assert TRACK_RANK[after.track] <= TRACK_RANK[before.track]
    clinical = {r.code for r in before.rules if r.code[0] in "EDR"}
    assert clinical <= {r.code for r in after.rules}


def _with(doc: dict, section: str, **answers) -> dict:
    return {**doc, section: {**doc.get(section, {}), **answers}}


D_FACTS = {
    "D1": lambda doc: {**doc, "substances": [*doc.get("substances", []), {
        "substance": "benzodiazepines", "frequency": "daily"}]},
    "D2-seizures": lambda doc: _with(doc, "history", withdrawal_seizures=True),
    "D2-delirium": lambda doc: _with(doc, "history", withdrawal_delirium=True),
    "D3": lambda doc: {**doc, "used_together": [*doc.get("used_together", []), "alcohol",
                                                "opioids"]},
    "D4": lambda doc: {**doc, "substances": [*doc.get("substances", []), {
        "substance": "opioids", "frequency": "most_days"}]},
    "D5": lambda doc: {**doc, "symptoms": [*doc.get("symptoms", []), "tremors"]},
    "D6": lambda doc: {**doc, "substances": [*doc.get("substances", []), {
        "substance": "baclofen", "frequency": "weekly", "amount_per_day": 101}]},
}  # fmt: skip


@MODEST
@given(documents, st.sampled_from(sorted(D_FACTS)))
def test_adding_any_detox_fact_keeps_the_track_at_detox(doc, fact):
    before = route(doc)
    after = route(D_FACTS[fact](doc))
    assert after.track == "detox"
    assert fact[:2] in {r.code for r in after.rules}
    assert ESCALATION_RANK[after.escalation] <= ESCALATION_RANK[before.escalation]
    # Whatever R rules fired still decide the step after detox.
    has_r = any(r.code[0] == "R" for r in after.rules)
    assert after.next_step == ("inpatient" if has_r else "outpatient")


@MODEST
@given(documents)
def test_f_rules_never_change_track_or_escalation(doc):
    full = route(doc)
    bare = route(doc, rules=WITHOUT_F_RULES)
    assert (bare.escalation, bare.track, bare.next_step) == (
        full.escalation,
        full.track,
        full.next_step,
    )
    assert bare.rules == tuple(r for r in full.rules if r.code[0] != "F")
    assert bare.flags == ()


@MODEST
@given(documents)
def test_unanswered_items_are_reported_as_missing(doc):
    decision = route(doc)
    substances = doc.get("substances", [])
    assert ("substances" in decision.missing) == (not substances)
    assert ("symptoms" in decision.missing) == ("symptoms" not in doc)
    for i, entry in enumerate(substances):
        assert (f"substances[{i}].frequency" in decision.missing) == ("frequency" not in entry)
    # Removing the symptoms answer is reported, and leaves every rule that does not read it.
    without = route({k: v for k, v in doc.items() if k != "symptoms"})
    assert "symptoms" in without.missing and not without.complete
    unaffected = {"E2", "D1", "D2", "D3", "D4", "D6", "R1", "R2", "R3", "R4", "R5"}
    assert {r.code for r in decision.rules} & unaffected == {
        r.code for r in without.rules
    } & unaffected
