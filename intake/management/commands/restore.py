"""`manage.py restore FILE`: replace the database's contents with a backup (`make restore`).

Stop the application first. Afterwards the audit trail is checked against the checkpoints: a
backup older than the newest checkpoint shows the records written since as "tail lost" — which
they are. Keep the report with the incident's record, move the checkpoint file aside (keep it)
and write a new checkpoint with `verify_audit --checkpoint`.
"""

from pathlib import Path

import dj_database_url
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.services.backup import BackupError, restore


class Command(BaseCommand):
    help = _("Replace the database's contents with a backup made by `manage.py backup`.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--database-url",
            default=None,
            help=_("restore into this database instead of the configured one"),
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help=_("do not ask for confirmation"),
        )  # fmt: skip

    def handle(self, *args, **options):
        target = dj_database_url.parse(options["database_url"]) if options["database_url"] else None
        where = _("the given database") if target else _("the configured database")
        if options["interactive"]:
            answer = input(
                _("This replaces everything in %(where)s with %(file)s. Type 'yes' to go on: ")
                % {"where": where, "file": options["file"]}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled."))
        try:
            restore(options["file"], target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("restored %(file)s into %(where)s") % {"file": options["file"],
                                                                    "where": where})  # fmt: skip
        if target is None:
            self.stdout.write(_("checking the audit trail:"))
            call_command("verify_audit", stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write(
                _("check its audit trail with: DATABASE_URL=... manage.py verify_audit")
            )
