from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.routing import rules_markdown

DOC = Path(settings.BASE_DIR) / "docs" / "routing.md"


class Command(BaseCommand):
    help = "Write docs/routing.md from the rule table (--check: fail if the file is stale)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check, **options):
        text = rules_markdown()
        if check:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
                raise CommandError("docs/routing.md is stale: run `make docs`")
            self.stdout.write("docs/routing.md is up to date.")
            return
        DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {DOC.relative_to(settings.BASE_DIR)}.")
