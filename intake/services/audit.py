"""Writing and checking the audit trail (see intake/models/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from intake.models import AuditEvent

GENESIS = "0" * 64
# Any fixed number: serialises appends to the chain on PostgreSQL.
_ADVISORY_LOCK = 7_351_042


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    ip_address: str | None = None,
    intake=None,
    reference: str = "",
    detail: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one record. `detail` names actions and fields only, never health details.

    ``actor`` is the user who acted (None: nobody signed in, then ``username`` names who tried);
    ``ip_address`` where from (``intake.http.who_acted(request)`` gives both for a view)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
        action=action,
        intake_reference=intake.reference if intake is not None else reference,
        ip_address=ip_address,
        detail=detail[:500],
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify() -> ChainReport:
    """Walk the chain in order: each record's hash, and its link to the one before."""
    problems: list[str] = []
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if event.prev_hash != previous:
            problems.append(
                f"record {event.pk}: does not follow the record before it "
                "(one was deleted or inserted)"
            )
        if event.compute_hash() != event.hash:
            problems.append(f"record {event.pk}: its contents were changed after writing")
        previous = event.hash
    return ChainReport(checked=checked, problems=problems)
