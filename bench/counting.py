"""A WSGI wrapper that reports each response's SQL query count in an ``X-Bench-Queries`` header.

Both the app and the baseline are served through it under `make bench`, so the queries per
request in the table are counted on the very requests gunicorn served, at no cost worth naming
(one closure call per query).
"""

from __future__ import annotations


def counting(application):
    from django.db import connections

    def wrapped(environ, start_response):
        count = [0]

        def execute(execute_, sql, params, many, context):
            count[0] += 1
            return execute_(sql, params, many, context)

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Bench-Queries", str(count[0]))], exc_info)

        with connections["default"].execute_wrapper(execute):
            return application(environ, start)

    return wrapped
