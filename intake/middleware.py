import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "_last_activity"


class StaffSessionTimeoutMiddleware:
    """Ends a signed-in staff session after STAFF_IDLE_TIMEOUT seconds without a request.

    The last-activity time lives in the session (the database), so it holds across app
    instances. Patients have no login and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                login_url = reverse(settings.LOGIN_URL)
                return redirect(f"{login_url}?timeout=1")
            request.session[SESSION_KEY] = now
        return self.get_response(request)
