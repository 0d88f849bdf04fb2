"""Step 8, review and consent; and the start form. Both carry the honeypot field."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from intake import validators
from intake.public import consent
from intake.services.intakes import ConsentData

from .base import StepForm, TextField

HONEYPOT = "website"


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by .hp-field) and form-filling robots fill in."""

    website = forms.CharField(
        required=False,
        max_length=200,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class StartForm(HoneypotMixin, forms.Form):
    pass


class EmailLinkForm(HoneypotMixin, forms.Form):
    """Save and finish later: e-mail the private link. The address is used once, not kept."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address to send the link to."),
            "invalid": _("Enter an e-mail address like name@example.com."),
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "class": "form-control"}
        ),
    )


class ConsentForm(HoneypotMixin, StepForm):
    contact_ok = forms.BooleanField(
        label=_("I agree that %(center)s may contact me about this intake, in the way I chose."),
        error_messages={"required": validators.CONSENT_CONTACT_REQUIRED},
    )
    privacy_acknowledged = forms.BooleanField(
        label=_("I have read the privacy notice."),
        error_messages={"required": validators.PRIVACY_REQUIRED},
    )
    disclosure_ok = forms.BooleanField(
        required=False,
        label=_("I agree to the disclosure described above (optional)."),
    )
    signature = TextField(
        max_length=200,
        required=True,
        label=_("Type your full name to sign"),
        help_text=_("If you are filling this in for someone else, type your own name."),
        error_messages={"required": validators.SIGNATURE_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, center: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_ok"].label = self.fields["contact_ok"].label % {"center": center}

    def consent_data(self, *, signed_on: datetime.date) -> ConsentData:
        """What the person agreed to, with the wording's version; the date is the server's."""
        data = self.cleaned_data
        agreed = data["disclosure_ok"]
        return ConsentData(
            text_version=consent.CONSENT_VERSION,
            contact_ok=data["contact_ok"],
            privacy_acknowledged=data["privacy_acknowledged"],
            signature=data["signature"],
            signed_on=signed_on,
            disclosure_ok=agreed,
            disclosure_recipient=consent.disclosure_recipient() if agreed else "",
            disclosure_purpose=str(consent.DISCLOSURE_PURPOSE) if agreed else "",
            disclosure_information=str(consent.DISCLOSURE_INFORMATION) if agreed else "",
            disclosure_expires=consent.disclosure_expires(signed_on) if agreed else None,
        )
