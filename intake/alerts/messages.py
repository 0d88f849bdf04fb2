"""What an alert says: the reference code, when the intake came in, the target time and the
link to the staff page (sign-in required). Never a name, score, track, escalation, substance,
symptom or any other health detail: e-mail crosses servers the center does not control."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from intake.models import Alert

from .senders import AlertMessage

SUBJECT = "Intake needs attention"


def _when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return local.strftime("%a %d %b %Y, %H:%M %Z")


def compose(alert: Alert) -> AlertMessage:
    with translation.override(settings.LANGUAGE_CODE):
        if alert.intake_id is None:
            lines = [
                _("The nightly check of the audit trail found a problem."),
                "",
                _("Run `manage.py verify_audit` on the server for the details."),
                _("Admin: %(url)s") % {"url": settings.SITE_URL + reverse("admin:index")},
            ]
        else:
            intake = alert.intake
            link = settings.SITE_URL + reverse("staff:intake", args=[intake.reference])
            why = (
                _("The first-contact target has passed with no contact attempt recorded.")
                if alert.reason == Alert.Reason.OVERDUE
                else _("An intake that needs a prompt response has come in.")
            )
            lines = [
                why,
                "",
                _("Reference: %(ref)s") % {"ref": intake.reference},
                _("Came in: %(when)s") % {"when": _when(intake.submitted_at)},
                _("Target time for first contact: %(when)s") % {"when": _when(alert.target_at)},
                "",
                _("Open it (sign-in required): %(url)s") % {"url": link},
            ]
        lines += ["", _("You get this because you receive alerts from %(center)s intake.")
                  % {"center": settings.CENTER_NAME}]  # fmt: skip
        return AlertMessage(
            subject=_(SUBJECT), body="\n".join(lines) + "\n", recipients=tuple(alert.recipients)
        )
