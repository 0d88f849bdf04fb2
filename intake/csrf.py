"""CSRF tokens as Django's ``get_token`` makes them, each random string drawn in one read.

Django's ``get_token`` (django/middleware/csrf.py) draws each 32-character string, the mask
that every token gets and, on a first visit, the new secret, with ``get_random_string``: 32
``secrets.choice`` calls, each its own ``os.urandom`` read, about 30 µs a string (the landing
page without a cookie draws two, a wizard step one, out of a budget of about 2 ms).

Here a string comes from one ``os.urandom`` read: a byte below 248 (= 4 x 62) names the
character ``CSRF_ALLOWED_CHARS[byte % 62]``, so each of the 62 characters is equally likely
and each character independent of the others, as with ``secrets.choice``; bytes 248-255 are
thrown away (read again when too few are left). The same source (the OS's CSPRNG), the same
distribution, the same alphabet and length.

Everything else is Django's: the token is the mask and the secret enciphered with it (64
characters, ``_unmask_cipher_token`` reads it back), the secret is the CSRF cookie's, and the
request is flagged as ``get_token`` flags it (``CSRF_COOKIE``, ``CSRF_COOKIE_NEEDS_UPDATE``),
so Django's CsrfViewMiddleware sets the cookie and checks the tokens as before.

Used by the ``csrf`` context processor below (in settings after Django's built-in one, whose
lazy ``csrf_token`` it replaces, so ``{% csrf_token %}`` takes its token here). The wizard's
frames (intake/public/frame.py) take theirs with ``get_token`` too.
"""

from __future__ import annotations

import os
from functools import partial

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.functional import SimpleLazyObject

_CHARS = CSRF_ALLOWED_CHARS
_COUNT = len(_CHARS)  # 62
_ACCEPTED = 256 - 256 % _COUNT  # 248: bytes below it map evenly onto the characters
# bytes.translate(_TABLE, _REJECTED): drop the bytes 248-255, then each byte -> its character.
_TABLE = bytes(ord(_CHARS[byte % _COUNT]) for byte in range(256))
_REJECTED = bytes(range(_ACCEPTED, 256))
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# One read is nearly always enough: 40 bytes keep 32 or more unless 9 of them are >= 248.
_READ = CSRF_SECRET_LENGTH + 8


def random_string(length: int = CSRF_SECRET_LENGTH) -> str:
    """``length`` characters of CSRF_ALLOWED_CHARS, each uniform and independent, from the
    OS's CSPRNG (what ``get_random_string(length, CSRF_ALLOWED_CHARS)`` gives)."""
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(_READ).translate(_TABLE, _REJECTED)
    return drawn[:length].decode("ascii")


def mask_cipher_secret(secret: str) -> str:
    """Django's ``_mask_cipher_secret``: a new mask, then the secret enciphered with it."""
    mask = random_string()
    index = _INDEX
    cipher = "".join(
        [_CHARS[(index[s] + index[m]) % _COUNT] for s, m in zip(secret, mask, strict=True)]
    )
    return mask + cipher


def get_token(request) -> str:
    """Django's ``get_token``: the token for a form, a new secret (and cookie) if none yet."""
    meta = request.META
    if "CSRF_COOKIE" in meta:
        secret = meta["CSRF_COOKIE"]
        # As Django: the cookie is sent again (its expiry renewed) whenever a token is used.
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    else:
        secret = random_string()
        meta["CSRF_COOKIE"] = secret
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return mask_cipher_secret(secret)


def csrf(request) -> dict:
    """The ``csrf_token`` of every template, lazy as Django's own (a page without a form sets
    no cookie), taken with ``get_token`` above."""
    return {"csrf_token": SimpleLazyObject(partial(get_token, request))}
