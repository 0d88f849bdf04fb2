import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
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
