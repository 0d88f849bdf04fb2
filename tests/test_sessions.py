"""The session engine (intake/sessions.py): the session read with its draft in one query, an
existing session written by one UPDATE outside a transaction, the move of the old sessions."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.middleware import EXPIRY_KEY, PATIENT_SEEN_KEY
from intake.models import Draft, Intake, Session
from intake.public.views import SESSION_DONE, SESSION_DRAFT
from intake.services.drafts import draft_create, draft_save_step
from intake.sessions import SessionStore, session_model
from tests.test_submit_statements import activity_a_minute_old
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, draft_of

ABOUT = reverse("intake:step", args=["about"])


def _sql(ctx) -> list[str]:
    return [query["sql"] for query in ctx.captured_queries]


def _seen_long_ago(client) -> None:
    """The patient's activity clock a while back: the next request writes the session."""
    session = client.session
    session[PATIENT_SEEN_KEY] = int(time.time()) - 120
    session.save()


def test_the_engine_is_intakes_own():
    assert session_model() is Session
    assert Session.get_session_store_class() is SessionStore


# --- The draft read with the session -----------------------------------------------------------


def test_a_step_page_reads_the_session_and_its_draft_in_one_query(db, client):
    Walk(client).run(until="together")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ABOUT).status_code == 200
    [query] = _sql(ctx)
    assert 'FROM "intake_session" LEFT OUTER JOIN "intake_draft"' in query
    draft = Draft.objects.get()
    assert Session.objects.get().draft_id == draft.pk


def test_a_draft_changed_by_another_browser_is_seen_at_once(db, client):
    Walk(client).run(until="together")
    other = Client()
    other.get(reverse("intake:resume", args=[client.session["intake_token"]]))
    changed = {**DEFAULT_POSTS["about"], "first_name": "Robin"}
    assert other.post(ABOUT, changed).status_code == 302

    page = client.get(ABOUT)
    assert page.context["form"].initial["first_name"] == "Robin"


def test_a_draft_submitted_elsewhere_shows_the_confirmation(db, client):
    Walk(client).run(until="review")
    other = Client()
    other.get(reverse("intake:resume", args=[client.session["intake_token"]]))
    review = reverse("intake:step", args=["review"])
    assert other.post(review, DEFAULT_POSTS["review"])["Location"] == reverse("intake:done")

    assert client.get(ABOUT)["Location"] == reverse("intake:done")


def test_a_draft_expired_or_purged_since_starts_again(db, client):
    Walk(client).run(until="together")
    Draft.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(ABOUT)["Location"] == reverse("intake:start")
    Draft.objects.all().delete()  # the session's column now points at no draft
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ABOUT)["Location"] == reverse("intake:start")
    assert len(ctx.captured_queries) == 1


def test_the_draft_read_is_handed_out_once_and_only_for_its_id(db):
    draft, _token = draft_create()
    store = SessionStore()
    store[SESSION_DRAFT] = str(draft.pk)
    store.create()

    again = SessionStore(store.session_key)
    assert again[SESSION_DRAFT] == str(draft.pk)
    assert again.draft_read("another id") == (False, None)
    again = SessionStore(store.session_key)
    again.load()
    draft_save_step(draft_id=draft.pk, step_id="about", data={"first_name": "A"})
    read, row = again.draft_read(str(draft.pk))
    assert read and row.pk == draft.pk and row.answers == {}  # as the session's query read it
    assert again.draft_read(str(draft.pk)) == (False, None)  # later: from the database


def test_a_session_whose_column_lags_its_data_reads_the_draft_apart(db, client):
    """A row written without the column (as one moved by the migration might be) still finds
    its draft: a query of its own, then the next save fills the column."""
    Walk(client).run(until="together")
    _seen_long_ago(client)  # this request writes the session
    Session.objects.update(draft=None)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ABOUT).status_code == 200
    # The session, the draft, and the session written (with a savepoint pair: Django's save,
    # in the test's transaction).
    assert len(ctx.captured_queries) == 5
    assert Session.objects.get().draft_id == Draft.objects.get().pk


def test_a_session_points_at_the_draft_its_data_names(db, client):
    Walk(client).run(until="together")
    first = Draft.objects.get()
    assert Session.objects.get().draft_id == first.pk
    client.post(reverse("intake:start"))  # a new intake in the same browser
    second = Draft.objects.exclude(pk=first.pk).get()
    assert Session.objects.get().draft_id == second.pk
    client.post(reverse("intake:forget"))
    assert not Session.objects.filter(draft__isnull=False).exists()


def test_staff_sessions_point_at_no_draft(db, client, coordinator):
    client.force_login(coordinator)
    assert Session.objects.get().draft_id is None


# --- The session's query compiled once (_session_query) ----------------------------------------


def _orm_read(key: str):
    """What the engine ran before: the ORM's query, built and compiled for the call."""
    return (
        Session.objects.select_related("draft")
        .filter(session_key=key, expire_date__gt=timezone.now())
        .first()
    )


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _sessions_of_every_kind() -> dict[str, str]:
    """Session keys: with a draft that has answers, pointing at a purged draft, with no draft,
    expired."""
    draft, _token = draft_create()
    draft_save_step(draft_id=draft.pk, step_id="about", data={"first_name": "Ana", "n": 3})
    purged, _token = draft_create()
    keys = {}
    for kind, draft_id in (("draft", draft.pk), ("purged", purged.pk), ("none", None),
                           ("expired", draft.pk)):  # fmt: skip
        store = SessionStore()
        if draft_id:
            store[SESSION_DRAFT] = str(draft_id)
        store["kind"] = kind
        if kind == "expired":
            store.set_expiry(-1)
        store.create()
        keys[kind] = store.session_key
    Draft.objects.filter(pk=purged.pk).delete()
    return keys


def test_the_compiled_query_reads_what_the_orms_query_reads(db, django_assert_num_queries):
    keys = _sessions_of_every_kind()
    for kind, key in {**keys, "unknown": "x" * 32}.items():
        expected = _orm_read(key)
        with django_assert_num_queries(1):
            session = SessionStore(key)._get_session_from_db()
            draft = session and session.draft  # cached: no query of its own
        if expected is None:
            assert kind in ("expired", "unknown") and session is None
            continue
        assert type(session) is Session and _fields(session) == _fields(expected), kind
        assert session._state.db == expected._state.db and not session._state.adding
        assert (draft is None) == (expected.draft is None) == (kind != "draft"), kind
    session = SessionStore(keys["draft"])._get_session_from_db()
    draft = session.draft
    assert _fields(draft) == _fields(Draft.objects.get(pk=draft.pk))
    assert draft.answers == {"about": {"first_name": "Ana", "n": 3}}  # JSON decoded
    assert draft.completed_steps == ["about"]
    assert timezone.is_aware(session.expire_date) and timezone.is_aware(draft.updated_at)
    assert isinstance(session.draft_id, uuid.UUID) and isinstance(draft.pk, uuid.UUID)


def test_the_compiled_query_is_the_orms_sql_built_once(db):
    from intake.sessions import _session_query

    keys = _sessions_of_every_kind()
    _session_query.cache_clear()
    with CaptureQueriesContext(connection) as ctx:
        for key in keys.values():
            SessionStore(key).load()
    assert _session_query.cache_info().misses == 1  # then reused
    assert len(ctx.captured_queries) == len(keys)
    assert all('FROM "intake_session" LEFT OUTER JOIN "intake_draft"' in q for q in _sql(ctx))
    orm = Session.objects.select_related("draft").filter(
        session_key=keys["draft"], expire_date__gt=timezone.now()
    )
    query = _session_query(connection.alias, connection.vendor)
    assert query.sql == orm.query.sql_with_params()[0]  # get() adds only its LIMIT


def test_an_expired_session_loads_empty_and_forgets_its_key(db):
    keys = _sessions_of_every_kind()
    store = SessionStore(keys["expired"])
    assert store.load() == {} and store.session_key is None
    assert store.draft_read(None) == (False, None)
    store = SessionStore(keys["purged"])
    assert store.load()["kind"] == "purged"
    assert store.draft_read(store[SESSION_DRAFT]) == (True, None)  # read: no such draft


# --- An existing session written in one statement ----------------------------------------------


def _session_writes(sql: list[str]) -> list[str]:
    return [query for query in sql if "intake_session" in query]


def _transactions(sql: list[str]) -> list[str]:
    return [query for query in sql if query.startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]


@pytest.mark.django_db(transaction=True)
def test_a_step_post_writes_the_session_in_one_update(client):
    Walk(client).run(until="together")
    _seen_long_ago(client)
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(ABOUT, DEFAULT_POSTS["about"]).status_code == 302
    sql = _sql(ctx)
    # The session with its draft; BEGIN, the draft locked and saved, COMMIT; then the
    # session's activity clock written by one UPDATE, in no transaction of its own (Django's
    # save added BEGIN and COMMIT around it: 8 statements, 3 of them for the session).
    assert len(sql) == 6, sql
    read, update = _session_writes(sql)
    assert 'FROM "intake_session" LEFT OUTER JOIN "intake_draft"' in read
    assert sql[-2:] == ["COMMIT", update] and update.startswith('UPDATE "intake_session" SET')
    assert len(_transactions(sql)) == 2  # the draft's BEGIN and COMMIT
    assert Session.objects.get().get_decoded()[PATIENT_SEEN_KEY] > time.time() - 60


@pytest.mark.django_db(transaction=True)
def test_the_submit_notes_the_intake_in_the_session_in_one_update(client):
    Walk(client).run(until="review")
    _seen_long_ago(client)  # the activity clock is written too
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("intake:step", args=["review"]), DEFAULT_POSTS["review"])
    assert response["Location"] == reverse("intake:done")
    sql = _sql(ctx)
    intake = Intake.objects.get()
    data = Session.objects.get().get_decoded()
    if connection.vendor == "postgresql":
        # In the statement that stores the intake, its own transaction: no UPDATE (and no
        # commit waiting for the disk) of its own after the view (it was BEGIN, UPDATE, COMMIT).
        # The statement takes the intake's id itself: the confirmation finds the intake
        # through the session's draft, marked submitted with it.
        assert sql == _session_writes(sql)  # the session read with its draft, the statement
        [read, statement] = sql
        assert statement.startswith("WITH ") and 'UPDATE "intake_session" SET' in statement
        assert SESSION_DONE not in data and draft_of(client).submitted_intake == intake
    else:
        # The submit's own transaction, then the intake noted in the session: one UPDATE.
        assert sql[-2:] == ["COMMIT", sql[-1]] and sql[-1].startswith('UPDATE "intake_session"')
        assert len(_session_writes(sql)) == 2  # read with the draft, written once
        assert [query.split()[0] for query in _transactions(sql)] == ["BEGIN", "COMMIT"]
        assert data[SESSION_DONE] == intake.pk
    # What PatientSessionMiddleware keeps for a patient: the clock, a browser-session cookie.
    assert data[PATIENT_SEEN_KEY] > time.time() - 60 and data[EXPIRY_KEY] == 0
    assert response.cookies["sessionid"].value == client.session.session_key
    assert client.get(reverse("intake:done")).status_code == 200


def test_a_submit_with_a_fresh_activity_clock_writes_the_same_session(db, client):
    Walk(client).run(until="review")
    before = Session.objects.get().get_decoded()
    client.post(reverse("intake:step", args=["review"]), DEFAULT_POSTS["review"])
    after = Session.objects.get().get_decoded()
    # On PostgreSQL the confirmation finds the intake through the draft (the statement takes
    # its id itself): the session is written as it was.
    noted = {} if connection.vendor == "postgresql" else {SESSION_DONE: Intake.objects.get().pk}
    assert after == {**before, **noted}


def test_a_session_deleted_during_the_submit_keeps_the_intake_and_is_interrupted(
    db, client, monkeypatch
):
    """The session's row gone between its read and the submit's statement: the intake is
    stored, and the request ends as Django ends it when a session vanished (a 400)."""
    from intake.services import drafts

    document = drafts._document

    def end_the_session_then_write(*args, **kwargs):
        Session.objects.all().delete()  # ended elsewhere, once the submit has read the draft
        return document(*args, **kwargs)

    monkeypatch.setattr(drafts, "_document", end_the_session_then_write)
    Walk(client).run(until="review")
    activity_a_minute_old(client)  # the submit has the session's clock to write
    response = client.post(reverse("intake:step", args=["review"]), DEFAULT_POSTS["review"])
    assert response.status_code == 400
    assert Draft.objects.get().submitted_intake == Intake.objects.get()


def test_a_rider_that_found_its_row_leaves_save_nothing_to_write(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    rider = store.rider(lambda row_id: {"noted": row_id})
    statement = rider.build(7)
    assert store.get("noted") is None  # not before the rider wrote it
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        rider.found = cursor.rowcount == 1
    assert store.rider_written(rider) and store["noted"] == 7
    assert SessionStore(store.session_key).load() == {"x": 1, "noted": 7}
    with CaptureQueriesContext(connection) as ctx:
        store.save()
    assert not ctx.captured_queries
    store["x"] = 2  # changed again: written as before
    store.save()
    assert SessionStore(store.session_key).load() == {"x": 2, "noted": 7}


def test_a_rider_with_nothing_to_change_writes_nothing(db):
    created = SessionStore()
    created["x"] = 1
    created.create()
    store = SessionStore(created.session_key)
    assert store["x"] == 1  # loaded, unchanged
    rider = store.rider(lambda row_id: {})
    assert rider.build(7) is None  # no UPDATE to ride along
    assert store.rider_written(rider)  # as good as written: the view notes nothing more
    with CaptureQueriesContext(connection) as ctx:
        store.save()
    assert not ctx.captured_queries
    store["x"] = 2  # a session changed in the request: the rider writes it
    rider = store.rider(lambda row_id: {})
    assert rider.build(7) is not None


def test_a_rider_that_found_no_row_changes_nothing(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    rider = store.rider(lambda row_id: {"noted": row_id})
    rider.build(7)
    assert not store.rider_written(rider)  # found stays False
    assert "noted" not in store
    assert SessionStore().rider(lambda row_id: {}).build(7) is None  # a new session: save()


@pytest.mark.django_db(transaction=True)
def test_a_session_deleted_meanwhile_is_not_written_back(client):
    store = SessionStore()
    store["x"] = 1
    store.create()
    store.load()
    Session.objects.all().delete()
    store["x"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_a_session_deleted_meanwhile_in_a_transaction(db):
    """Inside a transaction Django's own save runs (with its savepoint): the same error."""
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.all().delete()
    store["x"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert Draft.objects.count() == 0  # the test's transaction is still usable


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_session_was_ended_meanwhile_is_interrupted():
    """Django's SessionInterrupted (a 400) when the row went during the request, as before."""
    from django.contrib.sessions.exceptions import SessionInterrupted
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    store = SessionStore()
    store["x"] = 1
    store.create()

    def view(request):
        request.session["x"] = 2
        Session.objects.all().delete()  # ended elsewhere: signed out, revoked
        return HttpResponse()

    request = RequestFactory().get("/")
    request.COOKIES["sessionid"] = store.session_key
    with pytest.raises(SessionInterrupted):
        SessionMiddleware(view)(request)


def test_clearsessions_deletes_the_expired_sessions(db):
    now = timezone.now()
    for key, days in (("a" * 32, -1), ("b" * 32, 1)):
        Session.objects.create(session_key=key, session_data="",
                               expire_date=now + datetime.timedelta(days=days))  # fmt: skip
    call_command("clearsessions")
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


# --- The move from django_session (migration 0015) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_live_sessions_with_their_drafts(coordinator):
    from django.db.migrations.executor import MigrationExecutor

    before = [("intake", "0014_overdue_count_index_only")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    draft, _token = draft_create()
    patient = DjangoSessionStore()  # as Django's engine wrote them
    patient[SESSION_DRAFT] = str(draft.pk)
    patient[PATIENT_SEEN_KEY] = int(time.time())
    patient.create()
    staff = DjangoSessionStore()
    staff["_auth_user_id"] = str(coordinator.pk)
    staff.create()
    staff_key = staff.session_key
    expired = DjangoSessionStore()
    expired["x"] = 1
    expired.set_expiry(-1)
    expired.create()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.sessions.models import Session as DjangoSession

    assert not DjangoSession.objects.exists()
    moved = dict(Session.objects.values_list("session_key", "draft_id"))
    assert moved == {patient.session_key: draft.pk, staff_key: None}
    # Nobody is signed out: the moved sessions read as before.
    browser = Client()
    browser.cookies["sessionid"] = patient.session_key
    assert browser.get(reverse("intake:start")).context["resume_step"] is not None
    assert SessionStore(staff_key).get("_auth_user_id") == str(coordinator.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert set(DjangoSession.objects.values_list("session_key", flat=True)) == {
        patient.session_key,
        staff_key,
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
