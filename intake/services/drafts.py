"""Drafts: a person's answers in progress, kept in the database between steps.

A draft is reached two ways: from the browser session that started it, and from a private
resume link carrying a random token. Only the token's SHA-256 is stored, so a database leak
does not hand out working links. Drafts live DRAFT_TTL (7 days) after the last saved step;
``manage.py purge_drafts`` deletes the expired ones.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists
from django.urls import reverse
from django.utils import timezone

from intake import catalog
from intake.draft_document import build_document
from intake.models import Draft, Intake, RoutingDecision
from intake.references import new_reference
from intake.services import one_statement
from intake.services.intakes import ConsentData, intake_submit, intake_submit_guarded

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def resume_url(token: str, *, base_url: str = "") -> str:
    """The private resume link for ``token`` (a path, or absolute with ``base_url``)."""
    return base_url.rstrip("/") + reverse("intake:resume", args=[token])


@transaction.atomic
def draft_create(
    *,
    answers: dict | None = None,
    completed_steps: list | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Draft, str]:
    """A new draft and its raw resume token (shown once; only its hash is kept).

    ``answers`` maps step ids to what each step's form stored (see intake/draft_document.py,
    ``EXAMPLE_ANSWERS`` and ``EXAMPLE_COMPLETED_STEPS`` for a half-finished example).
    """
    explicit_clock = now is not None
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    draft = Draft(
        token_hash=token_hash(token),
        answers=dict(answers or {}),
        completed_steps=list(completed_steps or []),
        expires_at=now + settings.DRAFT_TTL,
    )
    draft.full_clean()
    draft.save()
    if explicit_clock:
        # created_at is auto_now_add; keep an explicit clock consistent for tests and demos.
        Draft.objects.filter(pk=draft.pk).update(created_at=now, updated_at=now)
        draft.created_at = draft.updated_at = now
    return draft, token


def draft_for_session(*, draft_id: str | None) -> Draft | None:
    """The draft a browser session points at, submitted or not; None if gone or malformed."""
    if not draft_id:
        return None
    try:
        key = uuid.UUID(str(draft_id))
    except ValueError:
        return None
    return Draft.objects.filter(pk=key).first()


def draft_for_token(*, token: str) -> Draft | None:
    if not token or len(token) > 128:
        return None
    return Draft.objects.filter(token_hash=token_hash(token)).first()


def draft_is_expired(draft: Draft, *, now: datetime.datetime | None = None) -> bool:
    return draft.expires_at <= (now or timezone.now())


@transaction.atomic
def draft_save_step(
    *, draft_id: uuid.UUID, step_id: str, data: dict, now: datetime.datetime | None = None
) -> Draft:
    """Store one step's answers and mark it finished; the draft lives DRAFT_TTL from now.

    The row is locked first: two devices saving different steps at once must not lose one.
    """
    now = now or timezone.now()
    draft = Draft.objects.select_for_update().get(pk=draft_id)
    draft.answers = {**draft.answers, step_id: data}
    if step_id not in draft.completed_steps:
        draft.completed_steps = [*draft.completed_steps, step_id]
    draft.expires_at = now + settings.DRAFT_TTL
    draft.save(update_fields=["answers", "completed_steps", "expires_at", "updated_at"])
    return draft


def draft_lock(
    *, draft_id: uuid.UUID, reference: str = "", reserve_ids: bool = False
) -> Draft | None:
    """The draft row, locked until the caller's transaction ends (submit runs once).

    With ``reference`` (a new code for the intake) the same query says whether an intake has
    that code already (``draft.reference_taken``): the submit needs no round trip of its own
    to find its code unused. With ``reserve_ids`` (PostgreSQL) it also takes the ids of the
    intake and of its routing decision from their sequences (``draft.new_intake_id``,
    ``draft.new_decision_id``), so that the submit writes every row in one statement."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("draft_lock must run inside transaction.atomic()")
    query = _lock_query(connection.vendor, bool(reference), reserve_ids)
    params = list(query.params)
    params[query.id_at] = Draft._meta.pk.get_db_prep_value(draft_id, connection)
    if reference:
        params[query.reference_at] = reference
    with connection.cursor() as cursor:
        cursor.execute(query.sql, params)
        row = cursor.fetchone()
    return None if row is None else query.draft(row, connection)


_ID, _REFERENCE = uuid.UUID(int=1), "?"  # stand-ins for the values of _lock_query's SQL


@dataclass(frozen=True)
class _LockQuery:
    sql: str
    params: tuple  # with stand-ins at id_at and reference_at
    id_at: int
    reference_at: int | None
    fields: tuple[str, ...]  # the columns' attnames, then the annotations' names
    converters: tuple  # (position, the ORM's converters of its value, its expression)

    def draft(self, row: tuple, connection) -> Draft:
        """The row as the ORM would give it (its values converted, e.g. JSON decoded)."""
        values = list(row)
        for at, converters, expression in self.converters:
            for convert in converters:
                values[at] = convert(values[at], expression, connection)
        columns = len(Draft._meta.concrete_fields)
        draft = Draft.from_db(connection.alias, self.fields[:columns], values[:columns])
        for name, value in zip(self.fields[columns:], values[columns:], strict=True):
            setattr(draft, name, value)
        return draft


@functools.cache
def _lock_query(vendor: str, with_reference: bool, reserve_ids: bool) -> _LockQuery:
    """draft_lock's query, made by the ORM once per process (building it again for every
    submit cost about as much as a round trip): its SQL, its parameters with stand-ins and
    where in them the draft's id and the reference go, and how the ORM reads its row (run
    through a cursor, not a RawQuerySet, whose column mapping costs about as much again)."""
    rows = Draft.objects.select_for_update().filter(pk=_ID)
    if with_reference:
        rows = rows.annotate(reference_taken=Exists(Intake.objects.filter(reference=_REFERENCE)))
    if reserve_ids:
        rows = rows.annotate(new_intake_id=one_statement.next_id(Intake),
                             new_decision_id=one_statement.next_id(RoutingDecision))  # fmt: skip
    compiler = rows.order_by("pk")[:1].query.get_compiler(connection=transaction.get_connection())
    sql, params = compiler.as_sql()  # as first() would
    params = tuple(params)
    id_at = params.index(Draft._meta.pk.get_db_prep_value(_ID, compiler.connection))
    expressions = [expression for expression, _sql, _alias in compiler.select]
    fields = [None] * len(expressions)
    for at in compiler.klass_info["select_fields"]:
        fields[at] = expressions[at].target.attname
    for name, at in compiler.annotation_col_map.items():
        fields[at] = name
    columns = [field.attname for field in Draft._meta.concrete_fields]
    if fields[: len(columns)] != columns:  # what _LockQuery.draft() reads
        raise RuntimeError("draft_lock: the query's first columns are not the draft's")
    converters = tuple(
        (at, tuple(converters), expression)
        for at, (converters, expression) in compiler.get_converters(expressions).items()
    )
    return _LockQuery(sql, params, id_at, params.index(_REFERENCE) if with_reference else None,
                      tuple(fields), converters)  # fmt: skip


@transaction.atomic(savepoint=False)  # part of the submit: no savepoint of its own
def draft_mark_submitted(
    *, draft: Draft, intake: Intake, now: datetime.datetime | None = None
) -> Draft:
    """Forget the answers (the intake holds them now); keep the link to the intake, so a
    replayed submit or an old resume link shows the confirmation again and nothing else."""
    draft.save(update_fields=_marked_submitted(draft, intake_id=intake.pk, now=now)[1])
    draft.submitted_intake = intake
    return draft


def _marked_submitted(
    draft: Draft, *, intake_id: int | None, now: datetime.datetime | None
) -> tuple[Draft, list[str]]:
    """The draft as draft_mark_submitted leaves it, unsaved, and the fields to write."""
    draft.answers = {}
    draft.completed_steps = []
    draft.submitted_intake_id = intake_id
    draft.submitted_at = now or timezone.now()
    return draft, ["answers", "completed_steps", "submitted_intake", "submitted_at",
                   "updated_at"]  # fmt: skip


def draft_submit(
    *,
    draft_id: uuid.UUID,
    consent: ConsentData,
    is_ready: Callable[[dict, list[str]], bool],
    language: str = "en",
    now: datetime.datetime | None = None,
    rider: one_statement.Rider | None = None,
    seen: Draft | None = None,
) -> int | None:
    """Submit a draft once; the id of its intake, or None when it is gone or not ready.

    ``is_ready(answers, completed_steps)`` is the wizard's own test (every step that applies
    is complete). ``language`` is the language of the pages the person read (staff call with
    a speaker of it). Raises intake.schema.DocumentError if the answers give an invalid
    document. ``rider`` (PostgreSQL): an UPDATE written in the statement that stores the
    intake (the view's: the session, so that the request writes it in no round trip and
    commit of its own); ``rider.found`` says whether it wrote its row. SQLite ignores it.

    ``seen`` (PostgreSQL): the draft as the caller read it (the view, with the session). If it
    is still so when written, the intake is stored as it says in one statement and one round
    trip, with no lock: the statement marks the draft submitted only if it is unchanged and
    unsubmitted, and stores nothing otherwise (intake_submit_guarded). Otherwise, and
    without ``seen``, the draft is read again under its row lock (_submit_locked): a double
    click or a replayed POST waits there and then finds the intake the first request made.
    """
    submit = _Submit(consent, is_ready, language, now or timezone.now(), rider)
    if seen is not None and not seen.submitted_intake_id and one_statement.supported():
        if seen.pk != draft_id:
            raise ValueError("draft_submit: seen is another draft")
        intake_id = _submit_as_seen(seen, submit)
        if intake_id is not None:
            return intake_id
    return _submit_locked(draft_id, submit)


@dataclass(frozen=True)
class _Submit:
    """What draft_submit was asked, for either way it stores the intake."""

    consent: ConsentData
    is_ready: Callable[[dict, list[str]], bool]
    language: str
    now: datetime.datetime
    rider: one_statement.Rider | None


def _document(answers: dict, *, language: str, reference: str | None) -> dict:
    """The intake document of a draft's answers, in the language the person read, with the
    reference code the intake is to have (None: intake_submit picks one)."""
    document = build_document(answers)
    contact = document.setdefault("contact", {})
    if language in catalog.codes(catalog.LANGUAGES):
        contact["language"] = language
    if reference:
        contact["reference"] = reference
    return document


def _submit_as_seen(seen: Draft, submit: _Submit) -> int | None:
    """The intake of ``seen``'s answers in one statement, if the draft is still as seen; else
    None, with nothing written (draft_submit then takes the lock)."""
    now = submit.now
    if not submit.is_ready(seen.answers, seen.completed_steps):
        return None
    connection = transaction.get_connection()
    updated_at = Draft._meta.get_field("updated_at").get_db_prep_value(seen.updated_at, connection)
    # A copy: the caller's draft keeps its answers (to show them again should this fail).
    marked, fields = _marked_submitted(copy.copy(seen), intake_id=None, now=now)
    qn = connection.ops.quote_name
    guard = one_statement.update(
        marked,
        fields,
        expressions={"submitted_intake": one_statement.next_id_sql(Intake)},
        where=f"{qn('updated_at')} = %s AND {qn('submitted_intake_id')} IS NULL",
        where_params=[updated_at],
        returning=f"{qn('submitted_intake_id')} AS intake_id, "
        f"{one_statement.next_id_sql(RoutingDecision)} AS decision_id",
    )
    intake = intake_submit_guarded(
        document=_document(seen.answers, language=submit.language, reference=new_reference()),
        consent=submit.consent,
        submission_key=str(seen.pk),
        guard=guard,
        now=now,
        rider=submit.rider,
    )
    return None if intake is None else intake.pk


@transaction.atomic
def _submit_locked(draft_id: uuid.UUID, submit: _Submit) -> int | None:
    """draft_submit under the draft's row lock, held until the intake is stored: the answers
    are read again under it, since another tab may have changed them. On PostgreSQL the
    rider is built with the new intake's id."""
    consent, now, rider = submit.consent, submit.now, submit.rider
    reference = new_reference()
    # PostgreSQL: the ids reserved with the lock; the intake, its rows, its decision and the
    # draft's update are then one statement (SQLite: the ORM writes them one by one).
    in_one_statement = one_statement.supported()
    draft = draft_lock(draft_id=draft_id, reference=reference, reserve_ids=in_one_statement)
    if draft is None:
        return None
    if draft.submitted_intake_id:
        return draft.submitted_intake_id
    if not submit.is_ready(draft.answers, draft.completed_steps):
        return None
    # Should the code be taken (one chance in 10^12), intake_submit picks another.
    document = _document(draft.answers, language=submit.language,
                         reference=None if draft.reference_taken else reference)  # fmt: skip
    if in_one_statement:
        ids = (draft.new_intake_id, draft.new_decision_id)
        intake = intake_submit(
            document=document,
            consent=consent,
            submission_key=str(draft.pk),
            now=now,
            key_locked=True,  # the draft's row lock: nobody else is submitting it
            reserved_ids=ids,
            also_update=_marked_submitted(draft, intake_id=ids[0], now=now),
            rider=rider,
        )
        draft.submitted_intake = intake
        return intake.pk
    intake = intake_submit(
        document=document,
        consent=consent,
        submission_key=str(draft.pk),
        now=now,
        key_locked=True,
    )
    draft_mark_submitted(draft=draft, intake=intake, now=now)
    return intake.pk


@transaction.atomic
def drafts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every expired draft, submitted or not; returns how many."""
    deleted, _ = Draft.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
