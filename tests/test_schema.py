"""The intake document schema: every kind of message, normalisation, extensions. No database."""

import copy

import pytest

from intake.schema import DocumentError, validate_document

# ROUTING.md's input example, verbatim.
ROUTING_EXAMPLE = {
    "sex": "female",
    "date_of_birth": "1990-05-01",
    "substances": [
        {
            "substance": "baclofen",
            "frequency": "daily",
            "amount_per_day": 120,
            "unit": "mg",
            "route": "oral",
            "duration_months": 8,
            "last_use": "today",
            "prescribed": True,
            "more_than_prescribed": True,
        }
    ],
    "used_together": ["alcohol", "baclofen"],
    "symptoms": ["tremors", "insomnia"],
    "history": {
        "withdrawal_seizures": False,
        "withdrawal_delirium": False,
        "prior_treatment": ["outpatient"],
        "relapse_after_treatment": True,
    },
    "medical": {
        "pregnant": False,
        "seizure_disorder": False,
        "liver_disease": False,
        "heart_disease": False,
        "kidney_disease": False,
        "respiratory_disease": False,
    },
    "screening": {
        "audit_c": [2, 1, 0],
        "dast_10": [True, False, True, False, False, False, False, False, False, False],
        "phq_2": [1, 2],
        "cssrs": {
            "q1": True,
            "q2": False,
            "q3": False,
            "q4": False,
            "q5": False,
            "q6": False,
            "q6_past_3_months": False,
        },
    },
    "living": {
        "housing": "stable",
        "others_using_at_home": False,
        "unsafe_home": False,
        "has_support": True,
    },
    "duties": ["work"],
    "readiness": "ready",
    "preference": "outpatient",
}

EXTENSIONS = {
    "contact": {
        "first_name": "Ana",
        "last_name": "Diaz",
        "date_of_birth": "1990-05-01",
        "phone": "+1 555 0100",
        "email": "ana@example.org",
        "reference": "K7M2-Q9XD",
        "preferred_contact": "text",
        "voicemail_ok": False,
        "respondent": "self",
        "postal_code": "97201",
        "state": "OR",
    },
    "insurance": {"payer": "Medicaid", "member_id": "AB123", "self_pay": False},
    "status": "in_review",
    "submitted_at": "2026-11-25T17:48:00+00:00",
}


def messages(doc, **kwargs) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        validate_document(doc, **kwargs)
    return caught.value.messages


def test_routing_example_is_valid_and_unchanged():
    assert validate_document(ROUTING_EXAMPLE) == ROUTING_EXAMPLE


def test_extensions_are_valid():
    doc = {**ROUTING_EXAMPLE, **EXTENSIONS}
    assert validate_document(doc) == doc


def test_empty_document_is_valid():
    assert validate_document({}) == {}


def test_input_is_not_mutated_and_result_is_a_copy():
    doc = copy.deepcopy({**ROUTING_EXAMPLE, "symptoms": ["tremors", "tremors"]})
    before = copy.deepcopy(doc)
    result = validate_document(doc)
    assert doc == before
    result["substances"][0]["frequency"] = "less"
    result["screening"]["cssrs"]["q1"] = False
    assert doc == before


def test_normalisation():
    doc = {
        "preference": "none",
        "sex": None,
        "symptoms": ["tremors", "insomnia", "tremors"],
        "duties": ["work", "work"],
        "substances": [{"substance": "alcohol", "frequency": None, "unit": "drinks"}],
        "contact": {"first_name": "  Ana ", "last_name": "   ", "email": None},
        "insurance": {"payer": ""},
    }
    result = validate_document(doc)
    assert result == {
        "substances": [{"substance": "alcohol", "unit": "drinks"}],
        "symptoms": ["tremors", "insomnia"],
        "duties": ["work"],
        "preference": "none",
        "contact": {"first_name": "Ana"},
        "insurance": {},
    }
    order = ["substances", "symptoms", "duties", "preference", "contact", "insurance"]
    assert list(result) == order


def test_error_is_a_value_error_with_every_message():
    with pytest.raises(ValueError, match="invalid intake document: unknown key 'foo'; sex: "):
        validate_document({"foo": 1, "sex": "f"})
    assert messages({"foo": 1, "sex": "f", "readiness": "maybe"}) == [
        "unknown key 'foo'",
        "sex: unknown code 'f' (expected one of: female, male, other, unknown)",
        "readiness: unknown code 'maybe' (expected one of: ready, unsure, not_ready)",
    ]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"foo": 1}, "unknown key 'foo'"),
        ({"history": {"seizures": True}}, "history: unknown key 'seizures'"),
        (
            {"substances": [{"substance": "alcohol", "dose": 3}]},
            "substances[0]: unknown key 'dose'",
        ),
        (
            {"screening": {"cssrs": {"q7": True}}},
            "screening.cssrs: unknown key 'q7'",
        ),
        (
            {
                "substances": [
                    {"substance": "alcohol"},
                    {"substance": "cocaine", "frequency": "sometimes"},
                ]
            },
            "substances[1].frequency: unknown code 'sometimes' "
            "(expected one of: daily, most_days, weekly, monthly, less)",
        ),
        (
            {"used_together": ["alcohol", "beer"]},
            "used_together[1]: unknown code 'beer' (expected one of: alcohol, baclofen, "
            "benzodiazepines, other_sedatives, opioids, stimulants, cocaine, nicotine, "
            "cannabis, other)",
        ),
        ({"duties": [1]}, "duties[0]: unknown code 1 (expected one of: work, school, childcare)"),
        ({"substances": [{"frequency": "daily"}]}, "substances[0].substance: required"),
        ({"substances": {"substance": "alcohol"}}, "substances: must be a list"),
        ({"symptoms": "tremors"}, "symptoms: must be a list"),
        ({"history": []}, "history: must be an object"),
        (
            {"screening": {"audit_c": [1, 2, 5]}},
            "screening.audit_c[2]: must be an integer from 0 to 4",
        ),
        (  # bool is not an int
            {"screening": {"audit_c": [True, 0, 0]}},
            "screening.audit_c[0]: must be an integer from 0 to 4",
        ),
        (
            {"screening": {"audit_c": [1, 2]}},
            "screening.audit_c: must be a list of exactly 3 answers",
        ),
        ({"screening": {"phq_2": [0, 4]}}, "screening.phq_2[1]: must be an integer from 0 to 3"),
        ({"screening": {"phq_2": [0, 1.0]}}, "screening.phq_2[1]: must be an integer from 0 to 3"),
        ({"screening": {"phq_2": [0]}}, "screening.phq_2: must be a list of exactly 2 answers"),
        (
            {"screening": {"dast_10": [False] * 9}},
            "screening.dast_10: must be a list of exactly 10 answers",
        ),
        (
            {"screening": {"dast_10": [False] * 9 + [0]}},
            "screening.dast_10[9]: must be true or false",
        ),
        ({"screening": {"cssrs": {"q1": "yes"}}}, "screening.cssrs.q1: must be true or false"),
        ({"medical": {"pregnant": 1}}, "medical.pregnant: must be true or false"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth: must be a real date written YYYY-MM-DD"),
        ({"date_of_birth": 19900501}, "date_of_birth: must be a real date written YYYY-MM-DD"),
        ({"date_of_birth": "١٩٩٠-٠٥-٠١"}, "date_of_birth: must be a real date written YYYY-MM-DD"),
        (
            {"contact": {"date_of_birth": "19900501"}},
            "contact.date_of_birth: must be a real date written YYYY-MM-DD",
        ),
        (
            {"status": "In review"},
            "status: must be a status code (lowercase letters, digits and _)",
        ),
        (
            {"submitted_at": "2026-11-25T17:48:00"},
            "submitted_at: must be an ISO 8601 date and time with a time zone",
        ),
        ({"contact": {"email": "ana.example.org"}}, "contact.email: must be an email address"),
        ({"contact": {"state": 7}}, "contact.state: must be text of at most 2 characters"),
        ({"contact": {"state": "Oregon"}}, "contact.state: must be text of at most 2 characters"),
        (
            {"insurance": {"member_id": "x" * 65}},
            "insurance.member_id: must be text of at most 64 characters",
        ),
    ],
    ids=lambda value: value.split(":")[0] if isinstance(value, str) else "",
)
def test_message(doc, expected):
    assert messages(doc) == [expected]


@pytest.mark.parametrize(
    "amount", [-1, -0.5, 100_001, 1e9, float("nan"), float("inf"), "120", True, 10**400]
)
def test_amount_per_day_must_be_plausible(amount):
    doc = {"substances": [{"substance": "baclofen", "amount_per_day": amount}]}
    assert messages(doc) == ["substances[0].amount_per_day: must be a number from 0 to 100000"]


@pytest.mark.parametrize("amount", [0, 0.5, 100, 100.5, 100_000])
def test_amount_per_day_accepts_numbers(amount):
    doc = {"substances": [{"substance": "baclofen", "amount_per_day": amount}]}
    assert validate_document(doc)["substances"][0]["amount_per_day"] == amount


@pytest.mark.parametrize("months", [-1, 1201, 1.5, 12.0, True, "8"])
def test_duration_months_must_be_whole(months):
    doc = {"substances": [{"substance": "alcohol", "duration_months": months}]}
    assert messages(doc) == ["substances[0].duration_months: must be an integer from 0 to 1200"]


@pytest.mark.parametrize("months", [0, 1200])
def test_duration_months_bounds(months):
    doc = {"substances": [{"substance": "alcohol", "duration_months": months}]}
    assert validate_document(doc)["substances"][0]["duration_months"] == months


def test_error_survives_copying_and_pickling():
    # deepcopy goes through __reduce__, as pickling does.
    error = copy.deepcopy(DocumentError(["unknown key 'foo'", "sex: required"]))
    assert error.messages == ["unknown key 'foo'", "sex: required"]
    assert str(error) == "invalid intake document: unknown key 'foo'; sex: required"


def test_not_an_object():
    assert messages(["alcohol"]) == ["document: must be an object"]


def test_contact_can_be_refused():
    doc = {**ROUTING_EXAMPLE, **EXTENSIONS}
    assert messages(doc, allow_contact=False) == [
        "contact: not allowed in this document (no contact details here)"
    ]
    without = {k: v for k, v in doc.items() if k != "contact"}
    assert validate_document(without, allow_contact=False) == without


def test_every_problem_is_reported_once():
    doc = {
        "substances": [{"substance": "opium", "frequency": "daily", "route": "iv"}],
        "screening": {"audit_c": [1, 9, -1], "phq_2": "3"},
        "living": {"housing": "stable", "pets": True},
    }
    assert messages(doc) == [
        "substances[0].substance: unknown code 'opium' (expected one of: alcohol, baclofen, "
        "benzodiazepines, other_sedatives, opioids, stimulants, cocaine, nicotine, cannabis, "
        "other)",
        "substances[0].route: unknown code 'iv' "
        "(expected one of: oral, smoked, snorted, injected, other)",
        "screening.audit_c[1]: must be an integer from 0 to 4",
        "screening.audit_c[2]: must be an integer from 0 to 4",
        "screening.phq_2: must be a list",
        "living: unknown key 'pets'",
    ]


def test_submitted_at_accepts_z_and_offsets():
    for moment in ("2026-11-25T17:48:00Z", "2026-11-25T09:48:00.123456-08:00"):
        assert validate_document({"submitted_at": moment}) == {"submitted_at": moment}
