"""`manage.py alerts_sweep`: raise overdue alerts and (re)send alerts still pending.

Beat runs the same sweep every minute. Without a broker (tasks inline) this command, from cron,
is what retries a failed send.
"""

from django.core.management.base import BaseCommand

from intake.services.alerts import alerts_sweep


class Command(BaseCommand):
    help = "Raise overdue-contact alerts and re-send alerts still pending past their time."

    def handle(self, *args, **options):
        result = alerts_sweep()
        self.stdout.write(
            f"{result['raised']} overdue alert(s) raised, {result['requeued']} re-queued."
        )
