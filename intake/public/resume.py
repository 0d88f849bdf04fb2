"""Save and come back: the private resume link, and forgetting a shared device."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from intake.http import client_ip
from intake.services.drafts import draft_for_token, draft_is_expired, resume_url
from intake.services.throttle import throttle_hit

from . import steps
from .forms import EmailLinkForm
from .resume_email import resume_link_email
from .views import (
    SESSION_DRAFT,
    SESSION_TOKEN,
    bind_draft,
    refused,
    session_draft,
    show_confirmation,
    throttled,
)

EMAILED = _("We sent the link. If it does not arrive in a few minutes, check your spam folder.")
NOT_EMAILED = _("We could not send the e-mail just now. Please copy the link instead.")
FORGOTTEN = _("This device no longer has your answers. Your private link still works.")


@never_cache
@require_safe
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """Open a draft from its link, in any browser. Every attempt counts towards the throttle,
    so guessing tokens from one address stops quickly (they are 256-bit anyway)."""
    result = throttle_hit(scope="resume", ident=client_ip(request),
                          limit=settings.RESUME_THROTTLE_PER_HOUR)  # fmt: skip
    if not result.allowed:
        return throttled(request, result)
    draft = draft_for_token(token=token)
    if draft is None:
        return render(request, "intake/link_invalid.html", {"expired": False}, status=404)
    if draft_is_expired(draft):
        return render(request, "intake/link_invalid.html", {"expired": True}, status=410)
    bind_draft(request, draft, token)
    if draft.submitted_intake_id:
        # The answers are gone from the draft; only the confirmation can be shown again.
        return show_confirmation(request, draft)
    return redirect(steps.first_unfinished(draft.answers, draft.completed_steps).url)


@never_cache
@require_safe
def save(request: HttpRequest) -> HttpResponse:
    """Show this draft's private link, to finish later on any device."""
    draft = session_draft(request)
    token = request.session.get(SESSION_TOKEN)
    if draft is None or draft.submitted_intake_id or not token:
        return redirect("intake:start")
    return _save_page(request, draft, token, email_form=EmailLinkForm())


def _save_page(request, draft, token, *, email_form, status=200) -> HttpResponse:
    link = request.build_absolute_uri(resume_url(token))
    next_step = steps.first_unfinished(draft.answers, draft.completed_steps)
    return render(
        request,
        "intake/save.html",
        {"link": link, "expires_at": draft.expires_at, "next_step": next_step,
         "ttl_days": settings.DRAFT_TTL.days, "email_form": email_form},
        status=status,
    )  # fmt: skip


@never_cache
@sensitive_post_parameters("email")
@require_POST
def email_link(request: HttpRequest) -> HttpResponse:
    """Send this draft's private link to the address given (throttled like the other public
    actions). The address is not stored or logged."""
    draft = session_draft(request)
    token = request.session.get(SESSION_TOKEN)
    if draft is None or draft.submitted_intake_id or not token:
        return redirect("intake:start")
    form = EmailLinkForm(request.POST)
    if form.is_robot():
        return refused(request)
    if form.is_valid():
        result = throttle_hit(scope="resume-email", ident=client_ip(request),
                              limit=settings.RESUME_EMAIL_THROTTLE_PER_HOUR)  # fmt: skip
        if not result.allowed:
            return throttled(request, result)
        link = request.build_absolute_uri(resume_url(token))
        if resume_link_email(address=form.cleaned_data["email"], link=link,
                             language=get_language()):  # fmt: skip
            messages.success(request, EMAILED)
            return redirect("intake:save")
        form.add_error(None, NOT_EMAILED)
    return _save_page(request, draft, token, email_form=form, status=400)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    """For a shared phone or computer: this browser lets go of the draft (the link still works)."""
    had_draft = SESSION_DRAFT in request.session
    request.session.flush()
    if had_draft:
        messages.info(request, FORGOTTEN)
    return redirect("landing")
