"""Step 4, symptoms now: the catalog in three groups, and withdrawal history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from intake import catalog

from .base import CheckboxesField, StepForm, YesNoField


def _group(symptom: catalog.Symptom) -> str:
    # Each symptom is shown once, in the most urgent group it belongs to. Chest pain has no
    # catalog flag but is an emergency sign (E3), so it sits with the danger signs.
    if symptom.overdose or symptom.code == "chest_pain":
        return "danger_signs"
    if symptom.withdrawal:
        return "withdrawal_signs"
    return "side_effects"


GROUPS = ("danger_signs", "withdrawal_signs", "side_effects")
GROUP_CHOICES = {
    group: [(s.code, s.label) for s in catalog.SYMPTOMS if _group(s) == group] for group in GROUPS
}


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
        label=_("Signs of overdose or danger"),
        choices=[(code, _(label)) for code, label in GROUP_CHOICES["danger_signs"]],
    )
    withdrawal_signs = CheckboxesField(
        label=_("Signs of withdrawal"),
        choices=[(code, _(label)) for code, label in GROUP_CHOICES["withdrawal_signs"]],
    )
    side_effects = CheckboxesField(
        label=_("Other effects"),
        choices=[(code, _(label)) for code, label in GROUP_CHOICES["side_effects"]],
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
