"""The intake page's action forms. Each carries the version of the intake it was rendered
from, so that a save over someone else's change is refused (see intake/services/staff.py)."""

from __future__ import annotations

import functools

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from intake import validators
from intake.choices import STATUS_TRANSITIONS, Status, Track
from intake.models import ContactAttempt, Intake, TrackReview
from intake.services.followup import ERRORS as CONTACT_ERRORS
from intake.services.staff import ERRORS

from . import selectors
from .field_html import FieldsHtml

LINE_BREAKS_AND_TABS = str.maketrans("", "", "\r\n\t")


def validate_staff_text(value: str) -> None:
    """What a staff member types: readable (no U+FFFD from bytes that were not UTF-8), and no
    control characters or bidi overrides beyond the line breaks and tabs of a note."""
    validators.validate_readable_text(value)
    validators.validate_no_control_characters(value.translate(LINE_BREAKS_AND_TABS))


class UsernameLengthMixin:
    """An over-long username is a form error, refused before anyone tries to authenticate.

    Django's AuthenticationForm sets the field's max_length after the field is built, so no
    validator ever checks it: a 300-character name went on to django-axes, whose 255-character
    column on PostgreSQL answered with a server error.
    """

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        model = get_user_model()
        limit = model._meta.get_field(model.USERNAME_FIELD).max_length
        if len(username) > limit:
            raise forms.ValidationError(
                validators.USERNAME_TOO_LONG, code="max_length", params={"limit_value": limit}
            )
        validators.validate_readable_text(username)
        return username


class StaffLoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, intake: Intake, **kwargs):
        kwargs.setdefault("initial", {})["version"] = intake.version
        super().__init__(*args, **kwargs)
        self.intake = intake

    @property
    def html(self) -> FieldsHtml:
        """``{{ form.html.note }}``: the field as ``|as_crispy_field`` shows it (field_html)."""
        return FieldsHtml(self)


class ListedChoices(forms.models.ModelChoiceIterator):
    """The choices read with one plain query. ModelChoiceIterator reads with .iterator(),
    which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips
    outside a transaction) to save memory on a long list; the staff are a handful of rows.

    A field with ``rows`` (a callable returning the queryset's rows, read once) lists those:
    the same rows from SQL built once a process (intake.db.compiled); the queryset is then only
    what a posted value is checked against."""

    def _objects(self):
        rows = getattr(self.field, "rows", None)
        # The queryset fills (or reuses) its result cache.
        return rows() if rows is not None else self.queryset

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._objects():
            yield self.choice(obj)

    def __len__(self):
        return len(self._objects()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._objects())


class StaffChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices

    def label_from_instance(self, obj) -> str:
        return str(obj)


class AssignForm(VersionedForm):
    prefix = "assign"  # several forms share the page: keep their ids apart
    assignee = StaffChoiceField(
        queryset=None,  # set per request: the active staff who can work the queue
        required=False,
        empty_label=_("Nobody (unassign)"),
        label=_("Assign to"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users()
        # Read when the choices are shown (not for a post), once a form.
        self.fields["assignee"].rows = functools.cache(selectors.assignable_user_list)

    def list_staff(self, staff: list) -> None:
        """Show these as the choices (assignable_users()'s rows, already read)."""
        self.fields["assignee"].rows = lambda: staff
        self.fields["assignee"].initial = self.intake.assigned_to_id


class StatusForm(VersionedForm):
    """The current status comes first and is the default: submitting unchanged changes nothing
    (no careless admission from a preselected next step)."""

    prefix = "status"  # several forms share the page: keep their ids apart
    status = forms.ChoiceField(label=_("Status"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.intake.status
        allowed = STATUS_TRANSITIONS.get(current, ())
        self.fields["status"].choices = [
            (current, _("%(status)s (now)") % {"status": Status(current).label}),
            *((code, Status(code).label) for code in allowed),
        ]
        self.fields["status"].initial = current


class ReviewForm(VersionedForm):
    prefix = "review"  # several forms share the page: keep their ids apart
    action = forms.ChoiceField(choices=TrackReview.Action.choices, widget=forms.HiddenInput)
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        validators=[validate_staff_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an override. Say which answers or facts lead you there."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.intake.current_decision
        self.engine_track = decision.track if decision else ""
        # Offer only the tracks that differ from the recommendation, and after an override
        # from the track the clinician already chose.
        taken = {self.engine_track}
        if self.intake.track_confirmed:
            taken.add(self.intake.track)
        self.fields["track"].choices = [
            (code, label) for code, label in Track.choices if code not in taken
        ]

    def clean(self):
        data = super().clean()
        if data.get("action") == TrackReview.Action.OVERRIDE:
            if not (data.get("reason") or "").strip():
                self.add_error(
                    "reason",
                    forms.ValidationError(ERRORS["reason_required"], code="reason_required"),
                )
            if not data.get("track") or data.get("track") == self.engine_track:
                self.add_error(
                    "track", forms.ValidationError(ERRORS["same_track"], code="same_track")
                )
        return data


class NoteForm(VersionedForm):
    prefix = "note"  # several forms share the page: keep their ids apart
    text = forms.CharField(
        label=_("Note"),
        max_length=5000,
        validators=[validate_staff_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": ERRORS["empty_note"]},
    )


# The person's preferred way to be reached, as a contact channel.
PREFERRED_CHANNEL = {
    "phone": ContactAttempt.Channel.PHONE,
    "text": ContactAttempt.Channel.TEXT,
    "email": ContactAttempt.Channel.EMAIL,
}
NEXT_ATTEMPT = [
    ("1h", _("In 1 hour")),
    ("4h", _("In 4 hours")),
    ("1d", _("Tomorrow, same time")),
    ("3d", _("In 3 days")),
    ("at", _("At a time I choose")),
    ("none", _("No further attempt")),
]


class ContactForm(VersionedForm):
    """Log a contact attempt in a couple of clicks: the preferred channel is preselected."""

    prefix = "contact"  # several forms share the page: keep their ids apart
    channel = forms.ChoiceField(label=_("How"), choices=ContactAttempt.Channel.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    next_attempt = forms.ChoiceField(
        label=_("Try again"), choices=NEXT_ATTEMPT, initial="4h", required=False
    )
    next_at = forms.DateTimeField(
        label=_("Next attempt at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for “At a time I choose”. In the center's time zone."),
    )
    note = forms.CharField(
        label=_("About this attempt (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    voicemail_reason = forms.CharField(
        label=_("Why leave a voicemail anyway?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_status = forms.BooleanField(
        label=_("Also change the status as the outcome suggests"),
        required=False,
        help_text=_(
            "The first time they are reached: Contacted. Declined services: Declined. "
            "Leave unticked to keep the status as it is."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = PREFERRED_CHANNEL.get(self.intake.preferred_contact)
        if channel:
            self.fields["channel"].initial = channel
        self.voicemail_unsafe = self.intake.voicemail_ok is False
        if not self.voicemail_unsafe:
            del self.fields["voicemail_reason"]

    def clean(self):
        data = super().clean()
        voicemail = data.get("channel") == ContactAttempt.Channel.VOICEMAIL or (
            data.get("outcome") == ContactAttempt.Outcome.LEFT_VOICEMAIL
        )
        if voicemail and self.voicemail_unsafe and not (data.get("voicemail_reason") or "").strip():
            self.add_error(
                "voicemail_reason",
                forms.ValidationError(CONTACT_ERRORS["voicemail_reason"], code="voicemail_reason"),
            )
        if data.get("next_attempt") == "at" and not data.get("next_at"):
            self.add_error(
                "next_at", forms.ValidationError(_("Choose the time of the next attempt."))
            )
        return data
