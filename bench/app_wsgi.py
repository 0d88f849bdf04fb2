"""The app as `make bench` serves it: config.wsgi's application, counting queries."""

import os

from django.core.wsgi import get_wsgi_application

from bench.counting import counting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = counting(get_wsgi_application())
