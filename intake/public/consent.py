"""The consent wording, versioned. Change any text here → bump CONSENT_VERSION.

The version is stored with every intake's consent record, so staff can always tell which words
a person agreed to. The disclosure consent follows 42 CFR § 2.31: who may disclose, to whom,
what information, for what purpose, until when, the right to revoke, and that care does not
depend on signing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-11"
# The disclosure consent ends one year after signing unless revoked earlier.
DISCLOSURE_DAYS = 365

DISCLOSURE_RECIPIENT = _("The admissions staff and clinical team of %(center)s")
DISCLOSURE_PURPOSE = _("To review my needs, recommend and plan my care, and contact me about it.")
DISCLOSURE_INFORMATION = _(
    "The answers in this intake: my contact details, substance use, symptoms, health and "
    "screening answers, living situation and insurance."
)


def disclosure_recipient() -> str:
    return str(DISCLOSURE_RECIPIENT) % {"center": settings.CENTER_NAME}


def disclosure_expires(signed_on: datetime.date) -> datetime.date:
    return signed_on + datetime.timedelta(days=DISCLOSURE_DAYS)
