from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

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


class Command(BaseCommand):
    help = "Create demo staff logins (one per role) and about 60 demo intakes. Demo use only."

    def add_arguments(self, parser):
        parser.add_argument("--intakes", type=int, default=60)

    @transaction.atomic
    def handle(self, *args, intakes, **options):
        for username, first, last, role, is_staff in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, is_staff
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])

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
            "Staff sign-in: http://127.0.0.1:8000/staff/login/  Admin: http://127.0.0.1:8000/admin/"
        )
