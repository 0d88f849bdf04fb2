"""Site-wide pages: the landing page, the privacy notice, the health check and error pages."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from intake.outage import detach_from_database, is_database_outage, outage_response

logger = logging.getLogger(__name__)


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: in production the hashed name exists only after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The exception text can carry connection details: log only its type.
        logger.error("healthz: database unreachable")
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


def bad_request(request, exception=None):
    if isinstance(exception, TooManyFilesSent | RequestDataTooBig):
        # A file sent to a form that takes none, or too much form data: say so kindly.
        from intake.middleware import too_large

        return too_large(request, status=400, files=isinstance(exception, TooManyFilesSent))
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Called while Django handles the exception: sys.exc_info() is the one that got here.
    if is_database_outage(sys.exc_info()[1]):
        return outage_response(request)
    detach_from_database(request)  # a 500 page must not fail on the session in turn
    return render(request, "errors/500.html", status=500)
