import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse

SESSION_KEY = "_last_activity"
STARTED_KEY = "_signed_in_at"
# Refresh the activity clock at most once a minute: a session write per request buys nothing
# for a 15-minute timeout.
REFRESH_AFTER = 60


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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
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
    context = {"files": files, "limit_kib": settings.REQUEST_BODY_MAX // 1024}
    return render(request, "errors/413.html", context, status=status)
