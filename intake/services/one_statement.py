"""Several inserts and updates sent to PostgreSQL as one statement (one round trip).

The final submit writes six rows into five tables: through the ORM that is a round trip each
(and one more to point the intake at its decision). PostgreSQL runs data-modifying
statements inside ``WITH``, each exactly once and to completion, in one statement:

    WITH w0 AS (INSERT INTO intake_intake ...), w1 AS (INSERT INTO intake_substanceuse ...), ...
    UPDATE intake_draft SET ... WHERE id = ...

The rows must not depend on one another's results: they carry their ids, reserved before with
``next_id()`` (the intake and its decision point at each other, which foreign keys allow
because Django creates them DEFERRABLE INITIALLY DEFERRED: checked at commit). Unique
constraints are checked at once, as for any insert; triggers fire as for any insert.

Values are converted as the ORM converts them for an insert (``pre_save`` then
``get_db_prep_save`` of each field), so the rows are the rows ``save()`` would write; the test
suite compares both. PostgreSQL only: SQLite has no data-modifying WITH (nor sequences), and
callers keep the ORM path there (``supported()``).
"""

# ruff: noqa: S608 - the SQL is built from models' table and column names (quoted) and %s
# placeholders only, never from input. (The same reason for the B608 markers for bandit below.)
from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import RawSQL

from intake.db import prepared


def _connection():
    """The connection itself: ``django.db.connection`` is a proxy that looks it up again in
    a context-local store on every attribute, which the ORM reads a few times per value."""
    return connections[DEFAULT_DB_ALIAS]


def supported() -> bool:
    return _connection().vendor == "postgresql"


def next_id(model: type[models.Model]) -> RawSQL:
    """An expression that takes the next id of ``model``'s table from its sequence (for an
    ``annotate()`` on a query the caller makes anyway): the id is the row's, whether or not the
    row is written (a sequence never gives a number twice; gaps are harmless)."""
    # The models' own table and column names, never input (next_id_sql).
    return RawSQL(next_id_sql(model), ())  # noqa: S611  # nosec B611


def next_id_sql(model: type[models.Model]) -> str:
    """next_id's SQL, for SQL written here (the names are the models' own, never input)."""
    meta = model._meta
    return f"nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.pk.column}')::regclass)"


# Fields whose get_db_prep_save() hands PostgreSQL a value of these types unchanged (the value
# is what pre_save() reads: no auto_now), by the field's exact class: to_python() of a str is
# the str, and the PostgreSQL backend adapts no date or time. None is sent as None by every
# one of them.
_AS_IS = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.DateField: (datetime.date,),
    # An aware datetime only: a naive one is made aware, with a warning (_values checks).
    models.DateTimeField: (datetime.datetime,),
}
# Fields whose get_db_prep_save() wraps an int in one type by column (psycopg's Int2, Int4 or
# Int8 for Django 5.2 on psycopg 3), and a dict or a list in psycopg's Jsonb with the field's
# json.dumps: the wrapper is read off what the field sends for a sample value.
_INTEGERS = frozenset((
    models.IntegerField, models.SmallIntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
))  # fmt: skip


def _sends(field: models.Field, connection) -> dict[type, Callable | None]:
    """How ``field`` (a column of an insert or update) sends a value, by the value's exact
    type: unchanged (None), or through a wrapper that gives what get_db_prep_save() gives; for
    any other value, or a field not known here, the ORM's own conversion runs."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return {}  # pre_save() sets the time
    if field.many_to_one and type(field) is not models.ForeignKey:
        return {}
    kind = type(field.target_field if field.many_to_one else field)
    sends: dict[type, Callable | None] = dict.fromkeys(_AS_IS.get(kind, ()))
    if kind in _INTEGERS and not field.many_to_one:
        wrapper = type(field.get_db_prep_save(1, connection))
        if issubclass(wrapper, int):
            sends[int] = None if wrapper is int else wrapper
    elif kind is models.JSONField:
        sent = field.get_db_prep_save({}, connection)
        dumps = getattr(sent, "dumps", None)
        if type(sent).__name__ == "Jsonb" and dumps is not None:
            wrapper = partial(type(sent), dumps=dumps)
            sends[dict] = sends[list] = wrapper
    if sends:
        sends[type(None)] = None
    return sends


@dataclass(frozen=True)
class _Column:
    """A field written by a statement, and how it sends a value by the value's type."""

    field: models.Field
    attname: str
    sends: Mapping[type, Callable | None]

    @classmethod
    def of(cls, field: models.Field, connection) -> _Column:
        return cls(field, field.attname, _sends(field, connection))


_ORM = object()  # (in _values) a value of a type the column does not send itself


def _values(obj: models.Model, columns: Sequence[_Column], add: bool, connection) -> list:
    """What the ORM sends for ``columns`` of ``obj`` (``pre_save`` then ``get_db_prep_save``),
    without running that chain for a value whose conversion is known (most values of a row)."""
    values = []
    for column in columns:
        value = getattr(obj, column.attname)
        kind = type(value)
        send = column.sends.get(kind, _ORM)
        if send is _ORM or (kind is datetime.datetime and value.tzinfo is None):
            field = column.field
            values.append(field.get_db_prep_save(field.pre_save(obj, add), connection))
        else:
            values.append(value if send is None else send(value))
    return values


@cache
def _insert_head(model: type[models.Model], with_pk: bool, expressions: tuple = (), when=""):
    given = dict(expressions)
    connection = _connection()
    qn = connection.ops.quote_name
    fields = tuple(field for field in model._meta.local_concrete_fields
                   if with_pk or field is not model._meta.auto_field)  # fmt: skip
    columns = ", ".join(qn(field.column) for field in fields)
    table = qn(model._meta.db_table)
    params = tuple(_Column.of(field, connection) for field in fields if field.attname not in given)
    row = "(" + ", ".join(given.get(field.attname, "%s") for field in fields) + ")"
    if not when:
        return f"INSERT INTO {table} ({columns}) VALUES ", params, row, row, ""  # nosec B608
    # Rows from a VALUES list in a subquery take their types from its values, not from the
    # table's columns (a value of unknown type, such as a NULL sent apart, would be text): the
    # first row casts each value to its column's type (its length left to the INSERT, which
    # refuses a value too long as ever).
    first = "(" + ", ".join(
        given.get(field.attname, f"%s::{field.cast_db_type(connection)}") for field in fields
    ) + ")"  # fmt: skip
    head = f"INSERT INTO {table} ({columns}) SELECT * FROM (VALUES "  # nosec B608
    return head, params, first, row, f") AS v ({columns}) WHERE {when}"


def insert(
    objs: Sequence[models.Model],
    *,
    expressions: Mapping[str, str] | None = None,
    when: str = "",
) -> tuple[str, list]:
    """One INSERT of ``objs`` (instances of one model): with their ids, or all without (the
    table's sequence numbers them; the instances are not told their ids, as nothing written
    in the same statement can point at them). ``expressions``: SQL (of ours, never a value)
    written for some columns, by attname, in place of the instances' values: an id that the
    statement itself takes, say (write_after's ``guard``); with the id's, the rows have ids.
    ``when``: a condition (SQL of ours) without which no row is written."""
    expressions = expressions or {}
    with_pk = objs[0].pk is not None or objs[0]._meta.pk.attname in expressions
    head, fields, first, row, tail = _insert_head(
        type(objs[0]), with_pk, tuple(sorted(expressions.items())), when
    )
    connection = _connection()
    params = []
    for obj in objs:
        if (obj.pk is not None or obj._meta.pk.attname in expressions) != with_pk:
            raise ValueError("one_statement.insert: either every row has its id or none has")
        params.extend(_values(obj, fields, True, connection))
    return head + ", ".join([first] + [row] * (len(objs) - 1)) + tail, params


@cache
def _update_head(model: type[models.Model], field_names: tuple, expressions: tuple) -> tuple:
    """update()'s UPDATE up to its WHERE's id, and the columns whose values it sends."""
    given = dict(expressions)
    connection = _connection()
    qn = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{qn(field.column)} = {given.get(field.name, '%s')}"
                            for field in fields)  # fmt: skip
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"  # nosec B608
    return sql, tuple(_Column.of(field, connection) for field in fields if field.name not in given)


def update(
    obj: models.Model,
    field_names: Sequence[str],
    *,
    expressions: Mapping[str, str] | None = None,
    where: str = "",
    where_params: Sequence = (),
    returning: str = "",
) -> tuple[str, list]:
    """One UPDATE of ``obj``'s row: ``field_names`` as ``save(update_fields=...)`` would write
    them (an auto_now field gets the time when it is named, as there). ``expressions``: SQL of
    ours for some of them, by field name, in place of their values; ``where`` (with
    ``where_params``): more conditions the row must meet; ``returning``: what the UPDATE
    returns of the row it wrote."""
    connection = _connection()
    sql, columns = _update_head(
        type(obj), tuple(field_names), tuple(sorted((expressions or {}).items()))
    )
    params = _values(obj, columns, False, connection)
    params.append(obj._meta.pk.get_db_prep_value(obj.pk, connection))
    params.extend(where_params)
    if where:
        sql += f" AND {where}"
    if returning:
        sql += f" RETURNING {returning}"
    return sql, params


def may_commit() -> bool:
    """Whether a statement may end the transaction with its own COMMIT (write(commit=True)):
    inside atomic blocks that opened no savepoint, the outermost of which commits when it
    exits (no transaction of a caller's around it). Its caller sends nothing more in the
    transaction after it; the blocks' exit then finds the transaction ended, and psycopg sends
    no COMMIT for a transaction that has ended (nor a ROLLBACK): one round trip fewer."""
    connection = _connection()
    return (
        connection.in_atomic_block
        and connection.commit_on_exit
        and not connection.needs_rollback
        and not any(connection.savepoint_ids)  # None: a block that opened no savepoint
        # A test case's transaction (rolled back when the test ends) is never ended here.
        and not getattr(connection.atomic_blocks[0], "_from_testcase", False)
    )


def _named(statements: Sequence[tuple[str, list]], counted: int) -> tuple[list, list, list]:
    """``statements`` as the parts of a WITH (w0, w1...), the last ``counted`` of them
    ``RETURNING 1``; their parameters; and a SELECT list that counts what each of those
    returned (by our own names: no value in the SQL)."""
    parts, params = [], []
    last = len(statements) - counted
    for i, (sql, statement_params) in enumerate(statements):
        parts.append(f"w{i} AS ({sql}{' RETURNING 1' if i >= last else ''})")
        params.extend(statement_params)
    counts = [f"(SELECT count(*) FROM w{i})" for i in range(last, len(statements))]  # nosec B608
    return parts, params, counts


def write(
    statements: Sequence[tuple[str, list]], *, counted: int = 1, commit: bool = False
) -> list[int]:
    """Run ``statements`` as one. Returns the row counts of the last ``counted`` (for an
    UPDATE: whether it found its row): with one, all but the last run inside WITH and the
    count is the last's; with more, every statement runs inside WITH, the counted ones
    ``RETURNING 1``, and a final SELECT counts what each returned.

    ``commit`` (only where ``may_commit()``): the transaction's COMMIT sent with the statement,
    in the same round trip. A statement that fails skips it (the caller's block rolls back),
    and a COMMIT that fails (a deferred foreign key) ends the transaction and raises as the
    block's own would."""
    if not 1 <= counted <= len(statements):
        raise ValueError("one_statement.write: counted must be between 1 and len(statements)")
    if counted == 1:
        parts, params, _counts = _named(statements[:-1], 0)
        tail_sql, tail_params = statements[-1]
        params.extend(tail_params)
    else:
        parts, params, counts = _named(statements, counted)
        tail_sql = "SELECT " + ", ".join(counts)
    sql = f"WITH {', '.join(parts)} {tail_sql}" if parts else tail_sql
    if commit:
        if not may_commit():
            raise RuntimeError("one_statement.write(commit=True): not where may_commit()")
        sql += "; COMMIT"
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        return [cursor.rowcount] if counted == 1 else list(cursor.fetchone())


# The condition of a statement that writes only if write_after's guard found its row.
GUARDED = "EXISTS (SELECT FROM guard)"


def write_after(
    guard: tuple[str, list],
    statements: Sequence[tuple[str, list]],
    *,
    returned: str,
    counted: int = 0,
) -> tuple:
    """Run ``guard`` (an UPDATE ... RETURNING) and then ``statements`` as one statement, which
    read what the guard returned as ``(SELECT <column> FROM guard)`` (e.g. the ids it took).
    Returns the guard's ``returned`` columns, then the row counts of the last ``counted``
    statements; None when the guard found no row (its statements should then write nothing:
    ``insert(..., when=GUARDED)``). Outside a transaction the statement is its own (its
    COMMIT is PostgreSQL's at its end: no BEGIN, no COMMIT of ours, one round trip)."""
    parts, params, counts = _named(statements, counted)
    parts.insert(0, f"guard AS ({guard[0]})")
    params[:0] = guard[1]
    sql = f"WITH {', '.join(parts)} SELECT {', '.join([returned, *counts])} FROM guard"  # nosec B608
    # Parsed and planned once a connection for each shape (how many rows each table gets).
    with prepared.cursor(_connection()) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@dataclass
class Rider:
    """An UPDATE of one row that rides along another statement, built once the id of that
    statement's main row is known (the final submit: the session noting its new intake, in
    the statement that stores the intake, instead of a round trip and a commit of its own
    after the view). ``build(row_id)`` gives the UPDATE, or None to write nothing (``row_id``
    is None when the statement takes the id itself: write_after); ``found`` says afterwards
    whether it found its row (a build that found nothing to write may set it at once)."""

    build: Callable[[int | None], tuple[str, list] | None]
    found: bool = False


def mark_saved(*objs: models.Model) -> None:
    """What save() leaves on an instance it inserted (with its id): from the database, not
    new."""
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
