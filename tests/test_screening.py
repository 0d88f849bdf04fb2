"""Screening scores at their boundaries (ROUTING.md "Screening scores"). No database."""

import pytest

from intake.screening import (
    AUDIT_C_QUESTIONS,
    CSSRS_KEYS,
    CSSRS_QUESTIONS,
    DAST_10_QUESTIONS,
    PHQ_2_QUESTIONS,
    AuditC,
    Cssrs,
    Dast10,
    Phq2,
    score_audit_c,
    score_cssrs,
    score_dast_10,
    score_phq_2,
)

NO = [False] * 10


def dast(*yes_items: int, item_3: bool = True) -> list[bool]:
    """Answers with the given 1-based items "yes"; item 3 answered ``item_3`` (yes scores 0)."""
    answers = [number in yes_items for number in range(1, 11)]
    answers[2] = item_3
    return answers


# --- AUDIT-C --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "sex", "score", "positive"),
    [
        ([1, 1, 1], "male", 3, False),
        ([2, 1, 1], "male", 4, True),
        ([1, 1, 1], "female", 3, True),
        ([1, 1, 0], "female", 2, False),
        ([1, 1, 1], "other", 3, True),
        ([1, 1, 0], "other", 2, False),
        ([1, 1, 1], "unknown", 3, True),
        ([1, 1, 1], None, 3, True),
        ([0, 0, 0], "male", 0, False),
        ([4, 4, 4], "female", 12, True),
    ],
    ids=[
        "male-3-negative",
        "male-4-positive",
        "female-3-positive",
        "female-2-negative",
        "other-3-positive",
        "other-2-negative",
        "unknown-3-positive",
        "sex-not-given-3-positive",
        "zero",
        "maximum",
    ],
)
def test_audit_c_cut_offs(answers, sex, score, positive):
    assert score_audit_c(answers, sex) == AuditC(score, positive)


def test_audit_c_not_answered():
    assert score_audit_c(None, "male") == AuditC(None, None)
    assert score_audit_c(None, "male").as_dict() == {"score": None, "positive": None}


@pytest.mark.parametrize("answers", [[1, 1], [1, 1, 1, 1], [5, 0, 0], [-1, 0, 0], [True, 0, 0]])
def test_audit_c_refuses_wrong_answers(answers):
    with pytest.raises(ValueError, match="AUDIT-C"):
        score_audit_c(answers, "male")


# --- DAST-10 --------------------------------------------------------------------------------


def test_dast_item_3_is_reversed():
    # Everything "no": only item 3 ("always able to stop?" no) scores.
    assert score_dast_10(NO).score == 1
    # Item 3 "yes" (able to stop) scores nothing.
    assert score_dast_10(dast()).score == 0
    # Everything "yes": item 3 costs its point back.
    assert score_dast_10([True] * 10).score == 9


@pytest.mark.parametrize(
    ("answers", "score", "band"),
    [
        (dast(), 0, "none"),
        (dast(1), 1, "low"),
        (dast(1, 2), 2, "low"),
        (dast(1, 2, 4), 3, "moderate"),
        (dast(1, 2, 4, 5, 6), 5, "moderate"),
        (dast(1, 2, 4, 5, 6, 7), 6, "substantial"),
        (dast(1, 2, 4, 5, 6, 7, 8, 9), 8, "substantial"),
        (dast(1, 2, 4, 5, 6, 7, 8, 9, 10), 9, "severe"),
        (dast(1, 2, 4, 5, 6, 7, 8, 9, 10, item_3=False), 10, "severe"),
        (dast(1, 2, item_3=False), 3, "moderate"),
    ],
    ids=lambda value: str(value) if not isinstance(value, list) else "",
)
def test_dast_bands(answers, score, band):
    assert score_dast_10(answers) == Dast10(score, band)


def test_dast_not_answered():
    assert score_dast_10(None).as_dict() == {"score": None, "band": None}


@pytest.mark.parametrize("answers", [[False] * 9, [False] * 11, [0] * 10, [None] * 10])
def test_dast_refuses_wrong_answers(answers):
    with pytest.raises(ValueError, match="DAST-10"):
        score_dast_10(answers)


# --- PHQ-2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "score", "positive"),
    [
        ([0, 0], 0, False),
        ([1, 1], 2, False),
        ([2, 0], 2, False),
        ([1, 2], 3, True),
        ([3, 3], 6, True),
    ],
)
def test_phq_2_cut_off(answers, score, positive):
    assert score_phq_2(answers) == Phq2(score, positive)


def test_phq_2_not_answered():
    assert score_phq_2(None).as_dict() == {"score": None, "positive": None}


@pytest.mark.parametrize("answers", [[1], [1, 1, 1], [4, 0], [0, False]])
def test_phq_2_refuses_wrong_answers(answers):
    with pytest.raises(ValueError, match="PHQ-2"):
        score_phq_2(answers)


# --- C-SSRS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        ({}, "none"),
        (dict.fromkeys(CSSRS_KEYS, False), "none"),
        ({"q1": True}, "low"),
        ({"q1": True, "q2": False}, "low"),
        ({"q2": True}, "low"),
        ({"q1": True, "q2": True, "q3": False, "q4": False, "q5": False}, "low"),
        ({"q2": True, "q3": True}, "moderate"),
        ({"q6": True}, "moderate"),
        ({"q6": True, "q6_past_3_months": False}, "moderate"),
        ({"q6": True, "q6_past_3_months": True}, "high"),
        ({"q2": True, "q4": True}, "high"),
        ({"q2": True, "q5": True}, "high"),
        ({"q1": True, "q2": True, "q3": True, "q4": True, "q5": True}, "high"),
        # Taken as answered: the follow-up alone is not a "yes" to q6 (ROUTING.md: q6 with it).
        ({"q6_past_3_months": True}, "none"),
    ],
    ids=[
        "empty",
        "all-no",
        "q1-only",
        "q1-q2-no",
        "q2-only",
        "q1-q2-follow-ups-no",
        "q3",
        "q6-lifetime-absent-follow-up",
        "q6-lifetime",
        "q6-past-3-months",
        "q4",
        "q5",
        "all-yes",
        "follow-up-without-q6",
    ],
)
def test_cssrs_risk(answers, risk):
    assert score_cssrs(answers) == Cssrs(risk)


def test_cssrs_not_answered():
    assert score_cssrs(None).as_dict() == {"risk": None}


@pytest.mark.parametrize("answers", [{"q7": True}, {"q1": 1}, {"q1": None}])
def test_cssrs_refuses_wrong_answers(answers):
    with pytest.raises(ValueError, match="C-SSRS"):
        score_cssrs(answers)


# --- The question texts the form renders ----------------------------------------------------


def test_question_sets_have_the_instruments_shape():
    assert len(AUDIT_C_QUESTIONS) == 3
    assert all([p for p, _ in q.options] == [0, 1, 2, 3, 4] for q in AUDIT_C_QUESTIONS)
    assert len(DAST_10_QUESTIONS) == 10
    assert "always able to stop" in DAST_10_QUESTIONS[2].text
    assert len(PHQ_2_QUESTIONS) == 2
    assert all([p for p, _ in q.options] == [0, 1, 2, 3] for q in PHQ_2_QUESTIONS)
    assert CSSRS_KEYS == ("q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months")
    follow_ups = {q.key: q.asked_if for q in CSSRS_QUESTIONS}
    assert follow_ups["q3"] == follow_ups["q4"] == follow_ups["q5"] == "q2"
    assert follow_ups["q6_past_3_months"] == "q6"
    assert follow_ups["q1"] is follow_ups["q6"] is None
