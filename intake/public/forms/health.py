"""Step 5, health and safety: conditions, pregnancy, PHQ-2 and the C-SSRS screener.

The C-SSRS screener asks q3-q5 only after a yes to q2, and "within the past 3 months" only
after a yes to q6. The form must work without JavaScript, so those follow-up questions are a
page of their own (SafetyForm) that is shown only when it applies; HealthForm asks the rest.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from intake import catalog, screening
from intake.draft_document import PREGNANCY_OPEN, follow_up_questions, pregnancy_asked

from .base import CheckboxesField, RadioField, StepForm, YesNoField, scored_fields

CONDITIONS = [(code, label) for code, label in catalog.MEDICAL_CONDITIONS if code != "pregnant"]
PREGNANT = (
    ("yes", _("Yes")),
    ("no", _("No")),
    ("does_not_apply", _("Does not apply to me")),
)
CSSRS = {q.key: q for q in screening.CSSRS_QUESTIONS}
# Asked on the first page: the questions with no condition.
CSSRS_FIRST = [q.key for q in screening.CSSRS_QUESTIONS if q.asked_if is None]


# The questions, the same for everyone (see StepForm.answer_fields). "Does not apply to me" is
# offered only where the sex given leaves pregnancy open.
PREGNANT_OPEN = RadioField(label=_("Are you pregnant?"), choices=PREGNANT)
PREGNANT_YES_NO = RadioField(label=_("Are you pregnant?"), choices=PREGNANT[:2])
PHQ_2_FIELDS = scored_fields(screening.PHQ_2_QUESTIONS)
CSSRS_FIELDS = {key: YesNoField(label=_(question.text)) for key, question in CSSRS.items()}
CSSRS_FIRST_FIELDS = {key: CSSRS_FIELDS[key] for key in CSSRS_FIRST}


class HealthForm(StepForm):
    layout = [
        (_("Your health"), "", ["conditions", "pregnant"]),
        (_("Your mood"), _(screening.PHQ_2_INTRO), ["phq_1", "phq_2"]),
        (
            _("Your safety"),
            _("We ask everyone these questions, because we care about your safety. "
              "If you are thinking about ending your life right now, please call or text 988."),
            CSSRS_FIRST,
        ),
    ]  # fmt: skip

    conditions = CheckboxesField(
        label=_("Do you have any of these health conditions?"),
        help_text=_("Tick all that apply. Leave them unticked if none do."),
        choices=[(code, _(label)) for code, label in CONDITIONS],
    )

    @classmethod
    def answer_fields(cls, answers: dict) -> dict:
        fields = {}
        if pregnancy_asked(answers):
            sex = answers.get("about", {}).get("sex")
            fields["pregnant"] = PREGNANT_OPEN if sex in PREGNANCY_OPEN else PREGNANT_YES_NO
        fields.update(PHQ_2_FIELDS)
        fields.update(CSSRS_FIRST_FIELDS)
        return fields

    def to_answers(self) -> dict:
        data = self.cleaned_data
        return {
            "conditions": data["conditions"],
            "pregnant": data.get("pregnant"),
            "phq_2": [data[q.key] for q in screening.PHQ_2_QUESTIONS],
            "cssrs": {key: data[key] for key in CSSRS_FIRST},
        }

    @classmethod
    def initial_from(cls, stored: dict, answers: dict) -> dict:
        initial = {"conditions": stored.get("conditions", []), "pregnant": stored.get("pregnant")}
        initial.update(
            zip((q.key for q in screening.PHQ_2_QUESTIONS), stored.get("phq_2") or [],
                strict=False)
        )  # fmt: skip
        initial.update(stored.get("cssrs", {}))
        return initial


class SafetyForm(StepForm):
    """The C-SSRS follow-up questions; only those that the first answers call for."""

    @classmethod
    def answers_for_outage(cls, posted) -> dict:
        asked = {CSSRS[key].asked_if: True for key in posted if key in CSSRS}
        return {"health": {"cssrs": {k: v for k, v in asked.items() if k}}}

    @classmethod
    def answer_fields(cls, answers: dict) -> dict:
        return {key: CSSRS_FIELDS[key] for key in follow_up_questions(answers)}

    def build_layout(self) -> None:
        keys = list(self.fields)
        self.layout = [
            (
                "",
                _("Thank you for telling us. These questions help us keep you safe. "
                  "If you might act on these thoughts now, please call 911 or call or text 988."),
                keys,
            )
        ]  # fmt: skip
