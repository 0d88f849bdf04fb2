"""Django's PostgreSQL backend, with a health check that asks the server only when it must.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django checks the
connection at the start of every request that uses the database: a ``SELECT 1``, one more
round trip per request (on our 2-core machines, 0.5-1 ms of a wizard step's ~6). This backend
skips that round trip when the answer is already known without asking:

- the connection was used less than ``QUIET_SECONDS`` ago, by an earlier request of this
  process, and it is idle (no transaction left open), and
- its socket has nothing to read. A server that closes a connection - a restart, a
  ``pg_terminate_backend``, an idle timeout, a crash of the postmaster - sends its goodbye
  or the kernel sends the end of the stream, and the socket becomes readable.

In every other case Django's own check runs (``is_usable``), so a connection that sat idle,
or one the server has said anything on, is checked as before and replaced if it is broken.
tests/test_db_health_check.py ends a connection from the server side and checks that the next
request gets a working one.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base, operations

QUIET_SECONDS = 5.0
# psycopg's prepare_threshold: prepare a statement run this many times. Django sets None
# (prepared statements off, for poolers' sake); its own cursors never prepare anyway (they
# bind values client-side). Set this high, only intake.db.prepared's cursor, which asks for
# it, prepares: psycopg refuses even that when the threshold is None.
ONLY_WHEN_ASKED = 2**31 - 1


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement's run (intake.db.prepared): psycopg keeps no query to show.
        sent = getattr(cursor, "sent", None)
        return sent if sent is not None else super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    last_used: float = 0.0

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = ONLY_WHEN_ASKED
        return params

    def create_cursor(self, name=None):
        self.last_used = time.monotonic()
        return super().create_cursor(name)

    def keeps_connections(self) -> bool:
        """Whether a connection outlives the request (persistent, or from a pool)."""
        return self.settings_dict.get("CONN_MAX_AGE", 0) != 0 or bool(
            self.settings_dict["OPTIONS"].get("pool")
        )

    def prepared_cursor(self, cursor_class):
        """A cursor of ``cursor_class`` (psycopg's) on this connection, wrapped as Django
        wraps its own (intake.db.prepared); Django's own cursor for a connection closed at
        the end of each request (CONN_MAX_AGE = 0, no pool), where preparing a statement
        would cost a round trip of its own on every request and save nothing."""
        if not self.keeps_connections():
            return self.cursor()
        self.ensure_connection()
        self.validate_thread_sharing()
        self.last_used = time.monotonic()
        raw = cursor_class(self.connection)
        return self.make_debug_cursor(raw) if self.queries_logged else self.make_cursor(raw)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.known_to_be_usable()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def known_to_be_usable(self) -> bool:
        """True when the connection was used moments ago and the server has said nothing
        since; False means "ask the server", never "broken"."""
        if time.monotonic() - self.last_used > QUIET_SECONDS:
            return False
        pgconn = getattr(self.connection, "pgconn", None)  # psycopg 3
        if pgconn is None or self.connection.closed or self.in_atomic_block:
            return False
        if self.connection.info.transaction_status != 0:  # not IDLE: a transaction left open
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (AttributeError, OSError, ValueError):
            return False
