"""Step 6, life and support; step 7, insurance (optional)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import catalog, validators

from .base import CheckboxesField, RadioField, StepForm, TextField, YesNoField, translated

RELAPSE = (
    ("yes", _("Yes")),
    ("no", _("No")),
    ("no_treatment", _("I have not had treatment before")),
)


class LifeForm(StepForm):
    layout = [
        (_("Home"), "", ["housing", "others_using_at_home", "unsafe_home", "has_support"]),
        (_("Your week"), "", ["duties"]),
        (_("Treatment before"), "", ["prior_treatment", "relapse"]),
        (_("Looking ahead"), "", ["readiness", "preference"]),
    ]

    housing = RadioField(label=_("Where are you living now?"), choices=translated(catalog.HOUSING))
    others_using_at_home = YesNoField(
        label=_(
            "Does anyone you live with use alcohol or drugs in a way that makes it hard for you?"
        )
    )
    unsafe_home = YesNoField(label=_("Do you feel unsafe where you live?"))
    has_support = YesNoField(
        label=_("Do you have someone who supports you, like family, a friend or a sponsor?")
    )
    duties = CheckboxesField(
        label=_("Do you have any of these to fit treatment around?"),
        help_text=_("Tick all that apply."),
        choices=translated(catalog.DUTIES),
    )
    prior_treatment = CheckboxesField(
        label=_("Have you had any of these kinds of treatment before?"),
        help_text=_("Tick all that apply. Leave them unticked if you haven't."),
        choices=translated(catalog.PRIOR_TREATMENTS),
    )
    relapse = RadioField(
        label=_("After treatment, did you start using again?"),
        help_text=_("Many people do. It helps us plan the right support."),
        choices=RELAPSE,
    )
    readiness = RadioField(
        label=_("How do you feel about starting treatment?"), choices=translated(catalog.READINESS)
    )
    preference = RadioField(
        label=_("What kind of care would you prefer?"), choices=translated(catalog.PREFERENCES)
    )

    def clean(self):
        data = super().clean()
        if data.get("relapse") == "no_treatment" and data.get("prior_treatment"):
            self.add_error("relapse", validators.RELAPSE_CONTRADICTS_TREATMENT)
        return data


class InsuranceForm(StepForm):
    layout = [
        (
            "",
            _(
                "This step is optional. Leave it blank if you are not sure: we can sort it out "
                "together when we talk."
            ),
            ["payer", "member_id", "self_pay"],
        )
    ]

    payer = TextField(
        max_length=200,
        label=_("Insurance company or plan (optional)"),
        help_text=_("For example Medicaid, Medicare, or the name on your card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    member_id = TextField(
        max_length=64,
        label=_("Member ID (optional)"),
        validators=[validators.validate_member_id],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    self_pay = forms.BooleanField(
        required=False,
        label=_("I don't have insurance, or I would rather pay myself"),
    )

    def to_answers(self) -> dict:
        result = super().to_answers()
        # An unticked box is "no": store it only when ticked, so blank stays "not answered".
        if not result.get("self_pay"):
            result.pop("self_pay", None)
        return result
