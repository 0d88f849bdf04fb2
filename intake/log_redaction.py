"""Keep secrets and names out of log lines: the resume token in /intake/resume/<token>/ and
every query-string value (the staff search ?q=<name> above all).

Two places write request lines: gunicorn's access log (RedactingGunicornLogger, named in
config/gunicorn.conf.py) and Django's own logging ("Not Found: <path>", runserver's request
lines), through RedactingFilter on the console handler (config/settings.py LOGGING). Query
parameter names stay (they say which filter was used); their values do not. The proxy in front
must log the same way (README, "Running in production").

This module imports nothing from Django: gunicorn loads it before the app.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_RESUME = re.compile(r"(/intake/resume/)[^/\s?#\"']+")
_QUERY = re.compile(r"\?([^\s\"'#]*)")
_NAME = re.compile(r"[A-Za-z0-9_\-\[\]]{1,40}")


def redact_query(query: str) -> str:
    """``a=1&q=Rivers`` -> ``a=[redacted]&q=[redacted]``; an odd name is redacted too."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name = part.split("=", 1)[0]
        parts.append(f"{name}={REDACTED}" if _NAME.fullmatch(name) else REDACTED)
    return "&".join(parts)


def redact(text: str) -> str:
    """Every resume token and query-string value in ``text`` (a path, a URL, a request line)."""
    if "/" not in text and "?" not in text:
        return text
    text = _RESUME.sub(rf"\1{REDACTED}", text)
    return _QUERY.sub(lambda match: "?" + redact_query(match.group(1)), text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with redact(); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


try:  # gunicorn is a production dependency; the filter above must work without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with every access-log atom redacted: the request line (%(r)s),
        path (%(U)s), query (%(q)s), referer (%(f)s) and any header or environ atom."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if isinstance(value, str):
                    atoms[key] = redact_query(value) if key == "q" else redact(value)
            return atoms
