"""Reset a staff member's second factor (a lost or replaced phone):

    manage.py reset_second_factor <username>

Removes the account's authenticator app and backup codes and ends its sessions; at the next
sign-in the person sets up the app again. Check who is asking before you run it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.models import AuditEvent, User
from intake.services.audit import audit_record
from intake.staff.second_factor import reset_devices
from intake.staff.sessions import end_sessions


class Command(BaseCommand):
    help = "Remove a staff user's second-factor devices and backup codes (lost phone)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    @transaction.atomic
    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No staff user is called {username!r}.") from None
        removed = reset_devices(user)
        ended = end_sessions(user)
        audit_record(
            action=AuditEvent.Action.ADMIN,
            username="manage.py",
            detail=f"reset second factor of intake.User #{user.pk} ({removed} device(s))",
        )
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {username} and ended {ended} "
            "session(s). They set up an authenticator app again at their next sign-in."
        )
