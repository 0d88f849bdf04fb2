"""Celery tasks. Arguments are ids only: no name or health detail ever goes into Redis.

Each task is safe to run twice at once (a second beat, a redelivered message): sends lock
their row, raising an alert is once per key, purging and verifying change nothing twice.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from intake.services import alerts

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_alert(alert_id: int) -> None:
    outcome = alerts.alert_send(alert_id)
    if outcome is None or outcome.retry_in is None:
        return
    if send_alert.app.conf.task_always_eager:
        # No worker to wait for: the row keeps its next attempt time; the sweep (a worker
        # with beat, or `manage.py alerts_sweep` from cron) sends it then.
        return
    # Resend when the backoff has passed. If this message is lost, the sweep still finds
    # the row pending once its time (plus the grace) has passed.
    alerts.enqueue_send_later(alert_id, outcome.retry_in)


@shared_task(ignore_result=True)
def alerts_sweep() -> dict:
    return alerts.alerts_sweep()


@shared_task(ignore_result=True)
def purge_drafts() -> None:
    call_command("purge_drafts")


@shared_task(ignore_result=True)
def verify_audit() -> bool:
    """Run `manage.py verify_audit --checkpoint`: when the chain checks out, its head is signed
    into the checkpoint file (which reveals a later loss of the newest records); when it does
    not, alert administrators."""
    try:
        call_command("verify_audit", "--checkpoint")
    except (SystemExit, Exception) as exc:  # noqa: BLE001 - any failure is a failed check
        logger.error("audit verification failed (%s)", type(exc).__name__)
        alerts.audit_failure_alert(day=timezone.localdate())
        return False
    return True
