"""Who may open what on the staff side.

A role that needs a second factor reaches no staff view until it is given (second_factor.py).

Anonymous visitors are sent to the login page; signed-in users without the permission get 403
(never a login loop). Roles are groups with permissions (migration 0002), so every check here
is a permission, never a group name.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from intake.models import Intake
from intake.references import normalise_reference

from . import selectors
from .second_factor import second_factor_missing, second_factor_redirect

WORK_QUEUE = "intake.work_queue"
REVIEW_TRACK = "intake.review_track"
EXPORT = "intake.export_intakes"
OVERVIEW = "intake.view_overview"


def staff_required(*perms: str):
    """Login required (redirect), then every one of ``perms`` (403). The view layer's one
    permission check: what the view then calls does not ask again."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # SecondFactorMiddleware already sends these away; this holds without it too.
            if second_factor_missing(request):
                return second_factor_redirect(request)
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_intake_for_user(request, reference: str) -> Intake:
    """The intake behind ``reference`` with what its page shows (404 if there is none). Only
    for views behind ``staff_required``, which has checked the permission."""
    code = normalise_reference(reference)
    if code is None:
        raise Http404
    intake = selectors.intake_for_page(reference=code)
    if intake is None:
        raise Http404
    return intake
