"""Django's messages storage (a signed cookie, then the session), its signer built when used.

Django's FallbackStorage makes a CookieStorage on every request, and CookieStorage makes its
signer there (SIGNING_BACKEND imported by name, the key derived from SECRET_KEY): work that only
reading or writing a messages cookie needs, and nearly every request has none. Here the signer
is made the first time a cookie is read or written, with Django's own ``get_cookie_signer``
and salt; the cookie, its format and the fallback to the session are Django's.
"""

from __future__ import annotations

from django.contrib.messages.storage import base, cookie, fallback, session
from django.core import signing
from django.utils.functional import cached_property


class CookieStorage(cookie.CookieStorage):
    def __init__(self, request, *args, **kwargs):
        base.BaseStorage.__init__(self, request, *args, **kwargs)  # not the signer yet

    @cached_property
    def signer(self):
        return signing.get_cookie_signer(salt=self.key_salt)


class FallbackStorage(fallback.FallbackStorage):
    storage_classes = (CookieStorage, session.SessionStorage)
