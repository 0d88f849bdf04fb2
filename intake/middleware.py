import functools
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib import messages
from django.contrib.auth import SESSION_KEY as USER_ID_KEY
from django.contrib.auth import logout
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "_last_activity"
STARTED_KEY = "_signed_in_at"
PATIENT_SEEN_KEY = "_patient_seen"
EXPIRY_KEY = "_session_expiry"  # where Django keeps set_expiry()'s value
PATIENT_IDLE_ENDED = _(
    "For your privacy, your answers were closed on this device after a while without "
    "activity. Your private link brings them back, on this device or another."
)
# Refresh the activity clock at most once a minute: a session write per request buys nothing
# for a 15-minute timeout.
REFRESH_AFTER = 60


def signed_in(request) -> bool:
    """``request.user.is_authenticated``, without building the user when the session names
    none (a patient's session, or a first visit's): Django's get_user answers AnonymousUser
    then, whatever else the session holds, and building it costs two lazy objects, an
    AnonymousUser and django-otp's fields on every patient page. A user the request already
    holds (built, or set by login and logout) is asked as before."""
    user = request.user
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        session = getattr(request, "session", None)
        if session is not None and USER_ID_KEY not in session:
            return False
    return user.is_authenticated


class StaffSessionTimeoutMiddleware:
    """Ends a signed-in staff session after STAFF_IDLE_TIMEOUT seconds without a request, and
    every session SESSION_COOKIE_AGE seconds after sign-in, however active.

    Both times live in the session (the database), so they hold across app instances. (The
    session cookie's own expiry slides with each write, so it cannot be the absolute limit.)
    Patients have no login and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "user", None) is not None and signed_in(request):
            now = int(time.time())
            session = request.session
            last = session.get(SESSION_KEY)
            started = session.setdefault(STARTED_KEY, now)
            if now - int(started) > settings.SESSION_COOKIE_AGE:
                return self._end(request, "day")
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT:
                return self._end(request, "1")
            if last is None or now - int(last) >= REFRESH_AFTER:
                session[SESSION_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, why: str):
        logout(request)
        return redirect(f"{reverse(settings.LOGIN_URL)}?timeout={why}")


class RequestLimitsMiddleware:
    """Refuses a body over REQUEST_BODY_MAX bytes with a kind 413 page, before anything reads
    it. A file part in a multipart body is refused by Django's parser
    (DATA_UPLOAD_MAX_NUMBER_FILES = 0: no form takes a file) and answered by
    intake.views.bad_request with the same kind page.

    Django alone did not stop a large multipart upload: DATA_UPLOAD_MAX_MEMORY_SIZE counts
    form fields only, and file parts were spooled to disk whatever their size. The proxy in
    front should cap bodies too (see README, "Running in production").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a valid length
        if length > settings.REQUEST_BODY_MAX:
            response = too_large(request, status=413)
            # The body is left unread: the connection cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


def too_large(request, *, status: int, files: bool = False):
    # Runs before LocaleMiddleware: speak the person's language all the same.
    translation.activate(translation.get_language_from_request(request))
    context = {"files": files, "limit_kib": settings.REQUEST_BODY_MAX // 1024}
    return render(request, "errors/413.html", context, status=status)


class NoStoreMiddleware:
    """Cache-Control: no-store (Django's never-cache headers) on every page the app renders:
    the staff queue, an intake, its print view, the overview and export, the admin, and every
    patient page show answers or contact details, and neither a shared browser's cache nor a
    proxy may keep them. Static files (served by whitenoise, before this) stay cacheable, and
    so does any response a view marked public."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control")
        if cache_control is None and "Expires" not in response:
            _never_cache_fresh(response)
        elif "public" not in (cache_control or "") and not (
            cache_control == NEVER_CACHE and "Expires" in response  # @never_cache did it
        ):
            add_never_cache_headers(response)
        return response


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _never_cache_fresh(response) -> None:
    """What add_never_cache_headers writes on a response without either header, without
    parsing and rebuilding an empty Cache-Control (most pages come here)."""
    response["Expires"] = _now_http_date()
    response["Cache-Control"] = NEVER_CACHE


_http_date_now: tuple[int, str] = (-1, "")  # a second, and http_date() during it


def _now_http_date() -> str:
    """``http_date()``: the time to the second, formatted once a second."""
    global _http_date_now
    second = int(time.time())
    known = _http_date_now
    if known[0] != second:
        known = _http_date_now = (second, http_date(second))
    return known[1]


def never_cache(view_func):
    """Django's @never_cache for a sync view, the same headers written as NoStoreMiddleware
    writes them on a fresh response (Django's parses and rebuilds Cache-Control twice: a tenth
    of a wizard step GET's own time)."""

    @functools.wraps(view_func)
    def _view_wrapper(request, *args, **kwargs):
        response = view_func(request, *args, **kwargs)
        if "Cache-Control" not in response and "Expires" not in response:
            _never_cache_fresh(response)
        else:
            add_never_cache_headers(response)
        return response

    return _view_wrapper


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once instead of per response.

    django-csp builds the header string from CONTENT_SECURITY_POLICY twice a response (the
    policy and the report-only one): a tenth of the landing page's time. A response that asks
    for nothing of its own (no nonce taken, no @csp_update / @csp_replace / @csp_exempt) gets
    the same string every time, so it is built once for each value of the settings. Anything
    else goes through django-csp unchanged: a nonce, when a page takes one, is still new for
    every request and written into that response's header.
    """

    # What django-csp's decorators set on a response (instance attributes).
    _PER_RESPONSE = frozenset((
        "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
        "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
    ))  # fmt: skip

    # (policy, report-only policy, their two headers, whether either excludes URL prefixes),
    # for the settings' values of the two policies (compared by identity).
    _built = (None, None, "", "", False)

    def _policies(self) -> tuple:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = self._built
        if built[0] is not policy or built[1] is not report_only:
            excludes = any((p or {}).get("EXCLUDE_URL_PREFIXES") for p in (policy, report_only))
            built = (policy, report_only, build_policy(), build_policy(report_only=True), excludes)
            self._built = built
        return built

    def _simple(self, request, response, built) -> bool:
        if getattr(request, "_csp_nonce", None) is not None:
            return False
        if not self._PER_RESPONSE.isdisjoint(vars(response)):
            return False
        if HEADER in response or HEADER_REPORT_ONLY in response:
            return False
        if settings.DEBUG and response.status_code in (500, 404):
            return False  # django-csp leaves Django's debug pages alone
        return not built[4]  # django-csp checks excluded prefixes

    def process_response(self, request, response):
        built = self._policies()
        if not self._simple(request, response, built):
            return super().process_response(request, response)
        if built[2]:
            response[HEADER] = built[2]
        if built[3]:
            response[HEADER_REPORT_ONLY] = built[3]
        # As django-csp does: a nonce asked for after the header is written is an error. The
        # object is never evaluated (it raises), so one serves every response.
        request.csp_nonce = _NONCE_AFTER_RESPONSE
        return response


_NONCE_AFTER_RESPONSE = CheckableLazyObject(CSPMiddleware._csp_nonce_post_response)


class PatientSessionMiddleware:
    """A patient's session (anyone not signed in who has session data) lives in a cookie
    that ends when the browser closes, and ends on the server after PATIENT_IDLE_TIMEOUT
    seconds without a request: the next person at a shared phone does not find the draft.
    The draft itself stays in the database; its private resume link opens it again.

    Staff share the session framework but keep their own rules (StaffSessionTimeoutMiddleware:
    a persistent cookie, 15 minutes idle, 12 hours in all): on sign-in the patient markers go.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = int(time.time())
        if not signed_in(request):
            seen = session.get(PATIENT_SEEN_KEY)
            if seen is not None and now - int(seen) > settings.PATIENT_IDLE_TIMEOUT:
                had_draft = "intake_draft" in session
                session.flush()
                if had_draft:
                    messages.info(request, PATIENT_IDLE_ENDED)
        response = self.get_response(request)
        if response.status_code >= 500:
            return response  # nothing is saved then (and the database may be down)
        if signed_in(request):
            if PATIENT_SEEN_KEY in session or EXPIRY_KEY in session:
                session.pop(PATIENT_SEEN_KEY, None)
                session.set_expiry(None)  # back to SESSION_COOKIE_AGE
        elif (
            not session.is_empty()
            and session.keys()
            and (changes := patient_activity(session, now))
        ):
            session.update(changes)  # (set_expiry(0), a browser-session cookie, is one)
        return response


def patient_activity(data, now: int) -> dict:
    """What PatientSessionMiddleware writes into a patient's session after a request, at
    ``now`` (seconds): a browser-session cookie, and the activity clock when it is a minute
    old. A view that writes the session itself (the final submit: intake.sessions' rider)
    writes these too, and the middleware then finds nothing to change."""
    changes = {}
    if data.get(EXPIRY_KEY) != 0:
        changes[EXPIRY_KEY] = 0
    seen = data.get(PATIENT_SEEN_KEY)
    if seen is None or now - int(seen) >= REFRESH_AFTER:
        changes[PATIENT_SEEN_KEY] = now
    return changes


# Paths whose pages are for staff: always English, whatever the browser asks for.
STAFF_PREFIXES = ("/staff/", "/admin/")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, with the staff pages' English in it: staff pages and the admin
    stay English (only the patient side is translated), whatever the cookie or Accept-Language
    say, so they skip the choosing (it was a middleware of its own, which activated English
    again after this one had picked a language).

    Without i18n_patterns in the URLconf (there are none), Django's middleware finds no
    language in the path and redirects no 404; this does the rest of its work: the language
    from the cookie or Accept-Language, ``request.LANGUAGE_CODE``, ``Vary: Accept-Language``
    and Content-Language. With i18n_patterns it is Django's, English for staff after it.
    """

    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        staff = request.path_info.startswith(STAFF_PREFIXES)
        if is_language_prefix_patterns_used(urlconf)[0]:
            super().process_request(request)
            if staff:
                translation.activate(settings.LANGUAGE_CODE)
                request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        if staff:
            language = settings.LANGUAGE_CODE
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.to_language(language)  # what get_language() says

    def process_response(self, request, response):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_language_prefix_patterns_used(urlconf)[0]:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the MESSAGE_STORAGE class imported once (Django imports it by name on
    every request), again only when the setting names another."""

    _storage = (None, None)

    def process_request(self, request):
        name = settings.MESSAGE_STORAGE
        storage = self._storage
        if storage[0] != name:
            storage = self._storage = (name, import_string(name))
        request._messages = storage[1](request)
