"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

The access log goes to stdout with resume tokens and query-string values redacted (the staff
search carries patients' names): see intake/log_redaction.py.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
logger_class = "intake.log_redaction.RedactingGunicornLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'
# Request lines and headers beyond these are refused by gunicorn itself (400).
limit_request_line = 4094
limit_request_fields = 100
