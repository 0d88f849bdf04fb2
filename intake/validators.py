"""Validators for what people type into the public intake, with their messages as constants.

Tests import the constants, so a reworded message cannot silently break a test, and every
message is plain, kind and says how to put the answer right. Each validator raises
``ValidationError`` with a ``code`` so callers can tell the failures apart.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Messages ---------------------------------------------------------------------------------

REQUIRED = _("Please answer this question.")
CHOICE_INVALID = _("Please choose one of the answers shown.")
TEXT_TOO_LONG = _("Please keep this to %(limit_value)d characters or fewer.")
CONTROL_CHARACTERS = _(
    "This has a character we can't accept (an invisible or control character). "
    "Please type it again."
)
TEXT_UNREADABLE = _(
    "Part of this could not be read (it was not sent as ordinary text). Please type it again."
)
USERNAME_TOO_LONG = _("Usernames have at most %(limit_value)d characters.")
DATE_INVALID = _("Please enter a real date, for example 05/01/1990.")
DATE_OF_BIRTH_IN_FUTURE = _("Date of birth can't be in the future.")
DATE_OF_BIRTH_TOO_EARLY = _(
    "Please check the year: that would make the person more than %(oldest)s years old."
)
DATE_OF_BIRTH_TOO_YOUNG = _(
    "Please check the date of birth: that would make the person %(age)s years old. This form "
    "is for people aged %(youngest)s or older. For a younger child, please call us and we "
    "will help."
)
PHONE_INVALID = _("Please enter a phone number with 7 to 15 digits, for example 555-555-0100.")
EMAIL_INVALID = _("Please enter an email address like name@example.com.")
PHONE_OR_EMAIL_REQUIRED = _("Please give a phone number or an email address so we can reach you.")
PHONE_NEEDED_FOR_METHOD = _("To be contacted by phone or text, please give a phone number.")
EMAIL_NEEDED_FOR_METHOD = _("To be contacted by email, please give an email address.")
VOICEMAIL_REQUIRED = _("Please tell us whether we may leave a voicemail.")
POSTAL_CODE_INVALID = _("Please enter a 5-digit ZIP code, for example 02139.")
NUMBER_INVALID = _("Please enter a number, for example 3 or 2.5.")
AMOUNT_NOT_POSITIVE = _("Please enter an amount greater than 0, or leave it blank.")
AMOUNT_TOO_LARGE = _("That seems too high. Please check it: we expect at most %(limit)s.")
WHOLE_NUMBER_INVALID = _("Please enter a whole number of months, for example 6.")
DURATION_TOO_LARGE = _("Please enter a number of months from 0 to %(limit)s.")
SUBSTANCE_REQUIRED = _(
    "Please choose at least one. If yours is not listed, choose “Something else”."
)
MEMBER_ID_INVALID = _("Please use only letters, numbers, spaces and dashes.")
SIGNATURE_REQUIRED = _("Please type your full name to sign.")
CONSENT_CONTACT_REQUIRED = _("We need your permission to contact you to help you.")
PRIVACY_REQUIRED = _("Please confirm that you have read the privacy notice.")
RELAPSE_CONTRADICTS_TREATMENT = _(
    "You ticked a kind of treatment above. Please choose Yes or No here, or untick it."
)
NOT_ACCEPTED = _("We could not accept this form. Please call us and we will help you by phone.")

# --- Limits -----------------------------------------------------------------------------------

# A plausible age for someone this form is about: adolescent programs start at 12.
YOUNGEST_AGE = 12
OLDEST_AGE = 110
ADULT_AGE = 18
# Plausible daily amounts by unit. Above these, a typing slip is far likelier than the truth,
# and a wrong number would mislead staff (D6 reads baclofen mg a day).
AMOUNT_LIMITS: dict[str, Decimal] = {
    "mg": Decimal(10_000),
    "drinks": Decimal(100),
    "pills": Decimal(200),
    "grams": Decimal(100),
    "other": Decimal(1_000),
}
MAX_DURATION_MONTHS = 1200
PHONE_DIGITS = (7, 15)

_PHONE_CHARACTERS = re.compile(r"[0-9+().\-\s]+")
_POSTAL_CODE = re.compile(r"\d{5}(-\d{4})?")
_MEMBER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*")
# Bidirectional overrides and isolates can make stored text read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_no_control_characters(value: str) -> None:
    """Refuse NUL, other control characters, lone surrogates and bidi overrides."""
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cs") or character in _BIDI_CONTROLS:
            raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


def validate_readable_text(value: str) -> None:
    """Refuse U+FFFD, the replacement character. Django decodes a form body or query string
    with errors="replace", so bytes that are not UTF-8 (a lone surrogate included: UTF-8 cannot
    carry one) arrive as U+FFFD; nobody types it on purpose, and storing it would lose what
    the person meant."""
    if "\ufffd" in value:
        raise ValidationError(TEXT_UNREADABLE, code="unreadable")


def age_on(date_of_birth: datetime.date, today: datetime.date) -> int:
    """Whole years of age on ``today``."""
    birthday_passed = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - (0 if birthday_passed else 1)


def validate_date_of_birth(value: datetime.date, *, today: datetime.date | None = None) -> None:
    """Not in the future, and a plausible age (12 to 110). A minor of 12 to 17 is accepted
    and told how a parent or guardian takes part (staff see the age on the intake)."""
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError(DATE_OF_BIRTH_IN_FUTURE, code="future")
    age = age_on(value, today)
    if age > OLDEST_AGE:
        raise ValidationError(DATE_OF_BIRTH_TOO_EARLY, code="too_early",
                              params={"oldest": OLDEST_AGE})  # fmt: skip
    if age < YOUNGEST_AGE:
        raise ValidationError(DATE_OF_BIRTH_TOO_YOUNG, code="too_young",
                              params={"age": age, "youngest": YOUNGEST_AGE})  # fmt: skip


def is_minor(date_of_birth: datetime.date | str | None, *, today: datetime.date | None = None):
    """Under 18 on ``today``; False when the date is unknown."""
    if not date_of_birth:
        return False
    if isinstance(date_of_birth, str):
        try:
            date_of_birth = datetime.date.fromisoformat(date_of_birth)
        except ValueError:
            return False
    return age_on(date_of_birth, today or timezone.localdate()) < ADULT_AGE


def validate_phone(value: str) -> None:
    digits = sum(character.isdigit() for character in value)
    low, high = PHONE_DIGITS
    if not _PHONE_CHARACTERS.fullmatch(value) or not low <= digits <= high:
        raise ValidationError(PHONE_INVALID, code="phone")


def validate_email_domain(value: str) -> None:
    """Django accepts ``name@localhost``: nobody is reached there, and the document refuses it."""
    domain = value.rpartition("@")[2]
    if "." not in domain.strip(".") or ".." in domain:
        raise ValidationError(EMAIL_INVALID, code="email")


def validate_postal_code(value: str) -> None:
    if not _POSTAL_CODE.fullmatch(value):
        raise ValidationError(POSTAL_CODE_INVALID, code="postal_code")


def validate_member_id(value: str) -> None:
    if not _MEMBER_ID.fullmatch(value):
        raise ValidationError(MEMBER_ID_INVALID, code="member_id")


def validate_amount(value: Decimal, unit: str) -> None:
    """Positive, finite and plausible for its unit."""
    if not value.is_finite():
        raise ValidationError(NUMBER_INVALID, code="not_finite")
    if value <= 0:
        raise ValidationError(AMOUNT_NOT_POSITIVE, code="not_positive")
    limit = AMOUNT_LIMITS.get(unit, AMOUNT_LIMITS["other"])
    if value > limit:
        raise ValidationError(AMOUNT_TOO_LARGE, code="too_large", params={"limit": limit})


def validate_duration_months(value: int) -> None:
    if not 0 <= value <= MAX_DURATION_MONTHS:
        raise ValidationError(
            DURATION_TOO_LARGE, code="duration", params={"limit": MAX_DURATION_MONTHS}
        )
