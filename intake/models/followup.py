"""Contact attempts: every call, text, e-mail, voicemail or visit made to reach a person.

Append-only like the timeline and the reviews (the ORM refuses changes, database triggers from
migration 0007 refuse raw SQL, the admin shows them read-only). The intake keeps what the queue
needs from them (``contact_due_at``, ``first_attempt_at``, ``first_reached_at``,
``attempt_count``), written by the same transaction that appends the attempt.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .review import AppendOnlyModel


class ContactAttempt(AppendOnlyModel):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("E-mail")
        VOICEMAIL = "voicemail", _("Voicemail")
        IN_PERSON = "in_person", _("In person")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        LEFT_VOICEMAIL = "left_voicemail", _("Left voicemail")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CALL_BACK = "call_back", _("Asked to call back")
        DECLINED = "declined", _("Declined services")

    intake = models.ForeignKey(  # attempt_timeline leads with it
        "intake.Intake", on_delete=models.PROTECT, related_name="contact_attempts", db_index=False
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # Why a voicemail was left although the person said a voicemail is not safe.
    voicemail_reason = models.TextField(_("reason for the voicemail"), max_length=1000, blank=True)
    next_due_at = models.DateTimeField(_("next attempt due"), null=True, blank=True)

    class Meta:
        ordering = ["intake", "created_at", "id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [models.Index(fields=["intake", "created_at"], name="attempt_timeline")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"

    @property
    def left_voicemail(self) -> bool:
        return self.channel == self.Channel.VOICEMAIL or self.outcome == self.Outcome.LEFT_VOICEMAIL
