"""The second factor (TOTP) for staff: who needs it, the check on every staff request, the
verification step after the password, and the page for a lost device.

- Clinicians, administrators, staff-status users (the admin site) and superusers must use a
  second factor; a coordinator may (once a coordinator has enrolled, the code is asked too).
- The password is the first step (staff:login, or the admin's own login page). Until the
  second step is done, SecondFactorMiddleware lets such a user reach only: the code page
  (staff:verify) if they have a device, else the enrolment page (two_factor:setup and its QR
  image); the lost-device page; and logging out. Every other /staff/ and /admin/ URL
  redirects there, so a password alone opens no page with patient data.
- Enrolment, the QR code (an SVG served by this app) and backup codes are django-two-factor-
  auth's views; tokens are checked by django-otp's devices, which throttle repeated failures.
- A lost device: an administrator resets the account's devices (admin action, or
  `manage.py reset_second_factor <username>`); the person enrols again at next sign-in.
"""

from __future__ import annotations

import re

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user
from django_otp.decorators import otp_required
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor import views as two_factor_views
from two_factor.forms import MethodForm
from two_factor.utils import get_otpauth_url

from intake.http import who_acted
from intake.models import AuditEvent
from intake.models.users import ADMINISTRATORS, CLINICIANS
from intake.services.audit import audit_record

REQUIRED_ROLES = (CLINICIANS, ADMINISTRATORS)
# The URL prefixes the second factor guards; the patient's side (/, /intake/) has no staff data.
GUARDED_PREFIXES = ("/staff/", "/admin/")


def role_requires_second_factor(user) -> bool:
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name__in=REQUIRED_ROLES).exists()


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def needs_second_factor(user) -> bool:
    """True if this signed-in user must pass a second factor before any staff page."""
    return role_requires_second_factor(user) or has_device(user)


def reset_devices(user) -> int:
    """Remove every second-factor device of ``user`` (lost phone); returns how many."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    return count


def second_factor_missing(request) -> bool:
    """True if the signed-in user must still give their second factor in this session.
    Verified sessions cost no query; the answer is kept on the request."""
    user = request.user
    # is_verified comes from OTPMiddleware; without it nothing counts as verified.
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    cached = getattr(request, "_second_factor_missing", None)
    if cached is None:
        cached = request._second_factor_missing = needs_second_factor(user)
    return cached


def second_factor_redirect(request):
    """Where a user who still owes the second factor goes: the code page, or enrolment."""
    enrolled = has_device(request.user)
    target = reverse("staff:verify") if enrolled else reverse("two_factor:setup")
    if request.method == "GET":
        target += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(target)


class SecondFactorMiddleware:
    """Sends a signed-in user who needs a second factor, and has not given it in this session,
    to the code page (enrolled) or the enrolment page (not yet). After OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def _open_paths(self) -> tuple[set[str], set[str]]:
        if self._open is None:
            always = {
                reverse("staff:verify"),
                reverse("staff:lost_device"),
                reverse("staff:logout"),
                reverse("staff:login"),
                reverse("admin:logout"),
            }
            enrolment = {reverse("two_factor:setup"), reverse("two_factor:qr")}
            self._open = (always, enrolment)
        return self._open

    def __call__(self, request):
        path = request.path_info
        if path.startswith(GUARDED_PREFIXES) and second_factor_missing(request):
            always, enrolment = self._open_paths()
            if path not in always and (path not in enrolment or has_device(request.user)):
                return second_factor_redirect(request)
        return self.get_response(request)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = re.sub(r"\s+", "", self.cleaned_data["code"]).lower()
        if re.fullmatch(r"\d{6}", code):
            candidates = TOTPDevice.objects.devices_for_user(self.user, confirmed=True)
        else:
            candidates = StaticDevice.objects.devices_for_user(self.user, confirmed=True)
        for device in candidates:
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                raise forms.ValidationError(
                    _("Too many wrong codes. Wait a minute, then try the newest code."),
                    code="throttled",
                )
            if device.verify_token(code):
                self.device = device
                return code
        raise forms.ValidationError(
            _("That code did not work. Check your app's newest code and try again."),
            code="invalid",
        )


def _next_url(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    """The second step of signing in: a code from the authenticator app or a backup code."""
    user = request.user
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_device(user):
        return redirect("two_factor:setup")
    form = VerifyForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            django_otp.login(request, form.device)
            # A new session key now that the session holds more: no fixation across the step.
            request.session.cycle_key()
            kind = "backup code" if isinstance(form.device, StaticDevice) else "authenticator"
            audit_record(
                action=AuditEvent.Action.LOGIN,
                **who_acted(request),
                detail=f"second factor: {kind}",
            )
            return redirect(_next_url(request))
        audit_record(
            action=AuditEvent.Action.LOGIN_FAILED,
            **who_acted(request),
            detail="second factor: wrong code",
        )
    return render(request, "staff/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
def lost_device(request):
    """What to do when the phone with the authenticator app is lost, broken or replaced."""
    return render(request, "staff/lost_device.html")


# --- enrolment: django-two-factor-auth's wizard, with this center's name as the issuer ------


def _issuer() -> str:
    return settings.OTP_TOTP_ISSUER


class SetupView(two_factor_views.SetupView):
    """Enrolment: straight to the QR code (the only method is an authenticator app)."""

    form_list = (("method", MethodForm),)

    def get_success_url(self):
        url = reverse("two_factor:setup_complete")
        target = self.get_redirect_url()
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: target})}" if target else url

    def get_form(self, step=None, **kwargs):
        form = super().get_form(step=step, **kwargs)
        if "token" in form.fields:
            form.fields["token"].label = _("6-digit code")
        return form

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if "secret_key" in context:
            context["issuer"] = _issuer()
            context["otpauth_url"] = get_otpauth_url(
                self.request.user.get_username(), context["secret_key"], _issuer()
            )
        context["next"] = self.get_redirect_url()
        return context

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        audit_record(
            action=AuditEvent.Action.LOGIN,
            **who_acted(self.request),
            detail="second factor: enrolled an authenticator app",
        )
        return response


class QRGeneratorView(two_factor_views.QRGeneratorView):
    def get_issuer(self):
        return _issuer()


BACKUP_CODES = 10


@never_cache
@otp_required
def setup_complete(request):
    """Enrolled: here are the backup codes (made once, now), then on to where they were going."""
    device, _ = StaticDevice.objects.get_or_create(user=request.user, name="backup")
    codes = []
    if not device.token_set.exists():
        for _i in range(BACKUP_CODES):
            codes.append(device.token_set.create(token=StaticToken.random_token()).token)
    return render(
        request, "staff/setup_complete.html", {"codes": codes, "next": _next_url(request)}
    )
