"""A fixed-window throttle kept in the database, so every app instance counts the same hits.

Process memory would give each gunicorn worker its own count; the local-memory cache too.
``RateLimit`` has one row per (key, window); the increment is a single UPDATE with F(), so
concurrent requests never lose a count, and a race to create the window's row is settled by
the unique constraint (get_or_create retries the read on IntegrityError).

Client addresses are stored hashed: the throttle needs to tell them apart, not to know them.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intake.models import RateLimit

HOUR = datetime.timedelta(hours=1)
# Rows older than this are of no use to any window and are purged with the drafts.
KEEP = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ThrottleResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def throttle_key(scope: str, ident: str | None) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ident or 'unknown'}".encode()).hexdigest()
    return f"{scope}:{digest[:40]}"


def window_start(now: datetime.datetime, window: datetime.timedelta) -> datetime.datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


@transaction.atomic
def throttle_hit(
    *,
    scope: str,
    ident: str | None,
    limit: int,
    window: datetime.timedelta = HOUR,
    now: datetime.datetime | None = None,
) -> ThrottleResult:
    """Count one attempt by ``ident`` (a client address) in ``scope``; allowed up to ``limit``
    attempts per window. A limit of 0 or less turns the throttle off."""
    now = now or timezone.now()
    start = window_start(now, window)
    retry_after = max(1, int((start + window - now).total_seconds()))
    if limit <= 0:
        return ThrottleResult(True, 0, limit, retry_after)
    key = throttle_key(scope, ident)
    rows = RateLimit.objects.filter(key=key, window_start=start)
    if not rows.update(count=F("count") + 1):
        _row, created = RateLimit.objects.get_or_create(
            key=key, window_start=start, defaults={"count": 1}
        )
        if not created:  # another request created the row between our UPDATE and INSERT
            rows.update(count=F("count") + 1)
    count = rows.values_list("count", flat=True).get()
    return ThrottleResult(count <= limit, count, limit, retry_after)


@transaction.atomic
def throttle_purge(*, now: datetime.datetime | None = None) -> int:
    deleted, _ = RateLimit.objects.filter(window_start__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
