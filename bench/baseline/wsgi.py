import os

from django.core.wsgi import get_wsgi_application

from bench.counting import counting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")

application = counting(get_wsgi_application())
