from django.core.management.base import BaseCommand

from intake.models import Intake
from intake.routing import ROUTING_VERSION
from intake.services.intakes import intake_reroute


class Command(BaseCommand):
    help = (
        "Route stored intakes again under the current rules: every intake whose current "
        f"decision is of another rules version than {ROUTING_VERSION} (all with --all). "
        "Appends a decision; a clinician's confirmed track stays."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every intake, whatever version")

    def handle(self, *args, all, **options):  # noqa: A002 - the option's name
        intakes = Intake.objects.order_by("submitted_at", "id")
        if not all:
            intakes = intakes.exclude(current_decision__version=ROUTING_VERSION)
        count = 0
        for intake in intakes.only("pk").iterator(chunk_size=500):
            intake_reroute(intake=intake)
            count += 1
        self.stdout.write(f"{count} intakes routed again under rules {ROUTING_VERSION}.")
