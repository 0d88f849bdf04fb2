import json
import sys

from django.core.management.base import BaseCommand

from intake.documents import intake_to_document
from intake.models import AuditEvent, Intake
from intake.services.audit import audit_record


class Command(BaseCommand):
    help = "Write every submitted intake as a JSON list of intake documents (oldest first)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-", help="a file; '-' for stdout")
        parser.add_argument(
            "--no-contact", action="store_true", help="leave out names and contact details"
        )

    def handle(self, *args, output, no_contact, **options):
        intakes = Intake.objects.order_by("submitted_at", "id").prefetch_related(
            "substance_uses", "symptoms"
        )
        handle = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        count = 0
        try:
            # Streamed one document at a time, so 100,000 intakes do not sit in memory.
            handle.write("[")
            for intake in intakes.iterator(chunk_size=500):
                handle.write(",\n" if count else "\n")
                document = intake_to_document(intake, contact=not no_contact)
                handle.write(json.dumps(document, ensure_ascii=False))
                count += 1
            handle.write("\n]\n")
        finally:
            if handle is not sys.stdout:
                handle.close()
        # An export of health records is audited whoever runs it, the command line included.
        audit_record(
            action=AuditEvent.Action.EXPORT,
            username="manage.py export_intakes",
            detail=f"{count} intakes exported by command"
            + (" (without contact details)" if no_contact else ""),
        )
