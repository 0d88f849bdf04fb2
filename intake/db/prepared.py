"""A cursor for the few statements of ours that run on every request of a kind, which
PostgreSQL parses and plans once per connection (prepared statements), not on every run.

Django sends every query with its values written into the SQL (psycopg's client-side binding),
so PostgreSQL parses and plans each one afresh: for the session read that every patient page
makes, that is more than half of its time on the server (0.25 ms a read, 0.11 ms prepared,
measured on the bench's database). ``cursor()`` gives a cursor that sends the values apart
(server-side binding, with PostgreSQL's own placeholders: psycopg has no query to split) and
has psycopg prepare the statement on its first run on a connection and reuse it after.

Only for SQL written or compiled once by us (intake.sessions' read, the final submit's
statement): a statement a connection keeps is one its server keeps, and psycopg keeps the 100
most used. It goes through Django's own cursor wrappers, so ``assertNumQueries``, execute
wrappers, query logging and bench/counting.py see it as any other query.

Elsewhere than PostgreSQL it is the connection's own cursor. A pooler in front of PostgreSQL
must keep prepared statements per server connection (PgBouncer 1.21 and later does, with
``max_prepared_statements`` set; docs/performance.md).
"""

from __future__ import annotations

import functools
import re

import psycopg

_PLACEHOLDER = re.compile(r"%s")


@functools.lru_cache(maxsize=128)
def _numbered(sql: str) -> str:
    """``sql`` with PostgreSQL's own placeholders ($1, $2...) for Django's (%s): the cursor
    below passes it to the server as it is, so psycopg has no query to split on every run
    (it keeps the split of a statement of more than 4,096 characters or 50 values for no
    next time: the final submit's has some 110). Our SQL has no other %."""
    count = iter(range(1, sql.count("%s") + 1))
    numbered = _PLACEHOLDER.sub(lambda _match: f"${next(count)}", sql)
    if "%" in numbered:
        raise ValueError("prepared: only %s placeholders, and no other %, in our SQL")
    return numbered


class _PreparingCursor(psycopg.RawCursor):
    """psycopg's server-side binding cursor with PostgreSQL's placeholders, each statement
    prepared on its first run on a connection."""

    sent: str | None = None  # the SQL sent, for Django's query log (intake.db.postgresql)

    def execute(self, query, params=None, *, prepare=None, binary=None):
        self.sent = _numbered(query)
        return super().execute(self.sent, params, prepare=True, binary=binary)


def cursor(connection):
    """A cursor on ``connection`` (Django's) whose statements are prepared on PostgreSQL
    (intake.db.postgresql's backend: it lets psycopg prepare what is asked). It takes
    Django's SQL (%s placeholders) and a sequence of values."""
    if not hasattr(connection, "prepared_cursor"):  # SQLite
        return connection.cursor()
    return connection.prepared_cursor(_PreparingCursor)
