"""The patient intake's pages. Thin: find the draft, run the step's form, call a service, redirect.

Where a person may go is decided in steps.py; what is stored and submitted, in
services/drafts.py (``draft_submit``); what is routed, from intake.draft_document. URLs carry
step ids only, never an answer, and the confirmation page finds its intake through the session,
not the URL.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from intake import catalog, validators
from intake.draft_document import chosen_substances
from intake.http import client_ip
from intake.middleware import never_cache as fast_never_cache
from intake.middleware import patient_activity
from intake.models import Draft
from intake.schema import DocumentError
from intake.selectors import intake_for_confirmation
from intake.services.drafts import (
    draft_create,
    draft_for_session,
    draft_is_expired,
    draft_save_step,
    draft_submit,
)
from intake.services.throttle import ThrottleResult, throttle_hit
from intake.sessions import DRAFT_KEY

from . import steps
from .consent import (
    CONSENT_VERSION,
    DISCLOSURE_INFORMATION,
    DISCLOSURE_PURPOSE,
    disclosure_expires,
    disclosure_recipient,
)
from .emergency import Emergency, emergency_for
from .field_html import render_sections
from .forms import ConsentForm, StartForm
from .frame import framed, marker, safe_marker
from .step_sections import sections_html
from .summary import summary_html
from .versions import per_version

logger = logging.getLogger(__name__)

SESSION_DRAFT = DRAFT_KEY
SESSION_TOKEN = "intake_token"  # noqa: S105 - a session key name, not a secret
SESSION_SEEN = "intake_emergency_seen"
SESSION_AFTER_EMERGENCY = "intake_after_emergency"
SESSION_DONE = "intake_done"
# Answers typed on a page but not yet saved, kept across a switch of language (see below).
SESSION_UNSAVED = "intake_unsaved"


# --- helpers ------------------------------------------------------------------------------------


def bind_draft(request: HttpRequest, draft: Draft, token: str) -> None:
    """Tie this browser to ``draft``; a different draft starts with no emergency seen."""
    if request.session.get(SESSION_DRAFT) != str(draft.pk):
        request.session.pop(SESSION_SEEN, None)
        request.session.pop(SESSION_AFTER_EMERGENCY, None)
    request.session[SESSION_DRAFT] = str(draft.pk)
    request.session[SESSION_TOKEN] = token


def session_draft(request: HttpRequest) -> Draft | None:
    """This browser's draft: a submitted one stays (to replay the confirmation), an expired
    unsubmitted one is gone. Read with the session when its query could (intake.sessions)."""
    draft_id = request.session.get(SESSION_DRAFT)
    read, draft = request.session.draft_read(draft_id)
    if not read:
        draft = draft_for_session(draft_id=draft_id)
    if draft is None or (draft.submitted_intake_id is None and draft_is_expired(draft)):
        return None
    return draft


def show_confirmation(request: HttpRequest, draft: Draft) -> HttpResponse:
    """The confirmation of the session's draft, submitted: done() finds its intake through
    the draft (nothing to write in the session)."""
    return HttpResponseRedirect(steps.url_of("intake:done"))


def throttled(request: HttpRequest, result: ThrottleResult) -> HttpResponse:
    response = render(request, "intake/throttled.html", status=429)
    response["Retry-After"] = str(result.retry_after)
    return response


def refused(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/refused.html", {"message": validators.NOT_ACCEPTED}, status=400)


def switched_language(request: HttpRequest, step_id: str) -> HttpResponse | None:
    """The language switch pressed on a step page (intake.js posts the step's form with
    ``language``): keep what was typed, unsaved and unchecked, and show the same step again in
    the other language. Returns None when the POST is an ordinary answer."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return None
    typed = {key: values for key, values in request.POST.lists()
             if key not in ("csrfmiddlewaretoken", "language")}  # fmt: skip
    request.session[SESSION_UNSAVED] = {"step": step_id, "data": typed}
    response = redirect(request.get_full_path())
    remember_language(response, code)
    return response


def remember_language(response: HttpResponse, code: str) -> None:
    """Set the language cookie as Django's set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def unsaved_data(request: HttpRequest, step_id: str) -> MultiValueDict | None:
    """What was typed on ``step_id`` before a switch of language, once."""
    unsaved = request.session.pop(SESSION_UNSAVED, None)
    if not unsaved or unsaved.get("step") != step_id:
        return None
    return MultiValueDict(unsaved["data"])


def unchecked(form):
    """A form filled with typed answers, shown without checking them: nothing was sent yet."""
    form._errors = ErrorDict()
    return form


def _back_url(previous: steps.Step | None, from_review: bool) -> str:
    if from_review:  # came from a "change" link: Back returns there
        return steps.get_step(steps.REVIEW).url
    return previous.url if previous else reverse("intake:start")


def _ready_to_send(answers: dict, completed: list[str]) -> bool:
    return steps.can_open(steps.get_step(steps.REVIEW), answers, completed)


def _still_ready(checked: Draft):
    """The submit's readiness test, for answers read again under the draft's lock: the answers
    ``step()`` already found ready (``can_open`` is a pure function of them) pass at once;
    answers another tab changed meanwhile are checked again."""
    answers, completed = checked.answers, checked.completed_steps

    def is_ready(locked_answers: dict, locked_completed: list[str]) -> bool:
        if locked_answers == answers and locked_completed == completed:
            return True
        return _ready_to_send(locked_answers, locked_completed)

    return is_ready


def _progress(step: steps.Step) -> dict:
    return {"topic": step.topic, "topics": steps.TOPICS}


# --- pages ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The welcome page; its button (a POST, so link previews never create drafts) begins."""
    draft = session_draft(request)
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_robot():
            return refused(request)
        result = throttle_hit(scope="draft", ident=client_ip(request),
                              limit=settings.INTAKE_THROTTLE_PER_HOUR)  # fmt: skip
        if not result.allowed:
            return throttled(request, result)
        draft, token = draft_create()
        bind_draft(request, draft, token)
        return redirect(steps.STEPS[0].url)
    resume_step = None
    if draft is not None and draft.submitted_intake_id is None:
        resume_step = steps.first_unfinished(draft.answers, draft.completed_steps)
    context = {"form": StartForm(), "resume_step": resume_step, "ttl_days": settings.DRAFT_TTL.days}
    return render(request, "intake/start.html", context)


@fast_never_cache  # Django's headers, written faster
@sensitive_post_parameters()  # answers never appear in an error report
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, step_id: str) -> HttpResponse:
    current = steps.get_step(step_id)
    if current is None:
        raise Http404
    draft = session_draft(request)
    if draft is None:
        return redirect("intake:start")
    if draft.submitted_intake_id:
        return show_confirmation(request, draft)
    answers, completed = draft.answers, draft.completed_steps
    flow = per_version(draft, "flow", partial(steps.flow, answers, completed))
    if not flow.can_open(current):
        return redirect(flow.first_unfinished().url)
    from_review = request.GET.get("review") == "1"
    if current.id == steps.REVIEW:
        if request.method == "POST" and (switched := switched_language(request, current.id)):
            return switched
        return _review(request, draft, current)

    if request.method == "POST" and (switched := switched_language(request, current.id)):
        return switched
    sections = None
    if request.method == "POST":
        form = current.make_form(answers, data=request.POST)
        if form.is_valid():
            draft = draft_save_step(draft_id=draft.pk, step_id=current.id,
                                    data=form.to_answers())  # fmt: skip
            target = steps.after_save(current, draft.answers, draft.completed_steps,
                                      from_review=from_review)  # fmt: skip
            emergency = per_version(draft, "emergency", partial(emergency_for, draft.answers))
            seen = set(request.session.get(SESSION_SEEN, []))
            if emergency is not None and not emergency.items <= seen:
                request.session[SESSION_SEEN] = sorted(seen | emergency.items)
                request.session[SESSION_AFTER_EMERGENCY] = target.id
                return redirect("intake:help_now")
            return redirect(target.url)
    elif (typed := unsaved_data(request, current.id)) is not None:
        form = unchecked(current.make_form(answers, data=typed))
    elif (sections := sections_html(current, answers)) is not None:
        # The stored answers, without a form (step_sections.py); the form only if asked for
        # (a page with messages renders through its template; the test client's context).
        form = SimpleLazyObject(partial(current.make_form, answers))
    else:
        form = current.make_form(answers)
    form_shown = sections is None  # the questions from the form, errors and all
    if form_shown:
        sections = render_sections(form)
    previous = flow.previous_step(current)
    emergency = per_version(draft, "emergency", partial(emergency_for, answers))
    context = {
        "step": current,
        "form": form,
        "sections": sections,
        "progress": _progress(current),
        "back_url": _back_url(previous, from_review),
        "from_review": from_review,
        "emergency": emergency,
    }
    if form_shown and form.errors:  # the error summary and title: through the template
        return render(request, current.template, context)
    key = (current.id, from_review, _emergency_key(emergency))
    slots = {"sections": context["sections"], "back_url": context["back_url"]}
    return framed(request, current.template, context, key=key, build=_step_frame, slots=slots)


def _emergency_key(emergency) -> tuple[bool, bool] | None:
    """What the emergency alert shows: whether to call 911 first, and 988."""
    return None if emergency is None else (emergency.medical, emergency.suicide_risk)


def _emergency_shown(key: tuple[bool, bool] | None) -> Emergency | None:
    """An emergency as the alert shows it, without what made it one (the frame keeps no
    answer)."""
    if key is None:
        return None
    return Emergency(medical=key[0], suicide_risk=key[1], items=frozenset())


class _NoErrors:
    """The form as a frame sees it: no errors (a page with errors renders in full), no answer."""

    @property
    def errors(self) -> dict:
        return {}


def _step_frame(key) -> dict:
    step_id, from_review, emergency = key
    current = steps.get_step(step_id)
    return {
        "step": current,
        "form": _NoErrors(),
        "sections": safe_marker("sections"),
        "progress": _progress(current),
        "back_url": marker("back_url"),
        "from_review": from_review,
        "emergency": _emergency_shown(emergency),
    }


def _review(request: HttpRequest, draft: Draft, current: steps.Step) -> HttpResponse:
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    typed = unsaved_data(request, current.id) if data is None else None
    if data is None and typed is None:
        # The empty form is in the page's frame: built only should the page render through
        # its template (messages to show; under tests, for the context the client reads).
        form = SimpleLazyObject(_empty_consent_form)
    else:
        form = ConsentForm(data if data is not None else typed, center=settings.CENTER_NAME)
    if typed is not None:
        unchecked(form)
    if request.method == "POST":
        if form.is_robot():
            return refused(request)
        if form.is_valid():
            note = request.session.rider(_noting_the_intake(request))
            try:
                intake_id = draft_submit(
                    draft_id=draft.pk,
                    consent=form.consent_data(signed_on=today),
                    is_ready=_still_ready(draft),
                    language=request.LANGUAGE_CODE,
                    rider=note,
                    seen=draft,  # as read with the session: unchanged, stored in one statement
                )
            except DocumentError as error:
                # The messages quote answers: log only how many problems there were.
                logger.error("a complete draft gave an invalid document (%d problems)",
                             len(error.messages))  # fmt: skip
                form.add_error(None, validators.NOT_ACCEPTED)
            else:
                if intake_id is None:  # another tab changed the answers: go where it left off
                    return redirect(current.url)
                if not request.session.rider_written(note):
                    request.session[SESSION_DONE] = intake_id
                return HttpResponseRedirect(steps.url_of("intake:done"))
    minor = validators.is_minor(draft.answers.get("about", {}).get("date_of_birth"))
    # The version's emergency: worked out by the POST that saved it (versions.py).
    emergency = per_version(draft, "emergency", partial(emergency_for, draft.answers))
    previous = steps.previous_step(current, draft.answers)
    context = {
        **_review_fixed(form, today),
        # The step before the review, by id: the frame shows its link (no reverse a request).
        "back_url": reverse_lazy("intake:step", args=[previous.id]),
        "summary": summary_html(draft.answers),
        "minor": minor,
        "emergency": emergency,
    }
    if data is not None or typed is not None:  # answers typed or checked: through the template
        return render(request, current.template, context)
    key = (minor, _emergency_key(emergency), today, previous.id)
    slots = {"summary": context["summary"]}
    return framed(request, current.template, context, key=key, build=_review_frame, slots=slots)


def _noting_the_intake(request: HttpRequest):
    """The session's changes once the submit stored its intake, written in the statement
    that stores it (PostgreSQL; intake.sessions' rider) rather than by an UPDATE and a commit
    of their own after the view: the intake for the confirmation page, and for a patient what
    PatientSessionMiddleware would write after the view (which then finds nothing to do)."""

    def changes(intake_id: int | None) -> dict:
        # Without the id (the statement takes it: draft_submit's ``seen``), the confirmation
        # finds the intake through the session's draft, which is marked submitted with it.
        noted = {} if intake_id is None else {SESSION_DONE: intake_id}
        if not request.user.is_authenticated:
            noted.update(patient_activity(request.session, int(time.time())))
        return noted

    return changes


def _empty_consent_form() -> ConsentForm:
    return ConsentForm(center=settings.CENTER_NAME)


def _review_fixed(form: ConsentForm, today) -> dict:
    """The review page's context that is the same for everyone on ``today``."""
    current = steps.get_step(steps.REVIEW)
    return {
        "step": current,
        "form": form,
        "progress": _progress(current),
        "consent_version": CONSENT_VERSION,
        "disclosure": {
            "recipient": disclosure_recipient(),
            "purpose": DISCLOSURE_PURPOSE,
            "information": DISCLOSURE_INFORMATION,
            "expires": disclosure_expires(today),
        },
        "today": today,
    }


def _review_frame(key) -> dict:
    """The review page before any consent is typed: the empty consent form is the same for
    everyone with the key; the summary is each person's own."""
    minor, emergency, today, previous_id = key
    return {
        **_review_fixed(ConsentForm(center=settings.CENTER_NAME), today),
        "summary": safe_marker("summary"),
        "back_url": steps.get_step(previous_id).url,
        "minor": minor,
        "emergency": _emergency_shown(emergency),
    }


@never_cache
@require_safe
def help_now(request: HttpRequest) -> HttpResponse:
    """The emergency page. Safe to open at any time: it only gives the numbers to call."""
    draft = session_draft(request)
    emergency, continue_url = None, reverse("intake:start")
    if draft is not None and not draft.submitted_intake_id:
        emergency = emergency_for(draft.answers)
        answers, completed = draft.answers, draft.completed_steps
        target = steps.get_step(request.session.get(SESSION_AFTER_EMERGENCY, ""))
        if target is None or not steps.can_open(target, answers, completed):
            target = steps.first_unfinished(answers, completed)
        continue_url = target.url
    depressants = bool(
        draft is not None
        and not draft.submitted_intake_id
        and set(chosen_substances(draft.answers)) & catalog.CNS_DEPRESSANTS
    )
    return render(request, "intake/emergency.html",
                  {"emergency": emergency, "continue_url": continue_url,
                   "depressants": depressants})  # fmt: skip


@never_cache
@require_safe
def done(request: HttpRequest) -> HttpResponse:
    """The confirmation: reference code and next steps only, never an answer."""
    draft = session_draft(request)  # read with the session
    if draft is not None and draft.submitted_intake_id:
        intake_id = draft.submitted_intake_id
    else:  # the session's draft is gone, or a new one has begun since
        intake_id = request.session.get(SESSION_DONE)
    intake = intake_for_confirmation(intake_id=intake_id)
    if intake is None:
        return redirect("intake:start")
    return render(request, "intake/done.html",
                  {"intake": intake, "stopping_risk": intake.stopping_risk,
                   "minor": intake.is_minor})  # fmt: skip
