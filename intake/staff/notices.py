"""The 42 CFR Part 2 notice that must accompany every disclosure (§ 2.32(a)(1), "Statement 1",
as amended by the 2024 final rule, 89 FR 12472). The print view and the CSV export carry it.

The wording is the regulation's own: change it only when the regulation changes.
"""

from django.utils.translation import gettext_lazy as _

PART2_NOTICE_TITLE = _("Notice prohibiting redisclosure (42 CFR part 2)")

PART2_NOTICE_PARAGRAPHS = (
    _(
        "This record which has been disclosed to you is protected by Federal confidentiality "
        "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
        "or testimony that describes the information contained in this record, in any civil, "
        "criminal, administrative, or legislative proceedings by any Federal, State, or local "
        "authority, against the patient, unless authorized by the consent of the patient, "
        "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance "
        "with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making any "
        "other use or disclosure of this record unless at least one of the following applies:"
    ),
    _(
        "(A) Further use or disclosure is expressly permitted by the written consent of the "
        "individual whose information is being disclosed in this record or as otherwise "
        "permitted by 42 CFR part 2."
    ),
    _(
        "(B) You are a covered entity or business associate and have received the record for "
        "treatment, payment, or health care operations, or"
    ),
    _(
        "(C) You have received the record from a covered entity or business associate as "
        "permitted by 45 CFR part 164, subparts A and E."
    ),
    _(
        "A general authorization for the release of medical or other information is NOT "
        "sufficient to meet the required elements of written consent to further use or "
        "redisclose the record (see 42 CFR 2.31)."
    ),
)


def part2_notice_text() -> str:
    """The whole notice as one block of text (CSV cell, plain-text contexts)."""
    return " ".join(str(paragraph) for paragraph in PART2_NOTICE_PARAGRAPHS)
