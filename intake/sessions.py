"""The session engine (SESSION_ENGINE = "intake.sessions"): Django's database sessions on
intake's own table (intake.models.Session), as Django's documentation extends them, with two
round trips fewer where a wizard page spends them:

- **The draft with the session.** The session's query also reads the draft its data points at
  (``intake_draft``, repeated in the row's ``draft`` column on every save): a wizard page needs
  no query of its own for it (``draft_read``, used by intake.public.views.session_draft). The
  row is read in the same request, when the session is first used, as fresh as a query of its
  own a moment later; it is handed out once, and any later ask goes to the database.
- **An existing session written in one statement.** Django writes a session in
  ``transaction.atomic()``: BEGIN, UPDATE, COMMIT. Outside a transaction (every session a
  request saves: SessionMiddleware saves after the view) the UPDATE alone is as atomic, and a
  session deleted meanwhile still raises UpdateError (SessionInterrupted for the request).
  Creating a session (an INSERT that may meet a used key) and a save inside a transaction (a
  savepoint keeps a failure from spoiling it) stay Django's.
- **The session's query compiled once a process.** Every page that reads its session (every
  wizard step, every staff page) ran the same query, and the ORM built and compiled it anew
  each time: about as long as the round trip itself. ``_session_query`` has the ORM build it
  once per database (its SQL, where the key and the time go, the fields' converters); each
  load runs it through Django's own cursor (query counting and execute wrappers see it) and
  makes the instances with ``Model.from_db``, converting each value as the ORM does.
- **The final submit's note in the submit's own statement.** The session notes the new
  intake (for the confirmation page) in the data-modifying statement that stores the intake
  (``rider()``, intake.services.one_statement.Rider): the UPDATE save() would send after the
  view, sent with the intake instead, committed with it by the same (durable) commit. Once it
  found its row, save() has nothing to write unless the data changes again; if it found none
  (the session was deleted meanwhile), the data is left as it was, and save() runs as before
  (and raises UpdateError, as Django's would).
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from intake.db import prepared
from intake.services import one_statement

# The session data's key for the patient's draft (intake.public.views binds it).
DRAFT_KEY = "intake_draft"


def session_model():
    """The configured engine's session model: intake.models.Session with this engine."""
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()


def draft_id_of(data: dict) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(data[DRAFT_KEY]))
    except (KeyError, ValueError):
        return None


class SessionStore(db.SessionStore):
    # What the session's query read of its draft: (the draft id as a string, the Draft, or None
    # when no draft had that id), until draft_read() hands it out.
    _draft_read = None
    # How many times the data changed (SessionBase sets ``modified`` on each change), and the
    # session key and that count when a rider wrote the row (save() then has nothing to do).
    _changes = 0
    _written = None
    _riding: dict = {}  # what the last rider built wrote

    @property
    def modified(self) -> bool:
        return self._modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = value
        if value:
            self._changes += 1

    def rider(self, changes: Callable[[int], dict]) -> one_statement.Rider:
        """The session's UPDATE with ``changes(row_id)`` made to its data, to ride along
        another statement (``row_id``: the id of that statement's row, e.g. the new intake's).
        The session itself changes only once the rider found its row (``rider_written``), or
        when there is nothing to write (no change, and none made in the request): then the
        rider builds no UPDATE and counts as found, as save() would write nothing either."""

        def build(row_id: int) -> tuple[str, list] | None:
            if self.session_key is None:  # a new session: save() creates it
                return None
            self._riding = changes(row_id)
            if not self._riding and not self.modified:
                rider.found = True  # nothing to write: as good as written
                return None
            obj = self.create_model_instance({**self._get_session(), **self._riding})
            return one_statement.update(obj, ["session_data", "expire_date", "draft"])

        rider = one_statement.Rider(build=build)  # (build reads it once it is called)
        return rider

    def rider_written(self, rider: one_statement.Rider) -> bool:
        """After the rider's statement committed: if it found its row, the session holds the
        changes it wrote, and save() writes nothing more unless the data changes again."""
        if not rider.found:
            return False
        self.update(self._riding)
        self._written = (self.session_key, self._changes)
        return True

    @classmethod
    def get_model_class(cls):
        from intake.models import Session

        return Session

    def _get_session_from_db(self):
        # Django's, with the draft joined, by the query compiled once (_session_query).
        try:
            session = _read_session(self.session_key, router.db_for_read(self.model))
        except SuspiciousOperation as e:
            logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
            logger.warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        return session

    def load(self):
        s = self._get_session_from_db()
        if s is None:
            self._draft_read = None
            return {}
        self._draft_read = None if s.draft_id is None else (str(s.draft_id), s.draft)
        return self.decode(s.session_data)

    def draft_read(self, draft_id: str | None):
        """``(True, draft)`` when the session's query read the draft ``draft_id`` (``draft`` is
        None if there was none of that id), once; else ``(False, None)``: ask the database."""
        read, self._draft_read = self._draft_read, None
        if read is None or read[0] != draft_id:
            return False, None
        return True, read[1]

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.draft_id = draft_id_of(data)
        return obj

    async def acreate_model_instance(self, data):
        obj = await super().acreate_model_instance(data)
        obj.draft_id = draft_id_of(data)
        return obj

    def save(self, must_create=False):
        if not must_create and self._written == (self.session_key, self._changes):
            return  # a rider wrote the row as it is (the submit's statement)
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None or not transaction.get_autocommit(using):
            return super().save(must_create)
        obj = self.create_model_instance(self._get_session())
        try:
            obj.save(force_update=True, using=using)  # one UPDATE; none updated: DatabaseError
        except IntegrityError:
            raise
        except DatabaseError as error:
            raise UpdateError from error


def _read_session(session_key: str, using: str):
    """The unexpired session ``session_key`` with its draft cached on it (None when the join
    found none), as ``Session.objects.select_related("draft").get(...)`` returns it; or None."""
    connection = connections[using]
    query = _session_query(using, connection.vendor)
    params = list(query.params)
    params[query.key_at] = query.key_field.get_db_prep_value(session_key, connection)
    params[query.now_at] = query.now_field.get_db_prep_value(timezone.now(), connection)
    with prepared.cursor(connection) as cursor:  # parsed and planned once a connection
        cursor.execute(query.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    ops = connection.ops
    for at, converters, expression in query.converters:
        value = row[at]
        for convert, of_ops in converters:
            value = (convert(ops, value, expression, connection) if of_ops
                     else convert(value, expression, connection))  # fmt: skip
        row[at] = value
    split = len(query.session_fields)
    session = query.session_model.from_db(using, query.session_fields, row[:split])
    draft = None
    if row[split + query.draft_pk_at] is not None:
        draft = query.draft_model.from_db(using, query.draft_fields, row[split:])
    query.draft_field.set_cached_value(session, draft)
    return session


class _SessionQuery:
    """The session's query as the ORM compiles it, with what it takes to run it raw."""

    def __init__(self, using: str):
        from intake.models import Session

        connection = connections[using]
        meta = Session._meta
        self.session_model = Session
        self.draft_field = meta.get_field("draft")
        self.draft_model = self.draft_field.related_model
        self.key_field = meta.get_field("session_key")
        self.now_field = meta.get_field("expire_date")
        # The key is the primary key: one row or none (no LIMIT 21, which get() adds).
        rows = (
            Session.objects.using(using)
            .select_related("draft")
            .filter(session_key=_KEY, expire_date__gt=_NOW)
        )
        compiler = rows.query.get_compiler(using)
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.key_at = self.params.index(self.key_field.get_db_prep_value(_KEY, connection))
        self.now_at = self.params.index(self.now_field.get_db_prep_value(_NOW, connection))
        session_info = compiler.klass_info
        [draft_info] = session_info["related_klass_infos"]
        columns = [expression for expression, _sql, _alias in compiler.select]
        self.session_fields = [columns[i].target.attname for i in session_info["select_fields"]]
        self.draft_fields = [columns[i].target.attname for i in draft_info["select_fields"]]
        if session_info["select_fields"] + draft_info["select_fields"] != [*range(len(columns))]:
            raise AssertionError("the session's query selects its columns in another order")
        self.draft_pk_at = self.draft_fields.index(self.draft_model._meta.pk.attname)
        # The converters the ORM applies to each column (apply_converters): a backend's are
        # methods of one connection's ops, kept as functions to run with the caller's own.
        self.converters = [
            (at, [_converter(convert, connection.ops) for convert in converters], expression)
            for at, (converters, expression) in compiler.get_converters(columns).items()
        ]


def _converter(convert, ops):
    if getattr(convert, "__self__", None) is ops:
        return convert.__func__, True
    return convert, False


_KEY = "?"  # stand-ins for the values of _session_query's SQL
_NOW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@functools.cache
def _session_query(using: str, vendor: str) -> _SessionQuery:
    """The session's query built by the ORM once per process and database (building and
    compiling it for every page cost about as much as the round trip)."""
    return _SessionQuery(using)
