"""The intake's answers for the staff pages, grouped by the steps the person went through.

Labels come from intake.catalog and intake.screening (the same texts the person read), and are
translated at display time. None means "not answered"; an empty list is the answer "none".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake import catalog, screening
from intake.models import Intake

from .presenters import choice_label, yes_no


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    # Optional table: header cells and rows of cells (substances).
    head: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    empty: str = ""
    # Questionnaires item by item, folded away on screen (the scores sit at the top).
    details: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def _amount(use) -> str:
    if use.amount_per_day is None:
        return ""
    number = use.amount_per_day.normalize()
    unit = choice_label(catalog.UNITS, use.unit) if use.unit else ""
    return f"{number:f} {unit}".strip()


def _prescribed(use) -> str:
    if use.prescribed and use.more_than_prescribed:
        return _("Yes, takes more than prescribed")
    return yes_no(use.prescribed)


def _names(codes, names: dict[str, str]) -> str:
    """Codes as names; None is "not answered", an empty list is the answer "none"."""
    if codes is None:
        return _("Not answered")
    return ", ".join(_(names.get(code, code)) for code in codes) or _("None")


def _choice_list(codes, choices) -> str:
    if codes is None:
        return _("Not answered")
    return ", ".join(choice_label(choices, code) for code in codes) or _("None")


def _pregnant(intake: Intake) -> str:
    # The wizard does not ask a person who chose "Male".
    if intake.pregnant is None and intake.sex == "male":
        return _("Not asked (sex given as male)")
    return yes_no(intake.pregnant)


def _relapse(intake: Intake) -> str:
    # "I have not had treatment before": no treatment ticked and no relapse answer.
    if intake.relapse_after_treatment is None and intake.prior_treatment == []:
        return _("No treatment before")
    return yes_no(intake.relapse_after_treatment)


def _questionnaire(questions, answers, *, yes_no_items: bool = False) -> list[tuple[str, str]]:
    rows = []
    for index, question in enumerate(questions):
        if answers is None or index >= len(answers):
            value = _("Not answered")
        elif yes_no_items:
            value = yes_no(answers[index])
        else:
            value = _(dict(question.options).get(answers[index], str(answers[index])))
        rows.append((_(question.text), value))
    return rows


def birth_date_and_age(intake: Intake, today: datetime.date | None = None) -> str:
    """The date of birth in the pages' one date format, with the age today beside it."""
    if not intake.date_of_birth:
        return _("Not answered")
    age = intake.age_on(today or timezone.localdate())
    return _("%(date)s (age %(age)d)") % {
        "date": date_format(intake.date_of_birth, "SHORT_DATE_FORMAT"),
        "age": age,
    }


def answer_sections(intake: Intake) -> list[Section]:
    """The answers grouped by the steps the person went through, in their order."""
    screen = intake.screening or {}
    uses = list(intake.substance_uses.all())
    symptom_codes = {s.code for s in intake.symptoms.all()}
    ordered_symptoms = [s.code for s in catalog.SYMPTOMS if s.code in symptom_codes]
    sections = [
        Section(
            _("About the person"),
            [
                (_("Filled in by"), choice_label(catalog.RESPONDENTS, intake.respondent)),
                (_("Date of birth"), birth_date_and_age(intake)),
                (_("Sex"), choice_label(catalog.SEXES, intake.sex) or _("Not answered")),
                (_("State / ZIP"), " ".join(x for x in (intake.state, intake.postal_code) if x)),
            ],
        ),
        Section(
            _("Substances (last 12 months)"),
            head=[
                _("Substance"),
                _("How often"),
                _("Amount a day"),
                _("How taken"),
                _("Months"),
                _("Last use"),
                _("Prescribed"),
            ],
            table=[
                [
                    _(catalog.SUBSTANCE_NAMES.get(use.substance_id, use.substance_id)),
                    choice_label(catalog.FREQUENCIES, use.frequency) or _("Not answered"),
                    _amount(use),
                    choice_label(catalog.ROUTES, use.route),
                    "" if use.duration_months is None else str(use.duration_months),
                    choice_label(catalog.LAST_USE, use.last_use),
                    _prescribed(use),
                ]
                for use in uses
            ],
            empty=_("No substances given."),
        ),
        Section(
            _("Using together"),
            [(_("Used on the same day"), _names(intake.used_together, catalog.SUBSTANCE_NAMES))],
            details=[
                (
                    _("AUDIT-C answers"),
                    _questionnaire(screening.AUDIT_C_QUESTIONS, screen.get("audit_c")),
                ),
                (
                    _("DAST-10 answers"),
                    _questionnaire(
                        screening.DAST_10_QUESTIONS, screen.get("dast_10"), yes_no_items=True
                    ),
                ),
            ],
        ),
        Section(
            _("Symptoms now"),
            [
                (
                    _("Symptoms"),
                    _names(ordered_symptoms, catalog.SYMPTOM_NAMES)
                    if intake.symptoms_answered
                    else _("Not answered"),
                ),
                (_("Withdrawal seizures before"), yes_no(intake.withdrawal_seizures)),
                (_("Withdrawal delirium before"), yes_no(intake.withdrawal_delirium)),
            ],
        ),
        Section(
            _("Health and safety"),
            [
                (
                    _(label),
                    _pregnant(intake) if code == "pregnant" else yes_no(getattr(intake, code)),
                )
                for code, label in catalog.MEDICAL_CONDITIONS
            ],
            details=[
                (
                    _("PHQ-2 answers"),
                    _questionnaire(screening.PHQ_2_QUESTIONS, screen.get("phq_2")),
                ),
                (_("C-SSRS screener answers"), _cssrs_rows(screen.get("cssrs"))),
            ],
        ),
        Section(
            _("Life and support"),
            [
                (_("Housing"), choice_label(catalog.HOUSING, intake.housing) or _("Not answered")),
                (_("Others using at home"), yes_no(intake.others_using_at_home)),
                (_("Unsafe at home"), yes_no(intake.unsafe_home)),
                (_("Has support people"), yes_no(intake.has_support)),
                (_("Duties"), _choice_list(intake.duties, catalog.DUTIES)),
                (
                    _("Earlier treatment"),
                    _choice_list(intake.prior_treatment, catalog.PRIOR_TREATMENTS),
                ),
                (_("Relapse after treatment"), _relapse(intake)),
                (
                    _("Readiness"),
                    choice_label(catalog.READINESS, intake.readiness) or _("Not answered"),
                ),
                (
                    _("Preference"),
                    choice_label(catalog.PREFERENCES, intake.preference) or _("Not answered"),
                ),
            ],
        ),
        Section(
            _("Insurance"),
            [
                (_("Payer"), intake.insurance_payer or _("Not given")),
                (_("Member ID"), intake.insurance_member_id or _("Not given")),
                (_("Self-pay"), yes_no(intake.self_pay)),
            ],
        ),
    ]
    return sections


def _cssrs_rows(answers) -> list[tuple[str, str]]:
    if answers is None:
        return [(_("C-SSRS screener"), _("Not answered"))]
    rows = []
    for question in screening.CSSRS_QUESTIONS:
        # Follow-ups are asked only after a yes; skipped ones count as "no" (ROUTING.md).
        if question.asked_if and not answers.get(question.asked_if):
            continue
        rows.append((_(question.text), yes_no(answers.get(question.key, False))))
    return rows
