"""Step 3, using together: substances used on the same day, AUDIT-C (alcohol only), DAST-10."""

from __future__ import annotations

import functools

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from intake import catalog, screening
from intake.draft_document import chosen_substances

from .base import CheckboxesField, StepForm, YesNoField, scored_fields


@functools.lru_cache(maxsize=64)
def used_together_field(codes: tuple[str, ...]) -> CheckboxesField:
    """The same-day question over the substances chosen (``codes``, in catalog order)."""
    return CheckboxesField(
        label=_("Do you use any of these on the same day?"),
        help_text=_("Tick the ones you use on the same day. Leave them all unticked "
                    "if you never use them together."),
        choices=[(code, _(catalog.label_for(catalog.SUBSTANCES, code))) for code in codes],
    )  # fmt: skip


# The screeners' questions, the same for everyone (see StepForm.answer_fields).
AUDIT_C_KEYS = [q.key for q in screening.AUDIT_C_QUESTIONS]
DAST_10_KEYS = [q.key for q in screening.DAST_10_QUESTIONS]
AUDIT_C_FIELDS = scored_fields(screening.AUDIT_C_QUESTIONS)
DAST_10_FIELDS = {
    question.key: YesNoField(label=format_lazy("{}. {}", number, _(question.text)))
    for number, question in enumerate(screening.DAST_10_QUESTIONS, 1)
}


class TogetherForm(StepForm):
    @classmethod
    def answers_for_outage(cls, posted) -> dict:
        chosen = set(posted.getlist("used_together"))
        if any(q.key in posted for q in screening.AUDIT_C_QUESTIONS):
            chosen.add("alcohol")
        codes = [code for code in catalog.codes(catalog.SUBSTANCES) if code in chosen]
        return {"substances": {"substances": codes}}

    @classmethod
    def answer_fields(cls, answers: dict) -> dict:
        chosen = chosen_substances(answers)
        fields = {}
        if len(chosen) > 1:
            fields["used_together"] = used_together_field(
                tuple(code for code in catalog.codes(catalog.SUBSTANCES) if code in chosen)
            )
        if "alcohol" in chosen:
            fields.update(AUDIT_C_FIELDS)
        fields.update(DAST_10_FIELDS)
        return fields

    def build_layout(self) -> None:
        self.layout = []
        if "used_together" in self.fields:
            self.layout.append((_("On the same day"), "", ["used_together"]))
        if AUDIT_C_KEYS[0] in self.fields:
            self.layout.append((_("About drinking"), _(screening.AUDIT_C_INTRO), AUDIT_C_KEYS))
        self.layout.append((_("About drug use"), _(screening.DAST_10_INTRO), DAST_10_KEYS))

    def to_answers(self) -> dict:
        data = self.cleaned_data
        result = {"dast_10": [data[q.key] for q in screening.DAST_10_QUESTIONS]}
        if "used_together" in self.fields:
            result["used_together"] = data["used_together"]
        if screening.AUDIT_C_QUESTIONS[0].key in self.fields:
            result["audit_c"] = [data[q.key] for q in screening.AUDIT_C_QUESTIONS]
        return result

    @classmethod
    def initial_from(cls, stored: dict, answers: dict) -> dict:
        initial = {"used_together": stored.get("used_together", [])}
        for key, questions in (
            ("audit_c", screening.AUDIT_C_QUESTIONS),
            ("dast_10", screening.DAST_10_QUESTIONS),
        ):
            values = stored.get(key) or []
            initial.update(zip((q.key for q in questions), values, strict=False))
        return initial
