from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.models import Intake
from intake.schema import DocumentError
from intake.services.intakes import intake_submit

from ._io import describe, read_documents


class Command(BaseCommand):
    help = (
        "Create submitted intakes from intake documents with `contact` blocks, routed through "
        "the same service as the web form. All or nothing: one bad document imports none."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a JSON file with a document or a list; '-' for stdin")

    def handle(self, *args, path, **options):
        documents, many = read_documents(path)
        problems = []
        # Raising inside the block rolls back every intake already created.
        with transaction.atomic():
            for index, document in enumerate(documents):
                where = describe(index, many)
                if not isinstance(document, dict) or not isinstance(document.get("contact"), dict):
                    problems.append(f"{where}contact: required to import an intake")
                    continue
                reference = document["contact"].get("reference")
                if reference and Intake.objects.filter(reference=reference).exists():
                    problems.append(f"{where}contact.reference: {reference} already exists")
                    continue
                try:
                    intake_submit(document=document, consent=None, notify=False)
                except DocumentError as exc:
                    problems.extend(f"{where}{message}" for message in exc.messages)
            if problems:
                raise CommandError("nothing imported\n" + "\n".join(problems), returncode=2)
        self.stdout.write(f"Imported {len(documents)} intake(s).")
