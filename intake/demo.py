"""Demo data for `manage.py seed_demo`: varied, realistic, fictional intakes.

Every document goes through the same submit service as the web form. The mix covers every
track, both escalations, every flag and every status, with submission times spread over the
past eight weeks so the queue and the overview have something to show.
"""

from __future__ import annotations

import datetime
import random

from intake.choices import Status

FIRST_NAMES = [
    "Avery",
    "Jordan",
    "Maria",
    "Sam",
    "Priya",
    "Luis",
    "Grace",
    "Omar",
    "Hannah",
    "Dmitri",
    "Keisha",
    "Tom",
    "Mei",
    "Carlos",
    "Ruth",
    "Ahmed",
    "Lena",
    "Marcus",
    "Nora",
    "Eli",
    "Fatima",
    "Jake",
    "Rosa",
    "Ben",
    "Ivy",
    "Theo",
    "Amara",
    "Cole",
]
LAST_NAMES = [
    "Bennett",
    "Okafor",
    "Nguyen",
    "Garcia",
    "Shah",
    "Martin",
    "Kowalski",
    "Reyes",
    "Hughes",
    "Ivanova",
    "Brooks",
    "Fischer",
    "Chen",
    "Lopez",
    "Adler",
    "Hassan",
    "Larsen",
    "Price",
    "Walsh",
    "Moreno",
    "Ali",
    "Turner",
    "Silva",
    "Young",
]


def _substance(code, frequency, amount=None, unit=None, **extra):
    entry = {"substance": code, "frequency": frequency}
    if amount is not None:
        entry["amount_per_day"] = amount
    if unit:
        entry["unit"] = unit
    entry.update(extra)
    return entry


# Each vignette is the clinical part of a document; the builder adds the person around it.
VIGNETTES: list[dict] = [
    # Baclofen above the daily maximum, with alcohol: detox (D1, D3, D6).
    {
        "substances": [
            _substance(
                "baclofen",
                "daily",
                140,
                "mg",
                route="oral",
                prescribed=True,
                more_than_prescribed=True,
                last_use="today",
            ),
            _substance("alcohol", "most_days", 5, "drinks", route="oral"),
        ],
        "used_together": ["alcohol", "baclofen"],
        "symptoms": ["insomnia", "anxiety"],
        "screening": {"audit_c": [3, 2, 1]},
    },
    # Life-threatening overdose signs now: emergency.
    {
        "substances": [
            _substance("baclofen", "daily", 200, "mg", route="oral", last_use="today"),
            _substance("opioids", "daily", 4, "pills", route="oral"),
        ],
        "used_together": ["baclofen", "opioids"],
        "symptoms": ["weak_shallow_breathing", "confusion", "drowsiness"],
    },
    # Hallucinations with confusion (E3) in alcohol withdrawal.
    {
        "substances": [_substance("alcohol", "daily", 14, "drinks", last_use="1_3_days")],
        "symptoms": ["hallucinations", "confusion", "tremors", "tachycardia"],
        "history": {"withdrawal_seizures": True},
        "screening": {"audit_c": [4, 4, 4]},
    },
    # High suicide risk: crisis, outpatient otherwise.
    {
        "substances": [_substance("cannabis", "weekly", 2, "grams", route="smoked")],
        "symptoms": [],
        "screening": {"phq_2": [3, 3], "cssrs": {"q1": True, "q2": True, "q3": True, "q4": True}},
    },
    # Regular opioid use, injected: detox, priority population (F3).
    {
        "substances": [
            _substance("opioids", "daily", 1, "grams", route="injected", duration_months=30)
        ],
        "symptoms": ["nausea", "anxiety", "insomnia"],
    },
    # Pregnant and drinking most days: detox, medical and priority flags.
    {
        "sex": "female",
        "substances": [_substance("alcohol", "most_days", 4, "drinks")],
        "symptoms": ["tremors"],
        "medical": {"pregnant": True},
    },
    # No stable home and relapse after treatment: inpatient (R1, R2).
    {
        "substances": [
            _substance("cocaine", "weekly", 1, "grams", route="snorted"),
            _substance("cannabis", "daily", 3, "grams", route="smoked"),
        ],
        "symptoms": [],
        "living": {"housing": "homeless", "has_support": False},
        "history": {"prior_treatment": ["outpatient"], "relapse_after_treatment": True},
    },
    # Many substances weekly, high DAST: inpatient (R3, R4).
    {
        "substances": [
            _substance("stimulants", "weekly", 0.5, "grams"),
            _substance("cannabis", "weekly", 1, "grams"),
            _substance("cocaine", "weekly", 1, "grams"),
            _substance("nicotine", "daily", 20, "other"),
        ],
        "symptoms": ["agitation"],
        "screening": {"dast_10": [True, True, False, True, True, True, True, False, False, True]},
    },
    # Low mood and moderate suicide risk: inpatient (R5).
    {
        "substances": [_substance("cannabis", "most_days", 2, "grams")],
        "symptoms": [],
        "screening": {"phq_2": [2, 2], "cssrs": {"q1": True, "q2": True, "q3": True}},
    },
    # Mild cannabis use with work: outpatient, duties fit outpatient (F4).
    {
        "substances": [_substance("cannabis", "weekly", 1, "grams", route="smoked")],
        "symptoms": [],
        "duties": ["work", "childcare"],
    },
    # Baclofen exactly at the maximum, as prescribed: outpatient.
    {
        "substances": [
            _substance("baclofen", "weekly", 100, "mg", prescribed=True, more_than_prescribed=False)
        ],
        "symptoms": ["drowsiness"],
        "duties": ["school"],
    },
    # Low mood alone: outpatient with the co-occurring flag (F2).
    {
        "substances": [_substance("alcohol", "weekly", 3, "drinks")],
        "symptoms": [],
        "screening": {"audit_c": [2, 1, 1], "phq_2": [2, 1]},
        "duties": ["work"],
    },
    # Benzodiazepines daily with a seizure disorder: detox, medical.
    {
        "substances": [_substance("benzodiazepines", "daily", 6, "pills")],
        "symptoms": ["anxiety", "insomnia", "perception_changes"],
        "medical": {"seizure_disorder": True},
    },
    # Incomplete: symptoms not answered (needs clinician review).
    {"substances": [_substance("stimulants", "most_days", 1, "grams")]},
    # Chest pain now with stimulant use: emergency.
    {
        "substances": [
            _substance("cocaine", "daily", 2, "grams", route="smoked", last_use="today")
        ],
        "symptoms": ["chest_pain", "agitation"],
    },
]

# Every status appears; open ones are commoner, as in a real queue.
STATUS_MIX = (
    [Status.NEW] * 5
    + [Status.IN_REVIEW] * 3
    + [Status.CONTACTED] * 3
    + [Status.ADMITTED, Status.REFERRED_OUT, Status.DECLINED, Status.NO_RESPONSE, Status.CLOSED]
)


def demo_documents(count: int = 60, *, now: datetime.datetime, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    documents = []
    for index in range(count):
        vignette = VIGNETTES[index % len(VIGNETTES)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born = datetime.date(rng.randint(1958, 2006), rng.randint(1, 12), rng.randint(1, 28))
        if index == 7:
            born = datetime.date(now.year - 16, 3, 14)  # one minor, whom staff must see flagged
        submitted = now - datetime.timedelta(minutes=rng.randint(20, 8 * 7 * 24 * 60))
        document = {
            "sex": vignette.get("sex", rng.choice(["female", "male", "other", "unknown"])),
            "date_of_birth": born.isoformat(),
            "living": {
                "housing": "stable",
                "others_using_at_home": False,
                "unsafe_home": False,
                "has_support": rng.random() > 0.3,
            },
            "readiness": rng.choice(["ready", "ready", "unsure", "not_ready"]),
            "preference": rng.choice(["none", "outpatient", "inpatient"]),
            **{k: v for k, v in vignette.items() if k != "sex"},
            "contact": {
                "first_name": first,
                "last_name": last,
                "date_of_birth": born.isoformat(),
                "phone": f"555-01{index:02d}",
                "email": f"{first.lower()}.{last.lower()}@example.org",
                "preferred_contact": rng.choice(["phone", "text", "email"]),
                "voicemail_ok": rng.random() > 0.4,
                "respondent": rng.choice(["self", "self", "self", "family_friend", "professional"]),
                "state": "NY",
                "postal_code": f"12{rng.randint(100, 999)}",
            },
            "submitted_at": submitted.isoformat(),
        }
        if rng.random() > 0.5:
            document["insurance"] = {
                "payer": rng.choice(["Medicaid", "Aetna", "BlueCross"]),
                "member_id": f"M{rng.randint(10**6, 10**7)}",
            }
        else:
            document["insurance"] = {"self_pay": True}
        documents.append(document)
    return documents


OVERRIDE_REASONS = {
    "detox": "Last drink four days ago and no withdrawal signs on the phone call; "
    "outpatient with daily check-ins instead.",
    "inpatient": "Family can offer a safe, substance-free home; outpatient first.",
    "outpatient": "Described heavier daily use on the call than in the form; needs detox.",
}
OVERRIDE_TO = {"detox": "outpatient", "inpatient": "outpatient", "outpatient": "detox"}
NOTES = [
    "Left a voicemail (caller said voicemail is safe).",
    "Spoke with the person; prefers afternoon calls.",
    "Insurance verified; awaiting a bed.",
    "Sent the appointment details by the chosen contact method.",
]


def status_path(target: str) -> list[str]:
    """The shortest way from "new" to ``target`` along STATUS_TRANSITIONS."""
    from intake.choices import STATUS_TRANSITIONS

    paths = {Status.NEW.value: []}
    frontier = [Status.NEW.value]
    while frontier and target not in paths:
        current = frontier.pop(0)
        for nxt in STATUS_TRANSITIONS[current]:
            if nxt not in paths:
                paths[nxt] = [*paths[current], nxt]
                frontier.append(nxt)
    return paths[target]


CHANNEL_FOR = {"phone": "phone", "text": "text", "email": "email"}
RETRY_AFTER = (60, 240, 1440)  # minutes


def demo_attempts(intake, path, *, actor, clock, rng, index) -> None:
    """Contact attempts before the intake's status moves: people reached after one to three
    tries, voicemails where they are safe, a wrong number now and then, and intakes still
    waiting whose next try came due while nobody looked (overdue right now)."""
    from intake.services.followup import contact_attempt_add

    if Status.CONTACTED in path:
        outcomes = [*rng.sample(_misses(intake), rng.randint(0, 2)), "reached"]
    elif Status.NO_RESPONSE in path:
        outcomes = rng.sample(_misses(intake), rng.randint(2, 3))
        if index % 3 == 0:
            outcomes[0] = "wrong_number"
    elif Status.IN_REVIEW in path or (not path and rng.random() < 0.5):
        outcomes = rng.sample(_misses(intake), 1)
    else:
        return
    for position, outcome in enumerate(outcomes):
        when = next(clock)
        channel = CHANNEL_FOR.get(intake.preferred_contact, "phone")
        if outcome == "wrong_number":
            channel = "phone"
        elif outcome == "left_voicemail":
            channel = "voicemail"
        last = position == len(outcomes) - 1
        retry = None
        if outcome != "reached" and not (last and Status.NO_RESPONSE in path):
            retry = when + datetime.timedelta(minutes=rng.choice(RETRY_AFTER))
        contact_attempt_add(
            intake=intake,
            actor=actor,
            expected_version=intake.version,
            channel=channel,
            outcome=outcome,
            note=rng.choice(ATTEMPT_NOTES[outcome]),
            next_due_at=retry,
            now=when,
        )


def _misses(intake) -> list[str]:
    misses = ["no_answer", "call_back", "no_answer"]
    if intake.voicemail_ok is not False:
        misses.append("left_voicemail")
    return misses


ATTEMPT_NOTES = {
    "reached": ["Spoke with them; screening questions gone over.", "Reached; wants to start soon."],
    "no_answer": ["", "Rang out.", "No answer, no voicemail set up."],
    "left_voicemail": ["Left a short callback message, no details.", ""],
    "call_back": ["Asked to call back after work.", "Busy at the moment; call back later."],
    "wrong_number": ["The number belongs to someone else. Try e-mail."],
    "declined": ["Not ready right now."],
}


def demo_staff_work(
    intakes, *, coordinator, clinician, now: datetime.datetime, seed: int = 2026
) -> None:
    """What staff did with the demo intakes: assignments, status changes, reviews, notes,
    all through the staff services, so the timeline, audit trail and overview are real."""
    from intake.services.staff import (
        intake_assign,
        intake_note_add,
        intake_status_change,
        intake_track_review,
    )

    rng = random.Random(seed)
    for index, intake in enumerate(intakes):
        path = status_path(STATUS_MIX[index % len(STATUS_MIX)])
        if not path and rng.random() < 0.6:
            continue  # most new intakes are still waiting for a first look
        # Staff act between the submission and now, in order.
        steps = len(path) + 8
        span = (now - intake.submitted_at) / steps
        clock = iter(
            [intake.submitted_at + span * (i + rng.uniform(0.3, 1.0)) for i in range(steps)]
        )

        intake_assign(
            intake=intake,
            actor=coordinator,
            assignee=rng.choice([coordinator, clinician]),
            expected_version=intake.version,
            now=next(clock),
        )
        if intake.current_decision.complete and rng.random() < 0.7:
            engine_track = intake.current_decision.track
            if rng.random() < 0.2:
                intake_track_review(
                    intake=intake,
                    actor=clinician,
                    action="override",
                    track=OVERRIDE_TO[engine_track],
                    reason=OVERRIDE_REASONS[engine_track],
                    expected_version=intake.version,
                    now=next(clock),
                )
            else:
                intake_track_review(
                    intake=intake,
                    actor=clinician,
                    action="confirm",
                    expected_version=intake.version,
                    now=next(clock),
                )
        demo_attempts(intake, path, actor=coordinator, clock=clock, rng=rng, index=index)
        for status in path:
            intake_status_change(
                intake=intake,
                actor=coordinator,
                status=status,
                expected_version=intake.version,
                now=next(clock),
            )
        if rng.random() < 0.5:
            intake_note_add(
                intake=intake,
                actor=coordinator,
                text=rng.choice(NOTES),
                expected_version=intake.version,
                now=next(clock),
            )
