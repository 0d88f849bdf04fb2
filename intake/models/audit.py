"""The audit trail: append-only, numbered and chained with a keyed MAC.

Each record carries a sequence number and the MAC of its predecessor, and its own MAC
(HMAC-SHA256 under AUDIT_KEY, which is not in the database) covers both. So an edit, a deletion,
a renumbering or a forward rewrite made around the application (raw SQL, a restored backup)
breaks the chain, and signed checkpoints of the head kept outside the database reveal the loss
of the newest records; `manage.py verify_audit` reports what and where. The ORM refuses updates
and deletes, and database triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE too.
Detail text never carries health information: actions, references and field names only.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .review import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        VIEW = "view", _("Viewed intake")
        PRINT = "print", _("Printed intake")
        EXPORT = "export", _("Exported intakes")
        CHANGE = "change", _("Changed intake")
        ASSIGN = "assign", _("Assigned intake")
        STATUS = "status", _("Changed status")
        REVIEW = "review", _("Reviewed track")
        NOTE = "note", _("Added note")
        CONTACT = "contact", _("Logged contact attempt")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        ADMIN = "admin", _("Admin change")
        SUBMIT = "submit", _("Intake submitted")
        SEAL = "seal", _("Audit chain keyed")

    # 1, 2, 3 ... with no gaps: a missing number is a deleted record.
    seq = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
        db_index=False,  # audit_actor leads with it
    )
    # A snapshot: the record keeps its meaning even if the account is renamed.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    intake_reference = models.CharField(_("intake"), max_length=9, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # Which audit key signed the record (AUDIT_KEY_ID, or one of AUDIT_RETIRED_KEYS).
    key_id = models.CharField(_("key"), max_length=16, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["actor", "created_at"], name="audit_actor")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def payload(self) -> bytes:
        return json.dumps(
            [
                self.seq,
                self.key_id,
                self.prev_hash,
                self.created_at.isoformat(),
                self.actor_id,
                self.actor_username,
                self.action,
                self.intake_reference,
                self.ip_address,
                self.detail,
            ],
            separators=(",", ":"),
        ).encode()

    def compute_mac(self, key: bytes) -> str:
        """HMAC-SHA256 of the record (its number, key id and predecessor's MAC included)."""
        return hmac.new(key, self.payload(), hashlib.sha256).hexdigest()
