import base64

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.utils import get_otpauth_url

from intake.demo import demo_documents, demo_staff_work
from intake.draft_document import EXAMPLE_ANSWERS, EXAMPLE_COMPLETED_STEPS
from intake.models import Intake, User
from intake.models.users import ADMINISTRATORS, CLINICIANS, COORDINATORS
from intake.services.drafts import draft_create, resume_url
from intake.services.intakes import intake_submit

# Fictional accounts for a local demo only; `make run` prints them. Never seed production.
DEMO_LOGINS = (
    ("coordinator", "Casey", "Coordinator", COORDINATORS, False),
    ("clinician", "Robin", "Clinician", CLINICIANS, False),
    ("administrator", "Alex", "Administrator", ADMINISTRATORS, True),
)
DEMO_PASSWORD = "intake-demo-2026"  # noqa: S105
# The demo clinician's and administrator's authenticator secrets (20 bytes each, fictional and
# public: demo use only). `manage.py demo_codes` prints their current codes.
DEMO_TOTP_KEYS = {
    "clinician": b"demo-clinician-2026!".hex(),
    "administrator": b"demo-administrator!!".hex(),
}


class Command(BaseCommand):
    help = "Create demo staff logins (one per role) and about 60 demo intakes. Demo use only."

    def add_arguments(self, parser):
        parser.add_argument("--intakes", type=int, default=60)

    @transaction.atomic
    def handle(self, *args, intakes, **options):
        for username, first, last, role, is_staff in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, is_staff
            # The demo coordinator is on call, so that alerts in `make run` reach the console
            # e-mail backend instead of failing for want of a recipient.
            user.email = f"{username}@example.org"
            user.receives_alerts = username == "coordinator"
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            if username in DEMO_TOTP_KEYS:
                TOTPDevice.objects.update_or_create(
                    user=user,
                    name="default",
                    defaults={"key": DEMO_TOTP_KEYS[username], "confirmed": True},
                )

        if Intake.objects.exists():
            self.stdout.write("Intakes already present: no demo intakes added.")
        else:
            now = timezone.now()
            submitted = [
                intake_submit(document=document, consent=None, notify=False)
                for document in demo_documents(intakes, now=now)
            ]
            demo_staff_work(
                submitted,
                coordinator=User.objects.get(username="coordinator"),
                clinician=User.objects.get(username="clinician"),
                now=now,
            )
            self.stdout.write(f"Added {intakes} demo intakes.")

        _, token = draft_create(answers=EXAMPLE_ANSWERS, completed_steps=EXAMPLE_COMPLETED_STEPS)
        link = resume_url(token, base_url="http://127.0.0.1:8000")
        self.stdout.write(f"\nA half-finished demo intake (resume link, valid 7 days):\n  {link}")

        self.stdout.write(f"\nDemo staff logins (password for all: {DEMO_PASSWORD})")
        for username, _, _, role, _ in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(
            "\nClinicians and administrators also type a code from an authenticator app."
            "\nAdd these demo secrets to one (time-based, 6 digits, SHA-1), or print the"
            "\ncurrent codes with:  DEBUG=true .venv/bin/python manage.py demo_codes"
        )
        for username, key in DEMO_TOTP_KEYS.items():
            secret = base64.b32encode(bytes.fromhex(key)).decode()
            self.stdout.write(f"  {username:<14} secret {secret}")
            self.stdout.write(
                f"  {'':<14} {get_otpauth_url(username, secret, settings.OTP_TOTP_ISSUER)}"
            )
        self.stdout.write(
            "Staff sign-in: http://127.0.0.1:8000/staff/login/  Admin: http://127.0.0.1:8000/admin/"
        )
