"""When the database does not answer: a 503 with Retry-After that loses nothing typed.

Django turns an exception anywhere (a middleware loading the session included) into a call of
the 500 handler, intake.views.server_error, which sends database failures here. A step that was
being posted comes back with what the person typed in its form (escaped like any form value),
so one more press of "Save and continue" sends it again once the database is back; any other
patient page says so with the crisis numbers; the staff side shows a clear 503. Nothing here
touches the database: the request's user and messages are detached from the session first.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def is_database_outage(exc: BaseException | None) -> bool:
    """A connection that failed or broke (also a pool timeout, a locked SQLite file)."""
    return isinstance(exc, OperationalError | InterfaceError)


def detach_from_database(request: HttpRequest) -> None:
    """So that rendering a page cannot reach the database again: no signed-in user (the nav
    would load the session), messages from the cookie only."""
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)


def outage_response(request: HttpRequest) -> HttpResponse:
    # The exception's text can carry connection details: its type only.
    logger.error("database unavailable while serving a request")
    detach_from_database(request)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    namespace = match.namespace if match else ""
    if namespace == "intake" and match.url_name == "step" and request.method == "POST":
        response = _step_again(request, match.kwargs.get("step_id", ""))
    elif namespace == "intake" or request.path_info.startswith("/intake/"):
        response = render(request, "intake/unavailable.html", status=503)
    else:
        response = render(request, "errors/503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _step_again(request: HttpRequest, step_id: str) -> HttpResponse:
    from intake.public import steps
    from intake.public.field_html import render_sections

    step = steps.get_step(step_id)
    if step is None or step.id == steps.REVIEW:
        return render(request, "intake/unavailable.html", status=503)
    posted = request.POST
    answers = step.form_class.answers_for_outage(posted)
    form = step.form_class(answers=answers)
    # Unbound, with what was posted as its initial values: shown as typed, no error messages
    # (the answers were never checked; they will be when sent again).
    for name, form_field in form.fields.items():
        if hasattr(form_field, "choices") and getattr(
            form_field.widget, "allow_multiple_selected", False
        ):
            form.initial[name] = posted.getlist(name)
        elif name in posted:
            form.initial[name] = posted.get(name)
    previous = steps.previous_step(step, answers) if step.applies(answers) else None
    context = {
        "step": step,
        "form": form,
        "sections": render_sections(form),
        "progress": {"topic": step.topic, "topics": steps.TOPICS},
        "back_url": previous.url if previous else "",
        "from_review": request.GET.get("review") == "1",
        "emergency": None,
        "outage": True,
    }
    return render(request, step.template, context, status=503)
