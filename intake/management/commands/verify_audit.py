"""`manage.py verify_audit`: walk the audit hash chain and report whether it is intact.

Exit status 0 when every record's hash and link check out, 1 otherwise (for cron and CI).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from intake.services.audit import audit_verify


class Command(BaseCommand):
    help = _("Check that no audit record was changed, deleted or inserted out of turn.")

    def handle(self, *args, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(_("%(n)d records, chain intact") % {"n": report.checked})
            return
        for problem in report.problems:
            self.stderr.write(problem)
        self.stderr.write(
            _("%(n)d records, %(p)d problems: the audit trail was tampered with")
            % {"n": report.checked, "p": len(report.problems)}
        )
        raise SystemExit(1)
