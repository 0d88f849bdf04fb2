"""Step 4, symptoms now: every catalog symptom, grouped so that someone unwell can answer.

The danger signs come first and say plainly what to look for; the rest are grouped by body and
mind. Look-alike catalog entries get wordings that make the difference clear (a racing heart
against an uneven one, confusion against delirium, nausea against an upset stomach, weak against
very weak muscles). The codes are the catalog's (ROUTING.md); only the patient's words are here.
Staff read the clinical names (catalog.SYMPTOM_NAMES).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from intake import catalog

from .base import CheckboxesField, StepForm, YesNoField

# (group, [(code, wording)]) in the order shown.
GROUPS_SHOWN = (
    (
        "danger_signs",
        [
            ("weak_shallow_breathing", _("Breathing is slow, weak or shallow")),
            ("blue_lips", _("Lips or fingertips are blue or grey")),
            ("coma", _("Cannot be woken up at all (coma)")),
            ("loss_of_consciousness", _("Passed out, or very hard to wake up")),
            ("seizures", _("A seizure (fit) today")),
            ("chest_pain", _("Chest pain or tightness")),
            ("slowed_heart_rate", _("Heartbeat very slow")),
            ("low_body_temperature", _("Body very cold, cold and clammy skin")),
            ("hyperthermia", _("Body very hot, burning up")),
            (
                "delirium",
                _(
                    "Suddenly very confused: does not know where they are or what day "
                    "it is (delirium)"
                ),
            ),
        ],
    ),
    (
        "body_signs",
        [
            ("tachycardia", _("Heart racing: fast but steady")),
            ("heart_problems", _("Heart pounding, skipping or beating unevenly")),
            ("tremors", _("Shaking hands or body (tremors)")),
            ("nausea", _("Feeling you might throw up (nausea)")),
            ("vomiting", _("Throwing up (vomiting)")),
            ("upset_stomach", _("Stomach ache, cramps or diarrhea")),
            ("vertigo", _("The room is spinning (vertigo)")),
            ("dizziness", _("Dizzy or unsteady on your feet")),
            ("lightheadedness", _("Feeling faint, as if you might pass out")),
            ("severe_muscle_weakness", _("So weak you can hardly move")),
            ("muscle_weakness", _("Muscles weaker than usual, but you can move")),
            ("drowsiness", _("Very sleepy, keep nodding off")),
            ("insomnia", _("Cannot sleep")),
        ],
    ),
    (
        "mind_signs",
        [
            ("confusion", _("Muddled, hard to think clearly (but you know where you are)")),
            ("hallucinations", _("Seeing or hearing things that are not there")),
            ("psychosis", _("Losing touch with what is real")),
            ("delusion", _("Believing things that others say are not true")),
            ("perception_changes", _("Things look, sound or feel strange")),
            ("depersonalization", _("Feeling outside your body, or unreal")),
            ("anxiety", _("Anxious, nervous or panicky")),
            ("agitation", _("Restless or agitated, cannot sit still")),
            ("mania", _("Unusually high or wired, cannot slow down")),
            ("mood_swings", _("Mood changing quickly (mood swings)")),
            ("memory_loss", _("Trouble remembering things")),
        ],
    ),
)
GROUPS = tuple(group for group, _choices in GROUPS_SHOWN)
GROUP_CHOICES = dict(GROUPS_SHOWN)
assert sorted(code for choices in GROUP_CHOICES.values() for code, _w in choices) == sorted(
    catalog.SYMPTOM_CODES
), "every catalog symptom is shown exactly once"


class SymptomsForm(StepForm):
    layout = [
        (
            _("How you feel right now"),
            _("Tick anything you have now, today. If you are filling this in for someone "
              "else, answer for them. If none apply, leave them unticked."),
            list(GROUPS),
        ),
        (_("Stopping or cutting down in the past"), "",
         ["withdrawal_seizures", "withdrawal_delirium"]),
    ]  # fmt: skip

    danger_signs = CheckboxesField(
        label=_("Danger signs: call 911 if you see any of these"),
        choices=GROUP_CHOICES["danger_signs"],
    )
    body_signs = CheckboxesField(label=_("In the body"), choices=GROUP_CHOICES["body_signs"])
    mind_signs = CheckboxesField(
        label=_("In the mind and mood"), choices=GROUP_CHOICES["mind_signs"]
    )
    withdrawal_seizures = YesNoField(
        label=_("Have you ever had a seizure (a fit) after stopping or cutting down?")
    )
    withdrawal_delirium = YesNoField(
        label=_("Have you ever had severe confusion, not knowing where you were "
                "(delirium or “the DTs”), after stopping or cutting down?")
    )  # fmt: skip

    def to_answers(self) -> dict:
        chosen = set()
        for group in GROUPS:
            chosen.update(self.cleaned_data[group])
        return {
            "symptoms": [code for code in catalog.SYMPTOM_CODES if code in chosen],
            "withdrawal_seizures": self.cleaned_data["withdrawal_seizures"],
            "withdrawal_delirium": self.cleaned_data["withdrawal_delirium"],
        }

    @classmethod
    def initial_from(cls, stored: dict, answers: dict) -> dict:
        present = set(stored.get("symptoms", []))
        initial = {
            group: [code for code, _label in GROUP_CHOICES[group] if code in present]
            for group in GROUPS
        }
        for key in ("withdrawal_seizures", "withdrawal_delirium"):
            if key in stored:
                initial[key] = stored[key]
        return initial
