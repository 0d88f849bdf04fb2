"""The Celery application: `celery -A config worker`, `celery -A config beat`, or both at once
on a single machine with `celery -A config worker --beat`.

Settings come from Django's (the CELERY_* names in config/settings.py). Without a broker URL
every task runs inline, in the process that sent it, so a bare machine needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("intake")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
