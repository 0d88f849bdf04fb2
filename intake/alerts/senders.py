"""How an alert leaves the building. E-mail today; SMS or a pager webhook can be added later
as another class with the same `send(message)` method, named in settings.ALERT_SENDER."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    body: str
    recipients: tuple[str, ...]


class AlertSender(Protocol):
    def send(self, message: AlertMessage) -> None:
        """Deliver the message or raise: any exception counts as a failed attempt."""


class EmailSender:
    """One message through Django's mail API (SMTP in production, console in development)
    addressed to every recipient: one SMTP transaction, so one answer decides the attempt."""

    def send(self, message: AlertMessage) -> None:
        connection = get_connection(fail_silently=False, timeout=settings.ALERT_SMTP_TIMEOUT)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(message.recipients),
            connection=connection,
        )
        if email.send() != 1:
            raise RuntimeError("the mail backend sent nothing")


def get_sender() -> AlertSender:
    return import_string(settings.ALERT_SENDER)()
