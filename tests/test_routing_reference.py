"""The fast engine and validation decide exactly what the reference (the code before the hot path
was made fast, kept verbatim in tests/routing_reference/) decides: the same decision, reasons
word for word, the same normalised document and the same validation messages in the same order.
Over every demo vignette and over generated documents, valid and broken. No database."""

import copy
import dataclasses
import datetime
import inspect
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import catalog, routing, schema, screening
from intake.catalog import codes
from intake.demo import VIGNETTES, demo_documents
from intake.rules import RULES, FiredRule
from tests.routing_reference import routing as reference
from tests.routing_reference import schema as reference_schema
from tests.routing_reference import screening as reference_screening
from tests.test_routing_properties import documents as valid_routing_documents

MANY = settings(max_examples=400, deadline=None, database=None)
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
WITHOUT_F_RULES = tuple(rule for rule in RULES if not rule.code.startswith("F"))


def validated(doc, **kwargs):
    """(normalised document, None) or (None, messages), from the new validation."""
    try:
        return schema.validate_document(doc, **kwargs), None
    except schema.DocumentError as error:
        return None, error.messages


def validated_by_reference(doc, **kwargs):
    try:
        return reference_schema.validate_document(doc, **kwargs), None
    except reference_schema.DocumentError as error:
        return None, error.messages


def assert_same_decision(new: routing.Decision, old) -> None:
    assert json.dumps(new.as_dict()) == json.dumps(old.as_dict())  # keys in order, word for word
    for name in ("flags", "missing", "rules"):
        assert type(getattr(new, name)) is tuple
    assert all(type(rule) is FiredRule for rule in new.rules)
    assert new.scores == old.scores


def assert_same_everywhere(doc) -> None:
    before = copy.deepcopy(doc)
    for allow_contact in (True, False):
        new, messages = validated(doc, allow_contact=allow_contact)
        old, old_messages = validated_by_reference(doc, allow_contact=allow_contact)
        assert messages == old_messages
        assert json.dumps(new) == json.dumps(old)  # the same keys in the same order
    new, messages = validated(doc)
    old, _ = validated_by_reference(doc)
    if messages is None:
        assert_same_decision(routing.route(doc), reference.route(doc))
        assert_same_decision(routing.route_validated(new), reference.route_validated(old))
        # A rule table other than the engine's own (the generic path).
        assert_same_decision(
            routing.route(doc, rules=WITHOUT_F_RULES),
            reference.route(doc, rules=_reference_rules(WITHOUT_F_RULES)),
        )
    else:
        with pytest.raises(schema.DocumentError) as caught:
            routing.route(doc)
        assert caught.value.messages == messages
    assert repr(doc) == repr(before)  # nothing mutated its input (repr: NaN != NaN)


def _reference_rules(rules):
    codes_wanted = {rule.code for rule in rules}
    return tuple(rule for rule in reference.RULES if rule.code in codes_wanted)


# --- Every vignette -------------------------------------------------------------------------


def test_demo_documents_route_as_before():
    for doc in demo_documents(len(VIGNETTES) * 2, now=NOW):
        assert_same_everywhere(doc)


def test_the_bench_documents_route_as_before():
    """bench_routing()'s 300 documents, through both entry points the bench measures."""
    for doc in demo_documents(300, now=NOW):
        assert_same_decision(routing.route(doc), reference.route(doc))
        doc = schema.validate_document(doc)
        assert_same_decision(routing.route_validated(doc), reference.route_validated(doc))


# --- Generated documents --------------------------------------------------------------------

contacts = st.fixed_dictionaries(
    {},
    optional={
        "first_name": st.text(max_size=8),
        "last_name": st.sampled_from(["Ng", " Ortiz ", "", "x" * 101]),
        "date_of_birth": st.sampled_from(["1990-05-01", "1990-02-30", "1990-5-1"]),
        "phone": st.text(max_size=4),
        "email": st.sampled_from(["a@b.org", "not an email", " a@b.org "]),
        "reference": st.sampled_from(["K7M2-Q9XD", "K7M2-Q9XD-LONG"]),
        "preferred_contact": st.sampled_from([*codes(catalog.CONTACT_METHODS), "fax"]),
        "voicemail_ok": st.booleans(),
        "respondent": st.sampled_from(codes(catalog.RESPONDENTS)),
        "postal_code": st.just("12345"),
        "state": st.sampled_from(["NY", "NYC"]),
        "language": st.sampled_from(["en", "es", "fr"]),
    },
)
valid_with_extensions = st.tuples(
    valid_routing_documents,
    st.fixed_dictionaries(
        {},
        optional={
            "contact": contacts,
            "insurance": st.fixed_dictionaries(
                {},
                optional={
                    "payer": st.text(max_size=5),
                    "member_id": st.text(max_size=5),
                    "self_pay": st.booleans(),
                },
            ),  # fmt: skip
            "submitted_at": st.sampled_from(
                ["2026-11-25T17:48:00+00:00", "2026-11-25T17:48:00", "yesterday"]
            ),
            "status": st.sampled_from(["new", "In review", " in_review "]),
        },
    ),
).map(lambda pair: {**pair[0], **pair[1]})

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.sampled_from([101, 100_001, 1201, 2**64, True, 1.5, float("nan"), float("inf"), -0.0]),
    st.sampled_from(["", " ", "alcohol", "daily", "tremors", "q1", "mg", "2026-02-30", "x"]),
    st.lists(st.sampled_from([0, 1, 4, 5, True, False, "alcohol", None, "x", 1.0]), max_size=11),
    st.dictionaries(
        st.sampled_from(["q1", "q6", "substance", "housing", "x"]),
        st.sampled_from([True, 1, "alcohol", None]),
        max_size=3,
    ),  # fmt: skip
)


@st.composite
def broken(draw, doc):
    """``doc`` with a few of its values, at any depth, replaced by junk, and maybe a key added."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 4))):
        node, path = doc, []
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else
                                       range(len(node))))  # fmt: skip
            if not isinstance(node[key], (dict, list)) or not node[key]:
                node[key] = draw(junk)
                break
            node, path = node[key], [*path, key]
        else:
            if isinstance(node, dict):
                node[draw(st.sampled_from(["extra", "sex", "q4", "substances", "frequency"]))] = (
                    draw(junk)
                )
            elif isinstance(node, list):
                node.append(draw(junk))
    return doc


@MANY
@given(valid_routing_documents)
def test_generated_documents_route_as_before(doc):
    assert_same_everywhere(doc)


@MANY
@given(valid_with_extensions)
def test_generated_documents_with_extensions_validate_as_before(doc):
    assert_same_everywhere(doc)


@MANY
@given(st.one_of(valid_routing_documents, valid_with_extensions).flatmap(broken))
def test_broken_documents_are_refused_or_routed_as_before(doc):
    assert_same_everywhere(doc)


@MANY
@given(st.one_of(junk, st.lists(junk, max_size=3), st.dictionaries(st.text(max_size=3), junk)))
def test_anything_at_all_is_refused_as_before(value):
    assert_same_everywhere(value)


def test_randomly_broken_demo_documents_are_refused_or_routed_as_before():
    rng = random.Random(13)
    values = [None, True, 0, 1, 5, -1, 1.5, "", "x", "daily", [], [1], {}, {"x": 1}, 2**70]
    for doc in demo_documents(len(VIGNETTES), now=NOW):
        for _ in range(20):
            changed = copy.deepcopy(doc)
            node = changed
            while True:
                key = rng.choice(sorted(node) if isinstance(node, dict) else range(len(node)))
                if isinstance(node[key], (dict, list)) and node[key] and rng.random() < 0.7:
                    node = node[key]
                    continue
                node[key] = rng.choice(values)
                break
            assert_same_everywhere(changed)


# --- Scores -----------------------------------------------------------------------------------

SCORERS = [
    ("score_audit_c", lambda module, answers: module.score_audit_c(answers, "male")),
    ("score_audit_c", lambda module, answers: module.score_audit_c(answers, "female")),
    ("score_dast_10", lambda module, answers: module.score_dast_10(answers)),
    ("score_phq_2", lambda module, answers: module.score_phq_2(answers)),
]


def _outcome(function):
    try:
        return "result", function().as_dict()
    except ValueError as error:
        return "error", str(error)


@MANY
@given(
    st.sampled_from(range(len(SCORERS))),
    st.one_of(
        st.none(),
        st.lists(st.integers(-1, 5), max_size=11),
        st.lists(st.booleans(), max_size=11),
        st.lists(st.sampled_from([0, 1, 2, 3, 4, True, False, 1.0, "1", None]), max_size=11),
    ),
)
def test_scores_as_before(index, answers):
    _, scorer = SCORERS[index]
    assert _outcome(lambda: scorer(screening, answers)) == _outcome(
        lambda: scorer(reference_screening, answers)
    )


@MANY
@given(
    st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from([*catalog.CSSRS_KEYS, "q7"]), st.sampled_from([True, False, 1, None])
        ),  # fmt: skip
    )
)
def test_cssrs_as_before(answers):
    assert _outcome(lambda: screening.score_cssrs(answers)) == _outcome(
        lambda: reference_screening.score_cssrs(answers)
    )


# --- The machinery of the fast path -----------------------------------------------------------


@pytest.mark.parametrize("cls", [FiredRule, routing.Decision])
def test_the_hand_written_constructors_set_every_field_and_stay_frozen(cls):
    names = [field.name for field in dataclasses.fields(cls)]
    assert list(inspect.signature(cls).parameters) == names
    made = cls(*names)
    assert [getattr(made, name) for name in names] == names
    assert made == cls(**{name: name for name in names})
    assert repr(made).startswith(f"{cls.__name__}({names[0]}=")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], "changed")


def test_decisions_share_nothing_mutable():
    """The score results are made once and shared (they are frozen); the dicts a decision
    carries are its own, so changing one decision's copy cannot reach another's."""
    doc = schema.validate_document(demo_documents(1, now=NOW)[0])
    first, second = routing.route_validated(doc), routing.route_validated(doc)
    assert first == second
    assert first.scores is not second.scores
    assert all(first.scores[name] is not second.scores[name] for name in first.scores)
    first.scores["phq_2"]["score"] = 99
    assert routing.route_validated(doc).scores == second.scores


def test_facts_and_evaluate_leave_what_they_are_given():
    doc = demo_documents(1, now=NOW)[0]
    facts = routing.prepare(doc)
    decision = routing.evaluate(facts)
    assert decision.rules and facts.fired == ()
    assert routing.evaluate(facts) == decision == routing.route(doc)
