"""One intake: its page (/staff/intake/<reference>/) and the actions posted from it.

Every action form carries the version the page was rendered from. A post from a stale page is
not saved: the page comes back (409) saying who changed what since, with the user's input kept
and its version brought up to date, so one more click saves it knowingly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as forms_module
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from intake import followup
from intake.choices import Track
from intake.http import who_acted
from intake.models import AuditEvent, Intake
from intake.selectors import intake_events_since
from intake.services import followup as followup_services
from intake.services import staff as staff_services
from intake.services.audit import audit_record
from intake.services.staff import IntakeConflict

from . import presenters, selectors
from .access import EXPORT, REVIEW_TRACK, WORK_QUEUE, get_intake_for_user, staff_required
from .answer_sections import answer_sections
from .forms import AssignForm, ContactForm, NoteForm, ReviewForm, StatusForm, VersionedForm


def _consent(intake: Intake):
    try:
        return intake.consent
    except ObjectDoesNotExist:
        return None


def intake_context(intake: Intake, *, attempts: list | None = None) -> dict:
    """What both the page and the print view show (no forms, no timeline); ``attempts``: the
    contact attempts, when they have been read."""
    decision = intake.current_decision
    return {
        "intake": intake,
        "due": followup.due(due_at=intake.contact_due_at, now=timezone.now()),
        "attempts": selectors.contact_attempts(intake=intake) if attempts is None else attempts,
        "badges": presenters.badges(intake),
        "track_state": presenters.track_state(intake),
        "decision": decision,
        "engine_track": Track(decision.track).label if decision else "",
        "next_step": Track(decision.next_step).label if decision and decision.next_step else "",
        "flags": presenters.flag_rows(decision),
        "rules": presenters.rule_rows(decision),
        "scores": presenters.score_rows(decision),
        "missing": presenters.missing_labels(decision, intake),
        "sections": answer_sections(intake),
        "consent": _consent(intake),
    }


# Where a form's errors that belong to no one field send the user: the form's own heading.
FORM_ANCHORS = {
    "contact": "contact-attempt-heading",
    "assign": "assign-heading",
    "status": "status-heading",
    "review": "review-heading",
    "note": "note-heading",
}


def error_links(forms) -> list[tuple[str, str, str]]:
    """(anchor, field label, message) for every error of the bound forms, for the summary at
    the top of the page: each link takes the user to the field to fix."""
    links = []
    for form in forms:
        if form.is_bound and form.errors:
            for name, errors in form.errors.items():
                if name in form.fields and not form.fields[name].widget.is_hidden:
                    field = form[name]
                    anchor = field.id_for_label or field.auto_id
                    label = str(field.label)
                    if isinstance(field.field.widget, forms_module.RadioSelect):
                        anchor = f"{field.auto_id}_0"
                else:
                    anchor, label = FORM_ANCHORS.get(form.prefix, "actions"), ""
                for message in errors:
                    links.append((anchor, label, message))
    return links


def timeline_items(events) -> list[dict]:
    """The timeline's lines, people named by their full names as everywhere else."""
    return presenters.timeline(events, selectors.display_names(events))


def _render_page(
    request: HttpRequest,
    intake: Intake,
    *,
    status: int = 200,
    bound: dict[str, VersionedForm] | None = None,
    conflict: IntakeConflict | None = None,
) -> HttpResponse:
    can_review = request.user.has_perm(REVIEW_TRACK)
    forms = {name: cls(intake=intake) for name, cls in PAGE_FORMS.items()}
    forms.update(bound or {})
    reads = selectors.intake_page_reads(intake=intake)
    forms["assign"].list_staff(reads.staff)
    latest_review = reads.latest_review
    current_review = (
        latest_review
        if latest_review is not None
        and intake.track_confirmed
        and latest_review.decision_id == intake.current_decision_id
        else None
    )
    if not can_review:
        # A coordinator sees the review, not the means to change it.
        forms.pop("review")
    context = {
        **intake_context(intake, attempts=reads.attempts),
        "forms": forms,
        "error_links": error_links((bound or {}).values()),
        "can_review": can_review,
        "can_print": request.user.has_perm(EXPORT),
        "latest_review": latest_review,
        # A review of the current decision: the form then offers what is left to do.
        "reviewed_confirm": current_review is not None and current_review.action == "confirm",
        "reviewed_override": current_review is not None and current_review.action == "override",
        "timeline": timeline_items(reads.timeline),
        "conflict": conflict,
        "conflict_events": timeline_items(conflict.events) if conflict else [],
        "alerts": reads.alerts,
    }
    # Every staff read of an intake is on the record (who, which intake, from where).
    audit_record(action=AuditEvent.Action.VIEW, intake=intake, **who_acted(request))
    return render(request, "staff/intake_detail.html", context, status=status)


@require_safe
@staff_required(WORK_QUEUE)
def intake_detail(request: HttpRequest, reference: str) -> HttpResponse:
    intake = get_intake_for_user(request, reference)
    return _render_page(request, intake)


class Unchanged(Exception):
    """The posted form asks for what already is: nothing to save, and the user is told so."""


def _posted_version(request: HttpRequest, prefix: str) -> int | None:
    try:
        return int(request.POST.get(f"{prefix}-version", ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class Action:
    """One action posted from the intake page: its form, the service it calls with the form's
    cleaned data, what the user is told when it is saved, and the permissions it needs."""

    form: type[VersionedForm]
    perform: Callable[..., object]  # (intake=, data=, actor=, ip_address=) -> anything
    done: str
    perms: tuple[str, ...] = (WORK_QUEUE,)


def _change_status(*, intake: Intake, data: dict, **who) -> object:
    """The status the form names; the current one (the form's default) changes nothing."""
    if data["status"] == intake.status:
        raise Unchanged(
            gettext("The status stays “%(status)s”: nothing was changed.")
            % {"status": intake.get_status_display()}
        )
    return staff_services.intake_status_change(
        intake=intake, status=data["status"], expected_version=data["version"], **who
    )


def _log_contact(*, intake: Intake, data: dict, **who) -> object:
    """A contact attempt; the outcome's status change only if the user ticked it."""
    now = timezone.now()
    suggested = followup.suggested_status(
        outcome=data["outcome"],
        status=intake.status,
        reached_before=intake.first_reached_at is not None,
    )
    return followup_services.contact_attempt_add(
        intake=intake,
        expected_version=data["version"],
        channel=data["channel"],
        outcome=data["outcome"],
        note=data.get("note", ""),
        voicemail_reason=data.get("voicemail_reason", ""),
        next_due_at=followup.next_due_at(
            choice=data.get("next_attempt") or "4h", now=now, at=data.get("next_at")
        ),
        apply_status=suggested if data.get("confirm_status") else "",
        now=now,
        **who,
    )


# In the order the page shows their forms: logging a contact attempt comes first.
ACTIONS: dict[str, Action] = {
    "contact": Action(ContactForm, _log_contact, gettext_lazy("Contact attempt logged.")),
    "assign": Action(
        AssignForm,
        lambda *, intake, data, **who: staff_services.intake_assign(
            intake=intake, assignee=data["assignee"], expected_version=data["version"], **who
        ),
        gettext_lazy("Assignment saved."),
    ),
    "status": Action(
        StatusForm,
        _change_status,
        gettext_lazy("Status changed."),
    ),
    "review": Action(
        ReviewForm,
        lambda *, intake, data, **who: staff_services.intake_track_review(
            intake=intake,
            action=data["action"],
            track=data.get("track", ""),
            reason=data.get("reason", ""),
            expected_version=data["version"],
            **who,
        ),
        gettext_lazy("Track review saved."),
        perms=(WORK_QUEUE, REVIEW_TRACK),
    ),
    "note": Action(
        NoteForm,
        lambda *, intake, data, **who: staff_services.intake_note_add(
            intake=intake, text=data["text"], expected_version=data["version"], **who
        ),
        gettext_lazy("Note added."),
    ),
}


def _act(request: HttpRequest, reference: str, action: Action) -> HttpResponse:
    """Validate → service → redirect; a stale version → the page with the other changes."""
    intake = get_intake_for_user(request, reference)
    form = action.form(request.POST, intake=intake)
    try:
        version = _posted_version(request, form.prefix)
        if version is not None and version != intake.version:
            # Checked before the form: the other change may have made this input invalid
            # (a status no longer allowed), and the user should hear about the change first.
            raise IntakeConflict(
                intake=intake,
                expected_version=version,
                events=intake_events_since(intake_id=intake.pk, version=version),
            )
        if form.is_valid():
            try:
                action.perform(intake=intake, data=form.cleaned_data, **who_acted(request))
            except Unchanged as nothing:
                messages.info(request, str(nothing))
                return redirect("staff:intake", reference=intake.reference)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, str(action.done))
                return redirect("staff:intake", reference=intake.reference)
    except IntakeConflict as conflict:
        fresh = get_intake_for_user(request, reference)
        data = request.POST.copy()
        data[f"{form.prefix}-version"] = str(fresh.version)
        retry = action.form(data, intake=fresh)
        return _render_page(
            request, fresh, status=409, bound={form.prefix: retry}, conflict=conflict
        )
    return _render_page(request, intake, status=400, bound={form.prefix: form})


def _action_view(action: Action) -> Callable[[HttpRequest, str], HttpResponse]:
    @require_POST
    @sensitive_post_parameters()  # notes and reasons are health information
    @staff_required(*action.perms)
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        return _act(request, reference, action)

    return view


# One view per action (staff/urls.py routes /staff/intake/<reference>/<name>/ to each).
ACTION_VIEWS = {name: _action_view(action) for name, action in ACTIONS.items()}
PAGE_FORMS: dict[str, type[VersionedForm]] = {name: a.form for name, a in ACTIONS.items()}
