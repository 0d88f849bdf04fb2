"""Step 2, substances: which ones (one page), then details only for those (a second page)."""

from __future__ import annotations

import functools

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import catalog, validators
from intake.documents import number
from intake.draft_document import chosen_substances

from .base import CheckboxesField, RadioField, StepForm, translated

# The units a person can pick for each substance, the first being the usual one. One unit
# means the question names it ("drinks a day") and asks nothing more.
SUBSTANCE_UNITS: dict[str, tuple[str, ...]] = {
    "alcohol": ("drinks",),
    "baclofen": ("mg",),
    "benzodiazepines": ("pills", "mg"),
    "other_sedatives": ("pills", "mg"),
    "opioids": ("pills", "mg", "grams"),
    "stimulants": ("pills", "grams", "mg"),
    "cocaine": ("grams",),
    "nicotine": ("other",),
    "cannabis": ("grams", "other"),
    "other": ("pills", "mg", "grams", "other"),
}
AMOUNT_QUESTIONS = {
    "drinks": (
        _("How many drinks on a typical day?"),
        _("One drink is a can of beer, a glass of wine or a shot of spirits."),
    ),
    "mg": (
        _("How many milligrams (mg) a day?"),
        _("Add up the day's doses: three 20 mg tablets make 60 mg."),
    ),
    "other": (
        _("How much on a typical day?"),
        _("For example, the number of cigarettes, vapes or pouches."),
    ),
}
AMOUNT_QUESTION = (_("How much on a typical day?"), _("Your best guess is fine."))
UNIT_SUFFIX = {"mg": _("mg a day"), "drinks": _("drinks a day"), "grams": _("grams a day"),
               "pills": _("pills a day"), "other": _("a day")}  # fmt: skip
# Prescription medicines: ask whether it was prescribed, and whether more is taken.
MEDICINES = frozenset({"baclofen", "benzodiazepines", "other_sedatives", "opioids", "stimulants"})
PRESCRIBED = (
    ("no", _("No")),
    ("yes", _("Yes, and I take it as prescribed")),
    ("more", _("Yes, but I take more than prescribed, or more often")),
)
# Alcohol is drunk: asking "how do you take it" would only puzzle people.
IMPLIED_ROUTES = {"alcohol": "oral"}
DETAIL_KEYS = ("frequency", "amount", "unit", "route", "duration_months", "last_use",
               "prescribed")  # fmt: skip


class SubstanceChoiceForm(StepForm):
    substances = CheckboxesField(
        required=True,
        label=_("Which of these have you used in the last 12 months?"),
        help_text=_("Tick all that apply, including medicines taken differently than prescribed."),
        choices=translated(catalog.SUBSTANCES),
        error_messages={"required": validators.SUBSTANCE_REQUIRED},
    )


@functools.cache
def detail_fields(code: str) -> dict[str, forms.Field]:
    """The questions about one substance, by question (see StepForm.answer_fields)."""
    units = SUBSTANCE_UNITS[code]
    question, hint = AMOUNT_QUESTIONS.get(units[0], AMOUNT_QUESTION)
    fields = {
        "frequency": RadioField(label=_("How often?"), choices=translated(catalog.FREQUENCIES)),
        "amount": forms.DecimalField(
            required=False, label=question, help_text=hint, decimal_places=2,
            error_messages={"invalid": validators.NUMBER_INVALID,
                            "max_decimal_places": validators.NUMBER_INVALID},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                          "class": "amount-input"}),
        ),
    }  # fmt: skip
    if len(units) > 1:
        fields["unit"] = RadioField(
            required=False, label=_("Counted in"), initial=units[0],
            choices=[(u, _(catalog.label_for(catalog.UNITS, u))) for u in units],
        )  # fmt: skip
    if code not in IMPLIED_ROUTES:
        fields["route"] = RadioField(
            label=_("How do you take it?"), choices=translated(catalog.ROUTES)
        )
    fields["duration_months"] = forms.IntegerField(
        required=False, label=_("For about how many months? (optional)"),
        help_text=_("For 2 years, write 24."),
        error_messages={"invalid": validators.WHOLE_NUMBER_INVALID},
        validators=[validators.validate_duration_months],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "class": "amount-input"}),
    )  # fmt: skip
    fields["last_use"] = RadioField(
        label=_("When did you last use it?"), choices=translated(catalog.LAST_USE)
    )
    if code in MEDICINES:
        fields["prescribed"] = RadioField(label=_("Was it prescribed to you?"), choices=PRESCRIBED)
    # Every substance asks the same questions: name it beside each one for screen readers and
    # the error summary.
    name = _(catalog.SUBSTANCE_NAMES[code])
    for form_field in fields.values():
        form_field.context = name
    fields["amount"].suffix = unit_suffix(code)
    return fields


def unit_suffix(code: str):
    """What the amount box says after the number, where the substance has one unit."""
    units = SUBSTANCE_UNITS[code]
    return UNIT_SUFFIX[units[0]] if len(units) == 1 else ""


class SubstanceDetailsForm(StepForm):
    """One fieldset per chosen substance; field names are ``<substance>-<question>``."""

    @classmethod
    def answers_for_outage(cls, posted) -> dict:
        named = {key.split("-", 1)[0] for key in posted if "-" in key}
        chosen = [code for code in catalog.codes(catalog.SUBSTANCES) if code in named]
        return {"substances": {"substances": chosen}}

    @classmethod
    def answer_fields(cls, answers: dict) -> dict:
        return {
            f"{code}-{key}": form_field
            for code in chosen_substances(answers)
            for key, form_field in detail_fields(code).items()
        }

    def build_layout(self) -> None:
        self.layout = [
            (
                _(catalog.label_for(catalog.SUBSTANCES, code)),
                "",
                [f"{code}-{key}" for key in detail_fields(code)],
            )
            for code in chosen_substances(self.answers)
        ]

    def clean(self):
        data = super().clean()
        for code in chosen_substances(self.answers):
            amount = data.get(f"{code}-amount")
            if amount is None:
                continue
            unit = self._unit(code, data)
            try:
                validators.validate_amount(amount, unit)
            except forms.ValidationError as error:
                self.add_error(f"{code}-amount", error)
        return data

    def _unit(self, code: str, data: dict) -> str:
        return data.get(f"{code}-unit") or SUBSTANCE_UNITS[code][0]

    def unit_suffix(self, code: str):
        return unit_suffix(code)

    def to_answers(self) -> dict:
        """{substance: {frequency, amount_per_day, unit, route, ...}} in the document's terms."""
        data = self.cleaned_data
        result = {}
        for code in chosen_substances(self.answers):
            entry = {
                "frequency": data.get(f"{code}-frequency"),
                "route": data.get(f"{code}-route") or IMPLIED_ROUTES.get(code),
                "duration_months": data.get(f"{code}-duration_months"),
                "last_use": data.get(f"{code}-last_use"),
            }
            if data.get(f"{code}-amount") is not None:
                entry["amount_per_day"] = number(data[f"{code}-amount"])
                entry["unit"] = self._unit(code, data)
            prescribed = data.get(f"{code}-prescribed")
            if prescribed:
                entry["prescribed"] = prescribed != "no"
                entry["more_than_prescribed"] = prescribed == "more"
            result[code] = {key: value for key, value in entry.items() if value is not None}
        return result

    @classmethod
    def initial_from(cls, stored: dict, answers: dict) -> dict:
        initial = {}
        for code, entry in stored.items():
            if not isinstance(entry, dict):
                continue
            for key in ("frequency", "route", "duration_months", "last_use"):
                if key in entry and not (key == "route" and code in IMPLIED_ROUTES):
                    initial[f"{code}-{key}"] = entry[key]
            if "amount_per_day" in entry:
                initial[f"{code}-amount"] = entry["amount_per_day"]
                if len(SUBSTANCE_UNITS.get(code, ())) > 1:
                    initial[f"{code}-unit"] = entry.get("unit")
            if "prescribed" in entry:
                more = entry.get("more_than_prescribed")
                initial[f"{code}-prescribed"] = (
                    "no" if not entry["prescribed"] else "more" if more else "yes"
                )
        return initial
