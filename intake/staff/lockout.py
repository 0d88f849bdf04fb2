"""Sign-in lockout (django-axes), per account and per address.

- An account is locked after AXES_FAILURE_LIMIT failed sign-ins from anywhere, and an address
  after AXES_FAILURE_LIMIT failed sign-ins on any accounts (AXES_LOCKOUT_PARAMETERS
  [["username"], ["ip_address"]]). Each lock lasts AXES_COOLOFF_TIME from the latest attempt;
  an administrator can lift it sooner in the admin (Access attempts: delete).
- A successful sign-in clears that account's own failures only (not AXES_RESET_ON_SUCCESS,
  which would also clear the address's count: someone with an account could then try
  passwords on other accounts without end, signing in to their own between tries).
- The lockout page says when to try again (429 with Retry-After).
"""

from __future__ import annotations

import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request) or datetime.timedelta(minutes=30)
    # The attempt that met the lock was just counted, so the lock runs from now.
    retry_at = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    response = render(
        request,
        "staff/locked_out.html",
        {"retry_at": retry_at, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


@receiver(user_logged_in, dispatch_uid="intake.staff.lockout.clear_own_failures")
def clear_own_failures(sender, request, user, **kwargs):
    AccessAttempt.objects.filter(username=user.get_username()).delete()
