"""Sign-ins, sign-outs and failed sign-ins go on the audit trail.

Connected by IntakeConfig.ready(); the dispatch_uid keeps a second import from recording twice.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from intake.http import client_ip
from intake.models import AuditEvent
from intake.services.audit import audit_record


@receiver(user_logged_in, dispatch_uid="intake.staff.audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, ip_address=client_ip(request))


@receiver(user_logged_out, dispatch_uid="intake.staff.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None:  # logging out an anonymous session: nobody to record
        return
    audit_record(action=AuditEvent.Action.LOGOUT, actor=user, ip_address=client_ip(request))


@receiver(user_login_failed, dispatch_uid="intake.staff.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The username only: Django has already masked the password, and it stays out anyway.
    # A signed-in user mistyping someone else's password is still a failed login by name,
    # not an action of the signed-in account: hence no actor.
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        ip_address=client_ip(request) if request is not None else None,
    )
