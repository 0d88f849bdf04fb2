import json

from django.core.management.base import BaseCommand, CommandError

from intake.routing import route
from intake.schema import DocumentError

from ._io import describe, read_documents


class Command(BaseCommand):
    help = (
        "Print the routing recommendation(s) for intake document(s) as JSON, in ROUTING.md's "
        "output form. PATH holds one document or a list; '-' reads standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        documents, many = read_documents(path)
        outputs, problems = [], []
        for index, document in enumerate(documents):
            if not isinstance(document, dict):
                problems.append(f"{describe(index, many)}not a JSON object")
                continue
            try:
                outputs.append(route(document).as_dict())
            except DocumentError as exc:
                problems.extend(f"{describe(index, many)}{message}" for message in exc.messages)
        if problems:
            raise CommandError("invalid intake document\n" + "\n".join(problems), returncode=2)
        result = outputs if many else outputs[0]
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
