"""Step 1, about you: who is filling in, name, date of birth and how to reach the person."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import catalog, validators

from .base import RadioField, SelectField, StepForm, TextField, YesNoField, translated

# Two-letter codes (Intake.state holds two characters): the states, DC and the territories.
US_STATES = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("AS", "American Samoa"), ("GU", "Guam"), ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"), ("VI", "U.S. Virgin Islands"),
)  # fmt: skip
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"]


class AboutForm(StepForm):
    layout = [
        ("", "", ["respondent"]),
        (
            _("The person who needs help"),
            _("If you are filling this in for someone else, answer about them."),
            ["first_name", "last_name", "date_of_birth", "sex"],
        ),
        (
            _("How we can reach you"),
            _("Give a phone number, an email address, or both."),
            ["phone", "email", "preferred_contact", "voicemail_ok"],
        ),
        (_("Where you live"), "", ["state", "postal_code"]),
    ]

    respondent = RadioField(
        label=_("Who is filling in this form?"), choices=translated(catalog.RESPONDENTS)
    )
    first_name = TextField(
        max_length=100,
        required=True,
        label=_("First name"),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = TextField(
        max_length=100,
        required=True,
        label=_("Last name"),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 05/01/1990."),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": validators.REQUIRED, "invalid": validators.DATE_INVALID},
        validators=[validators.validate_date_of_birth],
    )
    sex = RadioField(
        label=_("Sex"),
        help_text=_("We ask because one of the health questions is scored differently."),
        choices=translated(catalog.SEXES),
    )
    phone = TextField(
        max_length=32,
        label=_("Phone number"),
        validators=[validators.validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        label=_("Email address"),
        validators=[
            validators.validate_email_domain,
            validators.validate_readable_text,
            validators.validate_no_control_characters,
        ],
        error_messages={
            "invalid": validators.EMAIL_INVALID,
            "max_length": validators.TEXT_TOO_LONG,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    preferred_contact = RadioField(
        label=_("How would you like us to contact you?"),
        choices=translated(catalog.CONTACT_METHODS),
    )
    voicemail_ok = YesNoField(
        required=False,
        label=_("Is it safe for us to leave a voicemail?"),
        help_text=_("We never say what the call is about in a message."),
    )
    state = SelectField(
        required=False,
        label=_("State"),
        choices=[("", _("Choose a state (optional)")), *US_STATES],
        empty_value="",
        error_messages={"invalid_choice": validators.CHOICE_INVALID},
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = TextField(
        max_length=10,
        label=_("ZIP code (optional)"),
        validators=[validators.validate_postal_code],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        phone, email = data.get("phone"), data.get("email")
        # A field that failed its own check is not "missing": say only what is wrong with it.
        phone_given = phone or "phone" in self.errors
        email_given = email or "email" in self.errors
        if not phone_given and not email_given:
            self.add_error("phone", validators.PHONE_OR_EMAIL_REQUIRED)
            return data
        method = data.get("preferred_contact")
        if method in ("phone", "text") and not phone_given:
            self.add_error("phone", validators.PHONE_NEEDED_FOR_METHOD)
        if method == "email" and not email_given:
            self.add_error("email", validators.EMAIL_NEEDED_FOR_METHOD)
        if phone and data.get("voicemail_ok") is None and "voicemail_ok" not in self.errors:
            self.add_error("voicemail_ok", validators.VOICEMAIL_REQUIRED)
        if not phone:
            # A voicemail answer means nothing without a phone number.
            data["voicemail_ok"] = None
        return data
