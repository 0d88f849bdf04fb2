"""The final submit's statements: on PostgreSQL the draft's lock (which also reserves the ids of
the intake and its decision) and one statement for every row; on SQLite the ORM's statement a
row. Both must write the same rows (intake/services/one_statement.py)."""

from __future__ import annotations

import datetime
import re
import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.middleware import PATIENT_SEEN_KEY, REFRESH_AFTER
from intake.models import (
    Alert,
    Consent,
    Draft,
    Intake,
    IntakeEvent,
    RoutingDecision,
    Session,
    SubstanceUse,
)
from intake.services import drafts, one_statement
from intake.services.intakes import ConsentData
from tests.test_wizard_emergency import symptoms_post
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for, draft_of

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement is PostgreSQL's (data-modifying WITH)"
)
REVIEW = reverse("intake:step", args=["review"])


def _kind(sql: str) -> str:
    """A statement's verb and tables, e.g. 'INSERT intake_intake'."""
    if sql.startswith("WITH "):
        writes = re.findall(r'(INSERT INTO|UPDATE) "(\w+)"', sql)
        return "WITH " + ", ".join(f"{verb.split()[0]} {table}" for verb, table in writes)
    verb = sql.split()[0]
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    table = re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)[-1]  # after any subquery's
    return f"{verb} {table}" + (" FOR UPDATE" if sql.endswith("FOR UPDATE") else "")


def activity_a_minute_old(client) -> None:
    """The session's activity clock as a person's who read the review page for a minute:
    the submit writes it anew (PatientSessionMiddleware's, in the submit's statement)."""
    session = client.session
    session[PATIENT_SEEN_KEY] = int(time.time()) - REFRESH_AFTER - 1
    session.save()


@postgresql_only
def test_a_submit_on_postgresql_is_one_statement_after_the_session(db, client):
    Walk(client).run(until="review")
    activity_a_minute_old(client)
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(REVIEW, DEFAULT_POSTS["review"]).status_code == 302
    statements = [q["sql"] for q in ctx.captured_queries]
    # (The savepoint is the test's transaction's: in production the statement is a transaction
    # of its own, with no BEGIN or COMMIT of ours.) No lock: the draft read with the session
    # is marked submitted only if it is unchanged, and every row takes its ids from that.
    assert [_kind(sql) for sql in statements] == [
        "SELECT intake_session",  # with the draft (intake/sessions.py)
        "SAVEPOINT",
        "WITH UPDATE intake_draft, INSERT intake_intake, INSERT intake_routingdecision, "
        "INSERT intake_intakeevent, INSERT intake_substanceuse, INSERT intake_consent, "
        "UPDATE intake_session",
        "RELEASE",
    ]
    statement = statements[2]
    assert "nextval(pg_get_serial_sequence('intake_intake', 'id')::regclass)" in statement
    assert "nextval(pg_get_serial_sequence('intake_routingdecision', 'id')::regclass)" in statement
    # (Prepared: the values are sent apart, $1, $2...)
    assert re.search(r'"updated_at" = \$\d+ AND "submitted_intake_id" IS NULL RETURNING', statement)
    # No UPDATE of the intake: it is inserted pointing at its decision.
    intake = Intake.objects.get()
    assert intake.current_decision == RoutingDecision.objects.get(intake=intake)
    assert draft_of(client).submitted_intake == intake
    assert client.get(reverse("intake:done")).context["intake"] == intake
    assert client.session[PATIENT_SEEN_KEY] >= int(time.time()) - 5  # the session's clock


@postgresql_only
def test_a_submit_whose_session_has_nothing_new_leaves_the_session_row_alone(db, client):
    # The activity clock was written less than a minute ago (the review page's GET): nothing
    # in the session changes, so the statement writes the intake and not the session (as
    # save() writes nothing for a session that did not change), and nothing is written after.
    Walk(client).run(until="review")
    session = client.session
    session[PATIENT_SEEN_KEY] = int(time.time())  # however long the walk took
    session.save()
    before = Session.objects.get(session_key=client.session.session_key)
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(REVIEW, DEFAULT_POSTS["review"]).status_code == 302
    kinds = [_kind(q["sql"]) for q in ctx.captured_queries]
    assert kinds == [
        "SELECT intake_session",
        "SAVEPOINT",
        "WITH UPDATE intake_draft, INSERT intake_intake, INSERT intake_routingdecision, "
        "INSERT intake_intakeevent, INSERT intake_substanceuse, INSERT intake_consent",
        "RELEASE",
    ]
    after = Session.objects.get(session_key=before.session_key)
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)
    # The confirmation finds the intake through the session's draft.
    intake = Intake.objects.get()
    assert client.get(reverse("intake:done")).context["intake"] == intake


def _consent(now: datetime.datetime) -> ConsentData:
    return ConsentData(text_version="2024-01", contact_ok=True, privacy_acknowledged=True,
                       signature="Dana Rivers", signed_on=now.date(), disclosure_ok=True,
                       disclosure_recipient="Clinic", disclosure_purpose="Care",
                       disclosure_information="All",
                       disclosure_expires=now.date() + datetime.timedelta(days=365))  # fmt: skip


@postgresql_only
def test_a_draft_changed_since_it_was_read_is_submitted_as_it_is_now(db, client):
    """Another tab saved a step between the review's read and its submit: the statement finds
    the draft changed and writes nothing; under the lock the answers are read again."""
    Walk(client).run(until="review")
    seen = draft_of(client)
    drafts.draft_save_step(draft_id=seen.pk, step_id="about",
                           data={**seen.answers["about"], "first_name": "Robin"})  # fmt: skip
    now = timezone.now()
    with CaptureQueriesContext(connection) as ctx:
        intake_id = drafts.draft_submit(draft_id=seen.pk, consent=_consent(now),
                                        is_ready=lambda *_: True, now=now, seen=seen)  # fmt: skip
    kinds = [_kind(q["sql"]) for q in ctx.captured_queries]
    # The statement as read wrote nothing (and failed in nothing); then the lock.
    assert kinds.index("SELECT intake_draft FOR UPDATE") > kinds.index(
        "WITH UPDATE intake_draft, INSERT intake_intake, INSERT intake_routingdecision, "
        "INSERT intake_intakeevent, INSERT intake_substanceuse, INSERT intake_consent"
    )
    assert "ROLLBACK" not in kinds
    intake = Intake.objects.get()
    assert intake.pk == intake_id and intake.first_name == "Robin"
    assert Draft.objects.get(pk=seen.pk).submitted_intake == intake
    assert seen.answers["about"]["first_name"] != "Robin"  # the caller's copy untouched


@postgresql_only
def test_a_draft_submitted_since_it_was_read_gives_the_first_intake(db, client):
    Walk(client).run(until="review")
    seen = draft_of(client)
    now = timezone.now()
    first = drafts.draft_submit(draft_id=seen.pk, consent=_consent(now),
                                is_ready=lambda *_: True, now=now)  # fmt: skip
    again = drafts.draft_submit(draft_id=seen.pk, consent=_consent(now),
                                is_ready=lambda *_: True, now=now, seen=seen)  # fmt: skip
    assert again == first == Intake.objects.get().pk
    assert IntakeEvent.objects.count() == RoutingDecision.objects.count() == 1
    assert Consent.objects.count() == 1


def _submit_both_ways(answers: dict, monkeypatch, *, as_seen: bool = False) -> list[Intake]:
    """The same answers submitted by the ORM path and by one statement (after the lock, or
    ``as_seen``: the draft as read, with no lock), at one time."""
    now = timezone.now().replace(microsecond=0)
    made = []
    for in_one_statement in (False, True):
        draft = draft_of_answers(answers)
        monkeypatch.setattr(one_statement, "supported", lambda v=in_one_statement: v)
        intake_id = drafts.draft_submit(
            draft_id=draft.pk, consent=_consent(now), is_ready=lambda *_: True, language="es",
            now=now, seen=draft if as_seen else None,
        )  # fmt: skip
        made.append(Intake.objects.get(pk=intake_id))
    monkeypatch.undo()
    return made


def draft_of_answers(answers: dict) -> Draft:
    draft, _token = drafts.draft_create(answers=answers, completed_steps=list(answers))
    return draft


def _rows(intake: Intake) -> dict:
    """Every row the submit wrote for ``intake``, without ids and the random reference."""
    ids = ("id", "intake_id", "reference", "submission_key", "current_decision_id", "key")

    def plain(obj) -> dict:
        """Every column (model_to_dict would leave out the fields staff cannot edit)."""
        obj.refresh_from_db()
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
                if f.attname not in ids}  # fmt: skip

    draft = Draft.objects.get(submitted_intake=intake)
    return {
        "intake": plain(intake) | {"symptoms": sorted(s.pk for s in intake.symptoms.all())},
        "points_at_its_decision": intake.current_decision.intake_id == intake.pk,
        "substances": [plain(row) for row in SubstanceUse.objects.filter(intake=intake)],
        "consent": [plain(row) for row in Consent.objects.filter(intake=intake)],
        "events": [plain(row) for row in IntakeEvent.objects.filter(intake=intake)],
        "decisions": [plain(row) for row in RoutingDecision.objects.filter(intake=intake)],
        "alerts": [
            plain(row) | {"key": row.key.replace(str(intake.pk), "ID")}
            for row in Alert.objects.filter(intake=intake)
        ],  # fmt: skip
        "draft": (draft.answers, draft.completed_steps, draft.submitted_at),
    }


@postgresql_only
@pytest.mark.parametrize(
    "changes",
    [{}, {"symptoms": symptoms_post("coma")}],
    ids=["ordinary", "emergency with symptoms and its alert"],
)
@pytest.mark.parametrize("as_seen", [False, True], ids=["after the lock", "as seen"])
def test_one_statement_writes_the_rows_the_orm_writes(
    db, client, settings, monkeypatch, changes, as_seen
):
    settings.ALERT_EMAILS = ["oncall@example.org"]
    Walk(client, answers_for(**changes)).run(until="review")
    answers = draft_of(client).answers
    by_orm, in_one = _submit_both_ways(answers, monkeypatch, as_seen=as_seen)
    assert _rows(in_one) == _rows(by_orm)
    assert _rows(in_one)["points_at_its_decision"]
    if changes:
        assert _rows(in_one)["alerts"] and _rows(in_one)["intake"]["symptoms"]


@postgresql_only
def test_a_replayed_submit_reserves_ids_but_writes_nothing(db, client):
    Walk(client).run(until="review")
    client.post(REVIEW, DEFAULT_POSTS["review"])
    first = Intake.objects.get()
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(REVIEW, DEFAULT_POSTS["review"]).status_code == 302
    assert not [q for q in ctx.captured_queries if "WITH" in q["sql"] or "INSERT" in q["sql"]]
    assert list(Intake.objects.all()) == [first]


def test_rows_are_written_with_their_ids_or_all_without():
    with pytest.raises(ValueError):
        one_statement.insert([IntakeEvent(pk=1, intake_id=1), IntakeEvent(intake_id=1)])


@postgresql_only
def test_a_failing_part_of_the_statement_writes_nothing(db, client, submit, monkeypatch):
    _submit_with_a_taken_reference(client, monkeypatch, existing=submit())


def _submit_with_a_taken_reference(client, monkeypatch, *, existing: Intake) -> None:
    """A code taken between the lock's check and the insert (here: a check told it was free):
    the unique index refuses the intake, and with it every other row of the statement."""
    from django.db import IntegrityError

    monkeypatch.setattr("intake.services.drafts.new_reference", lambda: existing.reference)
    monkeypatch.setattr(drafts, "draft_lock", _lock_that_misses_the_reference(drafts.draft_lock))
    Walk(client).run(until="review")
    with pytest.raises(IntegrityError):
        client.post(REVIEW, DEFAULT_POSTS["review"])
    assert list(Intake.objects.all()) == [existing]
    assert not draft_of(client).submitted_intake_id and draft_of(client).answers


def _lock_that_misses_the_reference(lock):
    def missing(**kwargs):
        draft = lock(**kwargs)
        draft.reference_taken = False
        return draft

    return missing


def test_the_lock_query_made_once_serves_every_draft(db, submit):
    # draft_lock's SQL is built by the ORM once per process; each call puts its own values in.
    from django.db import transaction

    existing = submit()
    first = draft_of_answers({"about": {"first_name": "A"}})
    second = draft_of_answers({"about": {"first_name": "B"}})
    with transaction.atomic():
        locked = drafts.draft_lock(draft_id=str(first.pk), reference=existing.reference)
        assert (locked.pk, locked.answers, locked.reference_taken) == (
            first.pk,
            {"about": {"first_name": "A"}},
            True,
        )
        locked = drafts.draft_lock(draft_id=second.pk, reference="ZZZZ-ZZZZ")
        assert (locked.pk, locked.reference_taken) == (second.pk, False)
        assert drafts.draft_lock(draft_id=first.pk) == first
        assert drafts.draft_lock(draft_id=uuid.uuid4(), reference="ZZZZ-ZZZZ") is None


@postgresql_only
def test_rows_written_only_when_keep_their_types_when_a_column_is_all_null(db, submit):
    # A VALUES list in a subquery types its columns from its values: NULL alone would be text,
    # which no numeric, integer or boolean column takes. The first row casts each value.
    existing = submit()
    taken = SubstanceUse.objects.filter(intake=existing).values_list("substance_id", flat=True)
    others = SubstanceUse._meta.get_field("substance").related_model.objects.exclude(pk__in=taken)
    rows = [SubstanceUse(intake=existing, substance=substance, position=10 + i,
                         frequency="daily") for i, substance in enumerate(others[:2])]  # fmt: skip
    assert rows[0].amount_per_day is rows[0].duration_months is rows[0].prescribed is None
    for when, written in (("FALSE", 0), ("TRUE", 2)):
        with connection.cursor() as cursor:
            cursor.execute(*one_statement.insert(rows, when=when))
        added = SubstanceUse.objects.filter(intake=existing, position__gte=10)
        assert added.count() == written
    assert {(r.amount_per_day, r.duration_months, r.prescribed) for r in added} == {(None,) * 3}


@postgresql_only
def test_values_sent_as_they_are_are_the_values_the_orm_sends(db, submit):
    # one_statement sends a str, bool, date or aware datetime as it is, wraps an int and a
    # dict or list as the ORM does (psycopg's Int2/Int4/Int8, Jsonb with the field's dumps),
    # and passes anything else (a choice, a naive datetime, a number typed as text) through
    # the ORM's conversion: either way each value is the one save() would send, of its type.
    import warnings

    from psycopg.types.json import Jsonb

    intake = submit()
    intake.submitted_at = datetime.datetime(2026, 1, 2, 3, 4, 5)  # naive: made aware
    intake.attempt_count = "3"  # text: to_python makes it an int
    now = timezone.now()
    consent = Consent(intake=intake, agreed_at=now, **_consent(now).__dict__)
    events = IntakeEvent.objects.filter(intake=intake)
    rows = [intake, intake.current_decision, *intake.substance_uses.all(), consent, *events]
    assert len({type(row) for row in rows}) == 5

    def plain(values):
        return [(value.obj, value.dumps) if isinstance(value, Jsonb) else value
                for value in values]  # fmt: skip

    for row in rows:
        fields = row._meta.local_concrete_fields
        columns = [one_statement._Column.of(field, connection) for field in fields]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the naive datetime's
            ours = plain(one_statement._values(row, columns, False, connection))
            orm = plain([field.get_db_prep_save(field.pre_save(row, False), connection)
                         for field in fields])  # fmt: skip
        assert ours == orm
        assert [type(value) for value in ours] == [type(value) for value in orm]
    fields = Intake._meta.local_concrete_fields
    names = [field.name for field in fields]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        columns = [one_statement._Column.of(field, connection) for field in fields]
        sent = one_statement._values(intake, columns, False, connection)
    assert sent[names.index("attempt_count")] == 3
    assert sent[names.index("submitted_at")].tzinfo is not None
    # auto_now fields are never sent as they are: pre_save sets the time.
    assert one_statement._Column.of(Draft._meta.get_field("updated_at"), connection).sends == {}
    # The known conversions were the ones used: an int and JSON without the ORM's chain.
    version = one_statement._Column.of(Intake._meta.get_field("version"), connection)
    assert set(version.sends) == {int, type(None)}
    screening = one_statement._Column.of(Intake._meta.get_field("screening"), connection)
    assert set(screening.sends) == {dict, list, type(None)}


@postgresql_only
def test_one_statement_counts_the_rows_its_last_parts_found(db):
    draft = draft_of_answers({"about": {"first_name": "A"}})
    gone = uuid.uuid4()
    statements = [
        one_statement.update(draft, ["completed_steps"]),
        ('UPDATE "intake_draft" SET "answers" = %s WHERE "id" = %s', ["{}", gone]),
    ]
    assert one_statement.write(statements, counted=2) == [1, 0]
    assert one_statement.write(statements) == [0]  # the last's, as before
    with pytest.raises(ValueError):
        one_statement.write(statements, counted=3)


# --- The COMMIT sent with the statement (one_statement.may_commit) -----------------------------


def _commands_sent(monkeypatch) -> list[bytes]:
    """The commands psycopg sends of its own (BEGIN, COMMIT, ROLLBACK): Django logs a COMMIT
    in connection.queries even when psycopg finds the transaction ended and sends none."""
    import psycopg

    sent = []
    send = psycopg.Connection._exec_command

    def recording(self, command, *args, **kwargs):
        sent.append(bytes(command))
        return send(self, command, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "_exec_command", recording)
    return sent


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_submit_is_one_statement_and_its_own_transaction(client, monkeypatch):
    Walk(client).run(until="review")
    activity_a_minute_old(client)  # the statement writes the session's clock too
    sent = _commands_sent(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(REVIEW, DEFAULT_POSTS["review"]).status_code == 302
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) == 2  # the session with its draft, then the statement
    # The ids the draft's UPDATE took, and whether the session's UPDATE found its row.
    assert re.search(r"RETURNING 1\) SELECT intake_id, decision_id, "
                     r"\(SELECT count\(\*\) FROM w\d\) FROM guard$", statements[1])  # fmt: skip
    assert sent == []  # no BEGIN, no COMMIT: PostgreSQL commits the statement itself
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert draft_of(client).submitted_intake == Intake.objects.get()
    assert client.get(reverse("intake:done")).status_code == 200


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_replayed_statement_writes_nothing_in_its_own_transaction(client, monkeypatch):
    """The same draft as read submitted twice (a second worker, say, that read it before the
    first wrote): the second statement finds the draft submitted and writes nothing, and the
    lock then gives the first intake."""
    Walk(client).run(until="review")
    seen = draft_of(client)
    now = timezone.now()
    first = drafts.draft_submit(draft_id=seen.pk, consent=_consent(now),
                                is_ready=lambda *_: True, now=now, seen=seen)  # fmt: skip
    sent = _commands_sent(monkeypatch)
    written = []
    write = one_statement.write_after

    def recorded(*args, **kwargs):
        written.append(write(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(one_statement, "write_after", recorded)
    again = drafts.draft_submit(draft_id=seen.pk, consent=_consent(now),
                                is_ready=lambda *_: True, now=now, seen=seen)  # fmt: skip
    assert again == first == Intake.objects.get().pk
    # The statement found the draft submitted: no row, and no error (PostgreSQL would log a
    # refused row with its values); then the lock's transaction.
    assert written == [None]
    assert sent == [b"BEGIN", b"COMMIT"]
    assert IntakeEvent.objects.count() == RoutingDecision.objects.count() == 1
    assert connection.get_autocommit() and not connection.in_atomic_block


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_emergency_submit_commits_after_its_alert(client, settings, monkeypatch):
    from django.test.utils import CaptureQueriesContext as Capture

    settings.ALERT_EMAILS = ["oncall@example.org"]
    queued = []
    monkeypatch.setattr("intake.services.alerts.enqueue_send", queued.append)
    Walk(client, answers_for(symptoms=symptoms_post("coma"))).run(until="review")
    sent = _commands_sent(monkeypatch)
    with Capture(connection) as ctx:
        assert client.post(REVIEW, DEFAULT_POSTS["review"]).status_code == 302
    [statement] = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("WITH ")]
    assert not statement.endswith("COMMIT")  # the alert is written after it, in the same
    assert sent == [b"BEGIN", b"COMMIT"]  # transaction, then committed with it
    alert = Alert.objects.get()
    assert alert.intake == Intake.objects.get() and queued == [alert.pk]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_that_fails_before_its_commit_writes_nothing(client, monkeypatch):
    _submit_with_a_taken_reference(client, monkeypatch, existing=_submitted_elsewhere())
    assert connection.get_autocommit() and not connection.in_atomic_block


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_writes_nothing_and_leaves_the_connection_usable(client):
    # A deferred foreign key checked at the COMMIT the statement carries: a rider pointing
    # another intake's substance at no intake.
    from django.db import IntegrityError

    existing = _submitted_elsewhere()
    line = SubstanceUse.objects.filter(intake=existing).first()
    bad = one_statement.Rider(build=lambda intake_id: (
        'UPDATE "intake_substanceuse" SET "intake_id" = %s WHERE "id" = %s', [10**9, line.pk]
    ))  # fmt: skip
    Walk(client).run(until="review")
    with pytest.raises(IntegrityError, match="foreign key"):  # at the COMMIT
        drafts.draft_submit(draft_id=draft_of(client).pk, consent=None,
                            is_ready=lambda *_: True, rider=bad)  # fmt: skip
    assert list(Intake.objects.all()) == [existing]
    assert SubstanceUse.objects.get(pk=line.pk).intake_id == existing.pk
    assert not draft_of(client).submitted_intake_id
    assert connection.get_autocommit() and not connection.in_atomic_block


def _submitted_elsewhere() -> Intake:
    from intake.services.intakes import intake_submit
    from tests.conftest import make_document

    return intake_submit(document=make_document(), consent=None)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_only_the_outermost_transaction_may_be_ended_by_a_statement():
    from django.db import transaction

    assert not one_statement.may_commit()  # no transaction at all
    with transaction.atomic():
        assert one_statement.may_commit()
        with transaction.atomic(savepoint=False):
            assert one_statement.may_commit()  # the same transaction, nothing to release
        with transaction.atomic():
            assert not one_statement.may_commit()  # a savepoint: the caller's transaction
            with pytest.raises(RuntimeError):
                one_statement.write([("SELECT 1", [])], commit=True)
    connection.set_autocommit(False)  # a transaction begun by hand: atomic() does not end it
    try:
        with transaction.atomic():
            assert not one_statement.may_commit()
    finally:
        connection.rollback()
        connection.set_autocommit(True)


def test_in_a_test_case_transaction_no_statement_commits(db):
    from django.db import transaction

    assert not one_statement.may_commit()
    with transaction.atomic(savepoint=False):
        assert not one_statement.may_commit()
