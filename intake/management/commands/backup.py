"""`manage.py backup`: write a backup of the database into BACKUP_DIR (`make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.services.backup import BackupError, backup


class Command(BaseCommand):
    help = _("Back up the whole database (pg_dump -Fc, or SQLite's backup API) into a file.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=None, help=_("directory (default: BACKUP_DIR)")
        )

    def handle(self, *args, **options):
        try:
            path = backup(options["dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("backup written: %(path)s (%(size)d bytes)")
            % {"path": path, "size": path.stat().st_size}
        )
