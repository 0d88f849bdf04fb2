"""Ending a staff member's sessions: when the account is switched off, or its second factor
is reset. Sessions live in the database (SESSION_ENGINE), so deleting the rows ends them on
every app instance at once; the next request from that browser is anonymous."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from intake.models import AuditEvent, User
from intake.services.audit import audit_record
from intake.sessions import session_model


def end_sessions(user) -> int:
    """Delete every live session signed in as ``user``; returns how many.

    Django keeps no index from user to session, so this reads every live session (patients'
    included): a rare, administrative action; measured at about 0.2 s per thousand live
    sessions (SQLite, on a busy two-core machine). The account is signed out on its next
    request even before this runs: Django's ModelBackend refuses an inactive user's session.
    """
    sessions = session_model().objects
    mine = []
    for session in sessions.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk):
            mine.append(session.session_key)
    if mine:
        sessions.filter(session_key__in=mine).delete()
    return len(mine)


@receiver(pre_save, sender=User, dispatch_uid="intake.staff.sessions.note_deactivation")
def _note_deactivation(sender, instance, update_fields=None, **kwargs):
    instance._switched_off = False
    if instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = User.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._switched_off = was_active


@receiver(post_save, sender=User, dispatch_uid="intake.staff.sessions.end_on_deactivation")
def _end_on_deactivation(sender, instance, created, **kwargs):
    if getattr(instance, "_switched_off", False):
        instance._switched_off = False
        ended = end_sessions(instance)
        audit_record(
            action=AuditEvent.Action.ADMIN,
            username="system",
            detail=f"switched off intake.User #{instance.pk}: ended {ended} session(s)",
        )
