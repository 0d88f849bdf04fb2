"""E-mail the private resume link, at the person's request, in the language they are using.

Sent from the request itself, not a background task: the link opens the answers, so it never
goes into Redis (task arguments are ids only), and the address is used once and not stored.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def resume_link_email(*, address: str, link: str, language: str | None = None) -> bool:
    """Send the message; False (logged by error class only) when the mail server failed."""
    with translation.override(language or translation.get_language()):
        subject = _("Your saved form at %(center)s") % {"center": settings.CENTER_NAME}
        body = "%s\n\n%s\n" % (subject, link)  # noqa: UP031 - plain text, no template
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=get_connection(timeout=settings.ALERT_SMTP_TIMEOUT),
    )
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - SMTP and socket errors vary; the page says so
        logger.warning("resume link e-mail not sent (%s)", type(exc).__name__)
        return False
    return True
