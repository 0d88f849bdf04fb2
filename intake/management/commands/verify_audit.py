"""`manage.py verify_audit`: check the audit chain and say what, if anything, was done to it.

Exit status 0 when every record's MAC, number and link check out and the signed checkpoints
agree, 1 otherwise (for cron, Celery beat and CI). `--checkpoint` then signs the head (only
when the chain is intact); run it on a schedule so that losing the newest records shows.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from intake.services.audit import audit_verify, checkpoint_path, write_checkpoint


class Command(BaseCommand):
    help = _("Check that no audit record was changed, deleted or rewritten, and none lost.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help=_("when the chain is intact, append a signed checkpoint of its head"),
        )
        parser.add_argument(
            "--checkpoint-file",
            type=Path,
            default=None,
            help=_("checkpoint file to read and write (default: AUDIT_CHECKPOINT_DIR's)"),
        )

    def handle(self, *args, **options):
        path = options["checkpoint_file"] or checkpoint_path()
        report = audit_verify(path)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            self.stderr.write(
                _("%(n)d records, %(p)d problems: the audit trail was tampered with")
                % {"n": report.checked, "p": len(report.findings)}
            )
            raise SystemExit(1)
        if report.checkpoints:
            newest = max(report.checkpoints, key=lambda p: p.seq)
            agree = _("%(c)d checkpoints agree (newest: record %(s)d, %(at)s)") % {
                "c": len(report.checkpoints),
                "s": newest.seq,
                "at": newest.at,
            }
        else:
            agree = _("no checkpoint yet")
        self.stdout.write(
            _("%(n)d records, chain intact; %(agree)s") % {"n": report.checked, "agree": agree}
        )
        if options["checkpoint"]:
            point = write_checkpoint(report.head_seq, report.head_hash, path)
            self.stdout.write(
                _("checkpoint written: record %(s)d, to %(path)s") % {"s": point.seq, "path": path}
            )
