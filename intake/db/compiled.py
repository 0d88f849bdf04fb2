"""Reads whose SQL the ORM builds once a process, then runs with each request's values.

Building a query's SQL (``SQLCompiler.as_sql``: resolving its columns, joins, ordering and
quoting every name) costs the ORM about half a millisecond for a select_related read of a wide
model, more than PostgreSQL takes to run it; the intake page makes a dozen of them. A
``CompiledRead`` asks the ORM for the SQL once, with stand-in values (sentinels) where a
request's values go, remembers where those values sit among the parameters and the compiler's
description of the columns, and from then on only swaps the parameters.

What stays the ORM's: the SQL itself, the execution through Django's cursor (so
``assertNumQueries``, execute wrappers and bench/counting.py see every query), the converters
applied to each row and the building of instances with their select_related objects
(``ModelIterable``) or of value tuples (``ValuesListIterable``). The results are lists, never
querysets that could be filtered further: a further filter would be applied to the stand-in
values, not the request's.

Only values passed as parameters can vary (an exact lookup's value, a LIMIT cannot); the
sentinel must come through the field's conversion unchanged (an int, a str) and appear only
where it stands in (checked once, when the SQL is built). The SQL is kept per database alias
and vendor; the compiler that runs it is a fresh copy bound to the calling thread's connection.

``read_together`` sends several such reads in one round trip on PostgreSQL (the statements
separated by semicolons, as the audit record sends its lock and head read; each result set read
in turn): Django's cursor and its counters see one query. SQLite takes one statement at a time,
so there each read stays a query of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet


class _Prepared:
    """A query's SQL, the positions of each sentinel among its parameters, and its compiler's
    state once ``as_sql`` has run (the columns ``ModelIterable`` reads from it)."""

    def __init__(self, queryset: QuerySet, sentinels: Sequence[Any], connection) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for sentinel in sentinels:
            where = [i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel]
            if not where:
                raise ValueError(f"sentinel {sentinel!r} is not among the parameters of {sql}")
            slots.append(where)
        self.queryset = queryset
        self.sql = sql
        self.params = params
        self.slots = slots
        self.compiler_class = type(compiler)
        self.state = {k: v for k, v in vars(compiler).items() if k != "connection"}

    def compiler(self, connection, values: Sequence[Any]):
        params = list(self.params)
        for where, value in zip(self.slots, values, strict=True):
            for i in where:
                params[i] = value
        compiler = self.compiler_class.__new__(self.compiler_class)
        compiler.__dict__.update(self.state)
        compiler.connection = connection
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler


class _CompiledQuery:
    """Stands in for a queryset's Query: hands the iterable a compiler whose SQL is built."""

    def __init__(self, query, compiler) -> None:
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class CompiledRead:
    """``CompiledRead(build, *sentinels)``: ``build(*values)`` returns the queryset; calling
    the read with a request's values returns its rows (``list``), as ``list(build(*values))``
    would, from SQL built once."""

    def __init__(self, build: Callable[..., QuerySet], *sentinels: Any) -> None:
        self._build = build
        self._sentinels = sentinels
        self._prepared: dict[tuple[str, str], _Prepared] = {}
        self._lock = threading.Lock()
        self._model = None

    def _prepare(self, connection) -> _Prepared:
        key = (connection.alias, connection.vendor)
        prepared = self._prepared.get(key)
        if prepared is None:
            with self._lock:
                prepared = self._prepared.get(key)
                if prepared is None:
                    queryset = self._build(*self._sentinels)
                    prepared = _Prepared(queryset, self._sentinels, connection)
                    self._prepared[key] = prepared
        return prepared

    def __call__(self, *values: Any) -> list:
        db, connection = self._connection()
        return self._rows(db, self._prepare(connection).compiler(connection, values))

    def _connection(self):
        if self._model is None:
            self._model = self._build(*self._sentinels).model
        db = router.db_for_read(self._model)
        return db, connections[db]

    def _rows(self, db: str, compiler) -> list:
        """The rows ``compiler`` reads (or has read), as the source queryset's iterable makes
        them: instances with their select_related objects, or value tuples."""
        source = self._prepared[(compiler.connection.alias, compiler.connection.vendor)].queryset
        queryset = QuerySet(
            model=self._model, query=_CompiledQuery(source.query, compiler), using=db
        )
        queryset._iterable_class = source._iterable_class
        queryset._fields = source._fields
        return list(queryset)


def read_together(*calls: tuple[CompiledRead, tuple]) -> list[list]:
    """``[read(*values) for read, values in calls]``, in one round trip on PostgreSQL: the
    statements sent together, separated by semicolons, each result set read in turn (one
    query for Django's cursor and its counters). Elsewhere (SQLite takes one statement at a
    time) one query a read."""
    if not calls:
        return []
    db, connection = calls[0][0]._connection()
    if connection.vendor != "postgresql" or len(calls) == 1:
        return [read(*values) for read, values in calls]
    compilers = []
    statements = []
    params: list = []
    for read, values in calls:
        read_db, read_connection = read._connection()
        if read_connection is not connection:
            raise ValueError("reads sent together go to one database")
        compiler = read._prepare(connection).compiler(connection, values)
        sql, read_params = compiler.as_sql()
        compilers.append(compiler)
        statements.append(sql)
        params.extend(read_params)
    results = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        for n, compiler in enumerate(compilers):
            if n:
                cursor.nextset()
            rows = cursor.fetchall()
            if compiler.has_extra_select:  # as cursor_iter trims them
                rows = [row[: compiler.col_count] for row in rows]
            results.append(rows)
    out = []
    for (read, _values), compiler, rows in zip(calls, compilers, results, strict=True):
        compiler.execute_sql = lambda *args, rows=rows, **kwargs: [rows]
        out.append(read._rows(db, compiler))
    return out
