"""Validation of the intake document: the one dict shape the project imports, exports and routes.

The shape is ROUTING.md's "Input: the intake document" (version 2026.1). Pure Python, no Django.

Rules, from ROUTING.md:
- an unknown key is an error, at any depth;
- a missing key means "not answered". So does ``null``: the normalised copy drops it, so form
  code may pass ``cleaned_data`` values of ``None`` straight through;
- codes come from ``intake.catalog``.

Normalisation (the returned copy; the input is never mutated): keys in a fixed order, ``null``
values and blank strings dropped, text stripped, duplicate codes in code lists removed (first
one kept).

Extensions beyond ROUTING.md, all optional, which the project needs for a lossless export:
- ``contact``: ``first_name``, ``last_name``, ``date_of_birth`` (YYYY-MM-DD), ``phone``,
  ``email``, ``reference``, ``preferred_contact`` (phone | email | text), ``voicemail_ok``
  (bool), ``respondent`` (self | family_friend | professional), ``postal_code``, ``state``,
  ``language`` (en | es: the language the intake was filled in; English when absent).
  Refused with ``allow_contact=False``, for exports that must carry no identifying details;
- ``insurance``: ``payer`` (text), ``member_id`` (text), ``self_pay`` (bool);
- ``status``: the staff status code of the intake (lowercase letters, digits, ``_``);
- ``submitted_at``: ISO 8601 date and time with a time zone, e.g. ``2026-11-25T17:48:00+00:00``.
The routing engine ignores all four.

One substance entry is not an answer without its ``substance`` code, so that key is required.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from intake import catalog

MAX_AMOUNT_PER_DAY = 100_000
MAX_DURATION_MONTHS = 1200
ROUTING_KEYS = (
    "sex",
    "date_of_birth",
    "substances",
    "used_together",
    "symptoms",
    "history",
    "medical",
    "screening",
    "living",
    "duties",
    "readiness",
    "preference",
)
EXTENSION_KEYS = ("contact", "insurance", "status", "submitted_at")


class DocumentError(ValueError):
    """An invalid intake document; ``messages`` names every problem, each with its path."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("invalid intake document: " + "; ".join(self.messages))

    def __reduce__(self):  # keeps the messages through pickling (task queues, multiprocessing)
        return type(self), (self.messages,)


# A validator takes (value, parent, key, errors), appends messages to errors and returns the
# normalised value, or _OMIT to leave the key out of the normalised copy. ``parent`` and ``key``
# say where the value sits; they become a path ("substances[1].frequency") only for a message,
# so that a valid document, which is every document the submit service sees, builds no paths.
Validator = Callable[[Any, Any, Any, list[str]], Any]
_OMIT = object()
_DOCUMENT_ROOT = (None, None)  # (parent, key) of the document itself


def _path(parent: tuple | None, key: str | int | None) -> str:
    """The path of the value at ``key`` of ``parent``; "" for the document itself."""
    if key is None:
        return ""
    base = _path(*parent)
    if isinstance(key, int):  # a list's index
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else str(key)


def _is_int(value: object) -> bool:
    # bool is an int subclass; true must not pass for 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _code(choices: catalog.Choices) -> Validator:
    allowed = catalog.codes(choices)
    lookup = frozenset(allowed)

    def check(value, parent, key, errors):
        if isinstance(value, str) and value in lookup:
            return value
        errors.append(
            f"{_path(parent, key)}: unknown code {value!r} (expected one of: {', '.join(allowed)})"
        )
        return _OMIT

    return check


def _boolean(value, parent, key, errors):
    if value is True or value is False:
        return value
    errors.append(f"{_path(parent, key)}: must be true or false")
    return _OMIT


def _whole(low: int, high: int) -> Validator:
    def check(value, parent, key, errors):
        if (type(value) is int or _is_int(value)) and low <= value <= high:
            return value
        errors.append(f"{_path(parent, key)}: must be an integer from {low} to {high}")
        return _OMIT

    return check


def _amount(value, parent, key, errors):
    number = _is_int(value) or (isinstance(value, float) and math.isfinite(value))
    if number and 0 <= value <= MAX_AMOUNT_PER_DAY:
        return value
    errors.append(f"{_path(parent, key)}: must be a number from 0 to {MAX_AMOUNT_PER_DAY}")
    return _OMIT


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # \d would admit other scripts' digits


def _date(value, parent, key, errors):
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    errors.append(f"{_path(parent, key)}: must be a real date written YYYY-MM-DD")
    return _OMIT


def _datetime(value, parent, key, errors):
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        # A naive timestamp is ambiguous across servers and daylight saving: refuse it.
        if moment is not None and moment.tzinfo is not None:
            return value
    errors.append(f"{_path(parent, key)}: must be an ISO 8601 date and time with a time zone")
    return _OMIT


def _text(max_length: int, pattern: re.Pattern | None = None, what: str = "") -> Validator:
    def check(value, parent, key, errors):
        stripped = value.strip() if isinstance(value, str) else None
        if stripped is None or len(stripped) > max_length:
            errors.append(f"{_path(parent, key)}: must be text of at most {max_length} characters")
            return _OMIT
        if not stripped:
            return _OMIT
        if pattern is not None and not pattern.fullmatch(stripped):
            errors.append(f"{_path(parent, key)}: must be {what}")
            return _OMIT
        return stripped

    return check


def _list(item: Validator, *, unique: bool = False) -> Validator:
    def check(value, parent, key, errors):
        if not isinstance(value, list):
            errors.append(f"{_path(parent, key)}: must be a list")
            return _OMIT
        here = (parent, key)
        items = []
        for index, entry in enumerate(value):
            entry = item(entry, here, index, errors)
            if entry is not _OMIT:
                items.append(entry)
        return list(dict.fromkeys(items)) if unique else items

    return check


def _answers(count: int, item: Validator, answer_type: type, low: int, high: int) -> Validator:
    """A fixed-length list of instrument answers, each of ``answer_type`` from low to high."""
    every = _list(item)
    only = {answer_type}

    def check(value, parent, key, errors):
        if isinstance(value, list) and len(value) != count:
            errors.append(f"{_path(parent, key)}: must be a list of exactly {count} answers")
            return _OMIT
        # The usual case, all at once: the right number of answers, each of the right type.
        if (
            type(value) is list
            and set(map(type, value)) == only
            and low <= min(value)
            and max(value) <= high
        ):
            return list(value)
        before = len(errors)
        result = every(value, parent, key, errors)
        # A partly valid instrument cannot be scored: keep it out of the copy entirely.
        return result if len(errors) == before else _OMIT

    return check


def _codes(choices: catalog.Choices) -> Validator:
    every = _list(_code(choices), unique=True)
    lookup = frozenset(catalog.codes(choices))

    def check(value, parent, key, errors):
        # The usual case, all at once: a list of known codes (duplicates dropped, first kept).
        if type(value) is list:
            try:
                known = lookup.issuperset(value)
            except TypeError:  # an unhashable item: the long way names it
                known = False
            if known:
                return list(dict.fromkeys(value))
        return every(value, parent, key, errors)

    return check


def _object(fields: dict[str, Validator], required: tuple[str, ...] = ()) -> Validator:
    names = fields.keys()
    walk = tuple(fields.items())

    def check(value, parent, key, errors):
        if not isinstance(value, dict):
            errors.append(f"{_path(parent, key) or 'document'}: must be an object")
            return _OMIT
        if not value.keys() <= names:
            path = _path(parent, key)
            for name in value:
                if name not in fields:
                    errors.append(
                        f"{path}: unknown key {name!r}" if path else f"unknown key {name!r}"
                    )
        here = (parent, key)
        normalised = {}
        for name, validate in walk:
            item = value.get(name)
            if item is None:
                if name in required:
                    errors.append(f"{_path(here, name)}: required")
                continue
            result = validate(item, here, name, errors)
            if result is not _OMIT:
                normalised[name] = result
        return normalised

    return check


_SUBSTANCE = _object(
    {
        "substance": _code(catalog.SUBSTANCES),
        "frequency": _code(catalog.FREQUENCIES),
        "amount_per_day": _amount,
        "unit": _code(catalog.UNITS),
        "route": _code(catalog.ROUTES),
        "duration_months": _whole(0, MAX_DURATION_MONTHS),
        "last_use": _code(catalog.LAST_USE),
        "prescribed": _boolean,
        "more_than_prescribed": _boolean,
    },
    required=("substance",),
)

_ROUTING_FIELDS: dict[str, Validator] = {
    "sex": _code(catalog.SEXES),
    "date_of_birth": _date,
    "substances": _list(_SUBSTANCE),
    "used_together": _codes(catalog.SUBSTANCES),
    "symptoms": _codes(catalog.SYMPTOM_CHOICES),
    "history": _object(
        {
            "withdrawal_seizures": _boolean,
            "withdrawal_delirium": _boolean,
            "prior_treatment": _codes(catalog.PRIOR_TREATMENTS),
            "relapse_after_treatment": _boolean,
        }
    ),
    "medical": _object(dict.fromkeys(catalog.codes(catalog.MEDICAL_CONDITIONS), _boolean)),
    "screening": _object(
        {
            "audit_c": _answers(3, _whole(0, 4), int, 0, 4),
            "dast_10": _answers(10, _boolean, bool, False, True),
            "phq_2": _answers(2, _whole(0, 3), int, 0, 3),
            "cssrs": _object(dict.fromkeys(catalog.CSSRS_KEYS, _boolean)),
        }
    ),
    "living": _object(
        {
            "housing": _code(catalog.HOUSING),
            "others_using_at_home": _boolean,
            "unsafe_home": _boolean,
            "has_support": _boolean,
        }
    ),
    "duties": _codes(catalog.DUTIES),
    "readiness": _code(catalog.READINESS),
    "preference": _code(catalog.PREFERENCES),
}
assert tuple(_ROUTING_FIELDS) == ROUTING_KEYS

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_STATUS = re.compile(r"[a-z][a-z0-9_]*")

# Text limits mirror the columns in intake/models/intakes.py, so an import that validates fits.
_CONTACT = _object(
    {
        "first_name": _text(100),
        "last_name": _text(100),
        "date_of_birth": _date,
        "phone": _text(32),
        "email": _text(254, _EMAIL, "an email address"),
        "reference": _text(9),
        "preferred_contact": _code(catalog.CONTACT_METHODS),
        "voicemail_ok": _boolean,
        "respondent": _code(catalog.RESPONDENTS),
        "postal_code": _text(10),
        "state": _text(2),
        "language": _code(catalog.LANGUAGES),
    }
)
_EXTENSION_FIELDS: dict[str, Validator] = {
    "contact": _CONTACT,
    "insurance": _object({"payer": _text(200), "member_id": _text(64), "self_pay": _boolean}),
    "status": _text(32, _STATUS, "a status code (lowercase letters, digits and _)"),
    "submitted_at": _datetime,
}
assert tuple(_EXTENSION_FIELDS) == EXTENSION_KEYS

_DOCUMENT = _object(_ROUTING_FIELDS | _EXTENSION_FIELDS)
_DOCUMENT_WITHOUT_CONTACT = _object(
    _ROUTING_FIELDS | {k: v for k, v in _EXTENSION_FIELDS.items() if k != "contact"}
)


def validate_document(doc: dict, *, allow_contact: bool = True) -> dict:
    """Check ``doc`` against the intake document shape; return a normalised copy.

    Raises ``DocumentError`` listing every problem, each message starting with the path of the
    offending item (``substances[1].frequency: ...``) or reading ``unknown key 'x'``.
    """
    errors: list[str] = []
    if not allow_contact and isinstance(doc, dict) and doc.get("contact") is not None:
        errors.append("contact: not allowed in this document (no contact details here)")
        doc = {k: v for k, v in doc.items() if k != "contact"}
    validator = _DOCUMENT if allow_contact else _DOCUMENT_WITHOUT_CONTACT
    normalised = validator(doc, *_DOCUMENT_ROOT, errors)
    if errors:
        raise DocumentError(errors)
    return normalised
