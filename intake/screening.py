"""Screening instruments: their questions and their scores, as ROUTING.md defines them.

Pure Python, no Django. The question texts are the instruments' standard wording (lightly
plainer where the published wording has a plainer common version); the web form renders them
from here so the form and the scoring can never disagree on the number or order of items.

Every ``score_*`` function accepts ``None`` for "not answered" and then returns a result whose
fields are all ``None``: a missing instrument fires no rule. Wrong shapes raise ``ValueError``;
callers validate documents first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from intake import catalog

# --- Questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One item; ``options`` are ``(points, wording)`` pairs, empty for a yes/no item."""

    key: str
    text: str
    options: tuple[tuple[int, str], ...] = ()


AUDIT_C_INTRO = "These questions are about drinking alcohol in the past year."
AUDIT_C_QUESTIONS: tuple[Question, ...] = (
    Question(
        "audit_c_1",
        "How often do you have a drink containing alcohol?",
        (
            (0, "Never"),
            (1, "Monthly or less"),
            (2, "2 to 4 times a month"),
            (3, "2 to 3 times a week"),
            (4, "4 or more times a week"),
        ),
    ),
    Question(
        "audit_c_2",
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        (
            (0, "1 or 2"),
            (1, "3 or 4"),
            (2, "5 or 6"),
            (3, "7 to 9"),
            (4, "10 or more"),
        ),
    ),
    Question(
        "audit_c_3",
        "How often do you have six or more drinks on one occasion?",
        (
            (0, "Never"),
            (1, "Less than monthly"),
            (2, "Monthly"),
            (3, "Weekly"),
            (4, "Daily or almost daily"),
        ),
    ),
)

DAST_10_INTRO = (
    "These questions are about drug use in the past 12 months. Drug use means taking a "
    "prescribed or over-the-counter medicine more than directed, or any use of a drug that is "
    "not for a medical reason. Do not count alcohol or tobacco."
)
DAST_10_QUESTIONS: tuple[Question, ...] = (
    Question("dast_1", "Have you used drugs other than those required for medical reasons?"),
    Question("dast_2", "Do you use more than one drug at a time?"),
    # Scored reversed: "no" earns the point (see score_dast_10).
    Question("dast_3", "Are you always able to stop using drugs when you want to?"),
    Question("dast_4", "Have you had blackouts or flashbacks as a result of drug use?"),
    Question("dast_5", "Do you ever feel bad or guilty about your drug use?"),
    Question(
        "dast_6", "Does your spouse or partner (or a parent) ever complain about your drug use?"
    ),
    Question("dast_7", "Have you neglected your family because of your use of drugs?"),
    Question("dast_8", "Have you done things against the law in order to get drugs?"),
    Question(
        "dast_9",
        "Have you ever had withdrawal symptoms (felt sick) when you stopped taking drugs?",
    ),
    Question(
        "dast_10",
        "Have you had medical problems as a result of your drug use (for example memory loss, "
        "hepatitis, seizures or bleeding)?",
    ),
)
DAST_10_REVERSED_ITEM = 3  # 1-based, as the instrument numbers it

PHQ_2_INTRO = "Over the last 2 weeks, how often have you been bothered by the following problems?"
_PHQ_OPTIONS = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)
PHQ_2_QUESTIONS: tuple[Question, ...] = (
    Question("phq_1", "Little interest or pleasure in doing things", _PHQ_OPTIONS),
    Question("phq_2", "Feeling down, depressed or hopeless", _PHQ_OPTIONS),
)


@dataclass(frozen=True)
class CssrsQuestion:
    """A C-SSRS screener item; it is asked only when ``asked_if`` (another key) was a yes."""

    key: str
    text: str
    asked_if: str | None = None


CSSRS_INTRO = "These questions are about the past month, unless a question says otherwise."
CSSRS_QUESTIONS: tuple[CssrsQuestion, ...] = (
    CssrsQuestion(
        "q1", "Have you wished you were dead or wished you could go to sleep and not wake up?"
    ),
    CssrsQuestion("q2", "Have you had any actual thoughts of killing yourself?"),
    # The screener skips q3-q5 after a "no" to q2; absent keys then count as "no".
    CssrsQuestion("q3", "Have you been thinking about how you might do this?", "q2"),
    CssrsQuestion(
        "q4", "Have you had these thoughts and had some intention of acting on them?", "q2"
    ),
    CssrsQuestion(
        "q5",
        "Have you started to work out, or worked out, the details of how to kill yourself? "
        "Do you intend to carry out this plan?",
        "q2",
    ),
    CssrsQuestion(
        "q6",
        "Have you ever done anything, started to do anything, or prepared to do anything to "
        "end your life?",
    ),
    CssrsQuestion("q6_past_3_months", "Was this within the past 3 months?", "q6"),
)
CSSRS_KEYS = catalog.CSSRS_KEYS
assert tuple(q.key for q in CSSRS_QUESTIONS) == CSSRS_KEYS

# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditC:
    score: int | None
    positive: bool | None

    def as_dict(self) -> dict:
        # Spelled out: dataclasses.asdict deep-copies field by field, a third of a routing.
        return {"score": self.score, "positive": self.positive}


@dataclass(frozen=True)
class Dast10:
    score: int | None
    band: str | None  # none | low | moderate | substantial | severe

    def as_dict(self) -> dict:
        return {"score": self.score, "band": self.band}


@dataclass(frozen=True)
class Phq2:
    score: int | None
    positive: bool | None

    def as_dict(self) -> dict:
        # Spelled out: dataclasses.asdict deep-copies field by field, a third of a routing.
        return {"score": self.score, "positive": self.positive}


@dataclass(frozen=True)
class Cssrs:
    risk: str | None  # none | low | moderate | high

    def as_dict(self) -> dict:
        return {"risk": self.risk}


DAST_10_BANDS: tuple[tuple[int, str], ...] = (
    # (lowest score of the band, band), highest band first
    (9, "severe"),
    (6, "substantial"),
    (3, "moderate"),
    (1, "low"),
    (0, "none"),
)
CSSRS_RISKS: tuple[str, ...] = ("none", "low", "moderate", "high")

# --- Scoring --------------------------------------------------------------------------------
# The routing engine scores every document it routes. Results are immutable and there are few of
# them, so each possible one is made once, here, and the scorers hand out the same objects.

_AUDIT_C_NOT_ANSWERED = AuditC(None, None)
# Women, and anyone whose sex we do not know, get the lower (safer) cut-off.
_AUDIT_C_MALE = tuple(AuditC(score, score >= 4) for score in range(13))
_AUDIT_C_OTHERS = tuple(AuditC(score, score >= 3) for score in range(13))
_DAST_10_NOT_ANSWERED = Dast10(None, None)
_DAST_10 = tuple(
    Dast10(score, next(band for lowest, band in DAST_10_BANDS if score >= lowest))
    for score in range(11)
)
_PHQ_2_NOT_ANSWERED = Phq2(None, None)
_PHQ_2 = tuple(Phq2(score, score >= 3) for score in range(7))
_CSSRS_NOT_ANSWERED = Cssrs(None)
_CSSRS = {risk: Cssrs(risk) for risk in CSSRS_RISKS}
_CSSRS_KEY_SET = frozenset(CSSRS_KEYS)


def _points(answers: Sequence[int], count: int, top: int, name: str) -> int:
    if len(answers) != count:
        raise ValueError(f"{name} needs exactly {count} answers, got {len(answers)}")
    for answer in answers:
        # bool is an int subclass; True must not pass for 1.
        if (
            type(answer) is not int and (isinstance(answer, bool) or not isinstance(answer, int))
        ) or not 0 <= answer <= top:
            raise ValueError(f"{name} answers must be integers from 0 to {top}, got {answer!r}")
    return sum(answers)


def score_audit_c(answers: Sequence[int] | None, sex: str | None) -> AuditC:
    """AUDIT-C: sum of 3 answers (0-4 each); positive at 4 for men, at 3 for everyone else."""
    if answers is None:
        return _AUDIT_C_NOT_ANSWERED
    score = _points(answers, 3, 4, "AUDIT-C")
    return (_AUDIT_C_MALE if sex == "male" else _AUDIT_C_OTHERS)[score]


def score_dast_10(answers: Sequence[bool] | None) -> Dast10:
    """DAST-10: one point per "yes", except item 3, which scores its "no"."""
    if answers is None:
        return _DAST_10_NOT_ANSWERED
    if len(answers) != 10:
        raise ValueError(f"DAST-10 needs exactly 10 answers, got {len(answers)}")
    for answer in answers:
        if answer is not True and answer is not False:
            raise ValueError("DAST-10 answers must be true or false")
    reversed_item = answers[DAST_10_REVERSED_ITEM - 1]
    return _DAST_10[sum(answers) - reversed_item + (not reversed_item)]


def score_phq_2(answers: Sequence[int] | None) -> Phq2:
    """PHQ-2: sum of 2 answers (0-3 each); positive at 3."""
    if answers is None:
        return _PHQ_2_NOT_ANSWERED
    return _PHQ_2[_points(answers, 2, 3, "PHQ-2")]


def score_cssrs(answers: Mapping[str, bool] | None) -> Cssrs:
    """C-SSRS screener risk; an absent key counts as "no"."""
    if answers is None:
        return _CSSRS_NOT_ANSWERED
    if not _CSSRS_KEY_SET.issuperset(answers):
        unknown = set(answers) - _CSSRS_KEY_SET
        raise ValueError(f"C-SSRS has no question {sorted(unknown)[0]!r}")
    for answer in answers.values():
        if answer is not True and answer is not False:
            raise ValueError("C-SSRS answers must be true or false")
    yes = answers.get
    if yes("q4") or yes("q5") or (yes("q6") and yes("q6_past_3_months")):
        return _CSSRS["high"]
    if yes("q3") or yes("q6"):
        return _CSSRS["moderate"]
    if yes("q1") or yes("q2"):
        return _CSSRS["low"]
    return _CSSRS["none"]
