"""Delete expired drafts (and spent throttle windows). Run it daily, e.g. from cron:

15 3 * * *  cd /srv/intake && .venv/bin/python manage.py purge_drafts
"""

from django.core.management.base import BaseCommand

from intake.services.drafts import drafts_purge
from intake.services.throttle import throttle_purge


class Command(BaseCommand):
    help = "Delete drafts whose 7 days have passed, and throttle counters older than a day."

    def handle(self, *args, **options):
        drafts = drafts_purge()
        windows = throttle_purge()
        self.stdout.write(
            f"Deleted {drafts} expired draft(s) and {windows} old throttle window(s)."
        )
