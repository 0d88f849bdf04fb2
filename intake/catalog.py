"""The intake's fixed vocabularies, as ROUTING.md (version 2026.1) defines them.

Pure Python, no Django: the routing engine, the document schema and the tests read these
without settings. Every enumeration is an ordered tuple of ``(code, label)`` pairs: the code is
what the intake document stores, the label is plain, kind English for the person filling in the
form. The web layer wraps labels for translation; here they stay plain strings.

Codes are part of the import/export format and of stored routing decisions: never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

Choices = tuple[tuple[str, str], ...]


def codes(choices: Choices) -> tuple[str, ...]:
    """The codes of an enumeration, in order."""
    return tuple(code for code, _ in choices)


def label_for(choices: Choices, code: str) -> str:
    """The plain label of ``code``; the code itself if it is not in ``choices``."""
    return dict(choices).get(code, code)


# --- Substances -----------------------------------------------------------------------------

SUBSTANCES: Choices = (
    ("alcohol", "Alcohol (beer, wine, spirits)"),
    ("baclofen", "Baclofen (Lioresal, Gablofen, Kemstro)"),
    ("benzodiazepines", "Benzodiazepines (for example Xanax, Valium, Klonopin, Ativan)"),
    ("other_sedatives", "Other sedatives (barbiturates, GHB, sleeping pills)"),
    (
        "opioids",
        "Opioids (prescription painkillers, heroin, fentanyl, methadone outside a program)",
    ),
    ("stimulants", "Stimulants (amphetamines, methamphetamine)"),
    ("cocaine", "Cocaine or crack"),
    ("nicotine", "Nicotine (cigarettes, vapes, chewing tobacco)"),
    ("cannabis", "Cannabis (marijuana, weed)"),
    ("other", "Something else"),
)

# Short names for staff-facing text (routing reasons, queue columns) where the long patient
# label with its examples would be noise.
SUBSTANCE_NAMES: dict[str, str] = {
    "alcohol": "Alcohol",
    "baclofen": "Baclofen",
    "benzodiazepines": "Benzodiazepines",
    "other_sedatives": "Other sedatives",
    "opioids": "Opioids",
    "stimulants": "Stimulants",
    "cocaine": "Cocaine",
    "nicotine": "Nicotine",
    "cannabis": "Cannabis",
    "other": "Other substance",
}

CNS_DEPRESSANTS = frozenset(
    {"alcohol", "baclofen", "benzodiazepines", "other_sedatives", "opioids"}
)
# Depressants whose withdrawal can bring seizures or delirium: detox, never self-detox.
DANGEROUS_WITHDRAWAL = frozenset({"alcohol", "baclofen", "benzodiazepines", "other_sedatives"})

# --- How a substance is used ----------------------------------------------------------------

FREQUENCIES: Choices = (
    ("daily", "Every day or nearly every day"),
    ("most_days", "Several times a week"),
    ("weekly", "About once a week"),
    ("monthly", "About once a month"),
    ("less", "Less than once a month"),
)
REGULAR = frozenset({"daily", "most_days"})
AT_LEAST_WEEKLY = frozenset({"daily", "most_days", "weekly"})

UNITS: Choices = (
    ("mg", "Milligrams (mg)"),
    ("drinks", "Drinks"),
    ("pills", "Pills or tablets"),
    ("grams", "Grams (g)"),
    ("other", "Another amount"),
)

ROUTES: Choices = (
    ("oral", "Swallowed (by mouth)"),
    ("smoked", "Smoked or vaped"),
    ("snorted", "Snorted (through the nose)"),
    ("injected", "Injected (with a needle)"),
    ("other", "Another way"),
)

LAST_USE: Choices = (
    ("today", "Today"),
    ("1_3_days", "1 to 3 days ago"),
    ("4_7_days", "4 to 7 days ago"),
    ("over_week", "More than a week ago"),
)

# --- Symptoms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symptom:
    """One symptom with the catalog flags of ROUTING.md (O, W, S, L)."""

    code: str
    label: str
    overdose: bool = False
    withdrawal: bool = False
    side_effect: bool = False
    life_threatening: bool = False


def _symptom(code: str, label: str, flags: str) -> Symptom:
    return Symptom(
        code,
        label,
        overdose="O" in flags,
        withdrawal="W" in flags,
        side_effect="S" in flags,
        life_threatening="L" in flags,
    )


# ROUTING.md's table read column by column: the overdose signs first, then the withdrawal signs
# and side effects, which is also the order the form shows them in.
SYMPTOMS: tuple[Symptom, ...] = (
    _symptom("confusion", "Confusion", "OWS"),
    _symptom("hallucinations", "Seeing or hearing things that are not there", "OW"),
    _symptom("weak_shallow_breathing", "Weak or shallow breathing", "OL"),
    _symptom("nausea", "Feeling sick to the stomach (nausea)", "OW"),
    _symptom("vomiting", "Throwing up (vomiting)", "OW"),
    _symptom("severe_muscle_weakness", "Very weak muscles, hard to move", "O"),
    _symptom("heart_problems", "Heart problems (racing, pounding or uneven heartbeat)", "O"),
    _symptom("vertigo", "The room spinning (vertigo)", "O"),
    _symptom("slowed_heart_rate", "Very slow heartbeat", "OL"),
    _symptom("lightheadedness", "Feeling light-headed or faint", "O"),
    _symptom("loss_of_consciousness", "Passing out or not waking up", "OL"),
    _symptom("seizures", "Seizures or fits", "OWL"),
    _symptom("low_body_temperature", "Very low body temperature, cold skin", "OL"),
    _symptom("coma", "Cannot be woken (coma)", "OL"),
    _symptom("blue_lips", "Blue or grey lips or fingertips", "OL"),
    _symptom("chest_pain", "Chest pain", ""),
    _symptom("dizziness", "Dizziness", "WS"),
    _symptom("anxiety", "Feeling anxious, nervous or panicky", "W"),
    _symptom("memory_loss", "Trouble remembering things", "W"),
    _symptom("mania", "Feeling unusually high, wired or unable to slow down", "W"),
    _symptom("psychosis", "Losing touch with what is real", "W"),
    _symptom("mood_swings", "Mood swings", "W"),
    _symptom("delirium", "Sudden severe confusion, not knowing where you are (delirium)", "W"),
    _symptom("delusion", "Strong beliefs others say are not true", "W"),
    _symptom("hyperthermia", "Very high body temperature, burning up", "W"),
    _symptom("tremors", "Shaking or trembling (tremors)", "W"),
    _symptom("tachycardia", "Fast heartbeat", "W"),
    _symptom("perception_changes", "Things look, sound or feel different than usual", "W"),
    _symptom("depersonalization", "Feeling outside your body or unreal", "W"),
    _symptom("insomnia", "Trouble sleeping", "W"),
    _symptom("drowsiness", "Very sleepy or drowsy", "S"),
    _symptom("muscle_weakness", "Weak muscles", "S"),
    _symptom("upset_stomach", "Upset stomach", "S"),
    _symptom("agitation", "Feeling restless or agitated", "W"),
)
SYMPTOMS_BY_CODE: dict[str, Symptom] = {s.code: s for s in SYMPTOMS}
# Clinical names for staff-facing text (routing reasons), where the patient label is wordier.
SYMPTOM_NAMES: dict[str, str] = {
    "confusion": "Confusion",
    "hallucinations": "Hallucinations",
    "weak_shallow_breathing": "Weak or shallow breathing",
    "nausea": "Nausea",
    "vomiting": "Vomiting",
    "severe_muscle_weakness": "Severe muscle weakness",
    "heart_problems": "Heart problems",
    "vertigo": "Vertigo",
    "slowed_heart_rate": "Slowed heart rate",
    "lightheadedness": "Light-headedness",
    "loss_of_consciousness": "Loss of consciousness",
    "seizures": "Seizures",
    "low_body_temperature": "Low body temperature",
    "coma": "Coma",
    "blue_lips": "Blue lips",
    "chest_pain": "Chest pain",
    "dizziness": "Dizziness",
    "anxiety": "Anxiety",
    "memory_loss": "Memory loss",
    "mania": "Mania",
    "psychosis": "Psychosis",
    "mood_swings": "Mood swings",
    "delirium": "Delirium",
    "delusion": "Delusion",
    "hyperthermia": "Hyperthermia",
    "tremors": "Tremors",
    "tachycardia": "Tachycardia",
    "perception_changes": "Changes in perception",
    "depersonalization": "Depersonalization",
    "insomnia": "Insomnia",
    "drowsiness": "Drowsiness",
    "muscle_weakness": "Muscle weakness",
    "upset_stomach": "Upset stomach",
    "agitation": "Agitation",
}
SYMPTOM_CODES: tuple[str, ...] = tuple(SYMPTOMS_BY_CODE)
SYMPTOM_CHOICES: Choices = tuple((s.code, s.label) for s in SYMPTOMS)

LIFE_THREATENING = frozenset(s.code for s in SYMPTOMS if s.life_threatening)
WITHDRAWAL_SIGNS = frozenset(s.code for s in SYMPTOMS if s.withdrawal)
# E3: emergency on any one of these now...
E3_SIGNS = frozenset({"delirium", "hyperthermia", "chest_pain"})
# ...or on all of these together.
E3_TOGETHER = frozenset({"hallucinations", "confusion"})
# D5: any one of these alone indicates detox (otherwise two withdrawal signs are needed).
D5_STRONG_SIGNS = frozenset(
    {"tremors", "tachycardia", "hallucinations", "seizures", "delirium", "hyperthermia"}
)

# --- About the person -----------------------------------------------------------------------

SEXES: Choices = (
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Other"),
    ("unknown", "Prefer not to say"),
)

HOUSING: Choices = (
    ("stable", "I have a steady place to live"),
    ("unstable", "I have a place for now, but it may not last"),
    ("homeless", "I do not have a place to live"),
)

DUTIES: Choices = (
    ("work", "Work"),
    ("school", "School or studies"),
    ("childcare", "Looking after children"),
)

READINESS: Choices = (
    ("ready", "I am ready to start treatment"),
    ("unsure", "I am not sure yet"),
    ("not_ready", "I am not ready yet"),
)

PREFERENCES: Choices = (
    ("none", "No preference, I would like advice"),
    ("outpatient", "Live at home and come in for sessions (outpatient)"),
    ("inpatient", "Stay at the center for a while (residential)"),
)

PRIOR_TREATMENTS: Choices = (
    ("detox", "Detox (help to stop safely, with medical care)"),
    ("inpatient", "A residential program (staying at a center)"),
    ("outpatient", "An outpatient program (sessions while living at home)"),
)

# Keys of the document's "medical" block, in form order.
MEDICAL_CONDITIONS: Choices = (
    ("pregnant", "Pregnant"),
    ("seizure_disorder", "Seizures or epilepsy"),
    ("liver_disease", "Liver disease"),
    ("heart_disease", "Heart disease"),
    ("kidney_disease", "Kidney disease"),
    ("respiratory_disease", "Lung or breathing disease (for example COPD or asthma)"),
)

# --- Contact (an extension beyond ROUTING.md, see intake/schema.py) -------------------------

RESPONDENTS: Choices = (
    ("self", "Myself"),
    ("family_friend", "A family member or friend"),
    ("professional", "A professional (for example a doctor or social worker)"),
)

CONTACT_METHODS: Choices = (
    ("phone", "Phone call"),
    ("email", "Email"),
    ("text", "Text message"),
)

# The language the person filled in the intake in: staff call with a speaker of it.
LANGUAGES: Choices = (
    ("en", "English"),
    ("es", "Spanish"),
)

# --- Routing vocabulary ---------------------------------------------------------------------

# ASAM Criteria, 3rd edition dimension names (names only: level numbers are licensed content).
ASAM_DIMENSIONS: dict[int, str] = {
    1: "Acute intoxication / withdrawal potential",
    2: "Biomedical conditions",
    3: "Emotional, behavioural or cognitive conditions",
    4: "Readiness to change",
    5: "Relapse / continued-use potential",
    6: "Recovery environment",
}

# The C-SSRS screener's items, in screener order (the document's screening.cssrs keys); their
# wording and skip logic are intake.screening's.
CSSRS_KEYS: tuple[str, ...] = ("q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months")

ESCALATIONS: Choices = (
    ("emergency", "Emergency"),
    ("crisis", "Crisis"),
    ("none", "None"),
)

TRACKS: Choices = (
    ("detox", "Detox"),
    ("inpatient", "Inpatient"),
    ("outpatient", "Outpatient"),
)

# Sort keys (ROUTING.md "Queue order"): lower sorts first, most urgent / intensive first. The
# routing engine combines fired rules by these ranks; the queue orders by the same numbers.
ESCALATION_RANK: dict[str, int] = {code: rank for rank, code in enumerate(codes(ESCALATIONS))}
TRACK_RANK: dict[str, int] = {code: rank for rank, code in enumerate(codes(TRACKS))}

# Each flag's explanation (the staff badge's title and the recommendation card's line); the
# short name on the badge and in the queue filter is ``choices.Flag``'s label.
FLAGS: Choices = (
    ("medical", "Medical: detox in a medically managed setting"),
    ("co_occurring", "Co-occurring mental health needs"),
    ("priority_population", "Priority population: admit first"),
    ("duties_fit_outpatient", "Duties: outpatient fits around work, school or child care"),
)
