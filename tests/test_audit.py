"""The audit trail: append-only at every layer, and tampering around it is detected."""

import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from intake.db_triggers import APPEND_ONLY_TABLES, drop_statements
from intake.models import AuditEvent, IntakeEvent, RoutingDecision, User
from intake.models.review import ImmutableError
from intake.services.audit import (
    GENESIS,
    audit_record,
    audit_verify,
    audit_verify_and_checkpoint,
    checkpoint_path,
    record_key,
)
from intake.staff import signals  # noqa: F401  (as IntakeConfig.ready() will; see the report)


@pytest.fixture
def trail(db, coordinator):
    """Five chained records, as the staff pages write them."""
    for action in ("login", "view", "note", "view", "logout"):
        audit_record(
            action=action, actor=coordinator, ip_address="192.0.2.1", reference="K7M2-Q9XD"
        )
    return list(AuditEvent.objects.order_by("seq"))


def verify_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def _as_db_owner(sql: str, params=()) -> None:
    """What someone with the database owner's rights can do: drop the triggers, then write.

    Runs inside the test's transaction, so the rollback at the end of the test puts the
    triggers back (DDL is transactional on PostgreSQL and on SQLite)."""
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)
        cursor.execute(sql, params)


def _unkeyed_sha256(values: list) -> str:
    return hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


def test_records_are_numbered_and_chained_with_the_key(trail):
    assert [r.seq for r in trail] == [1, 2, 3, 4, 5]
    assert trail[0].prev_hash == GENESIS
    for before, after in zip(trail, trail[1:], strict=False):
        assert after.prev_hash == before.hash
    key = record_key(settings.AUDIT_KEY_ID)
    assert all(r.key_id == settings.AUDIT_KEY_ID for r in trail)
    assert all(r.hash == r.compute_mac(key) for r in trail)
    # Without the key nobody can make the MAC: not SHA-256 of the same fields, not another key.
    assert trail[2].hash != hashlib.sha256(trail[2].payload()).hexdigest()
    assert trail[2].hash != trail[2].compute_mac(b"guessed key")
    assert (trail[1].actor_username, trail[1].ip_address) == ("alice", "192.0.2.1")


def test_verify_audit_reports_an_intact_chain(trail):
    assert verify_command() == (0, "5 records, chain intact; no checkpoint yet\n", "")


def test_verify_audit_on_an_empty_trail(db):
    assert verify_command()[:2] == (0, "0 records, chain intact; no checkpoint yet\n")


@pytest.mark.parametrize(
    "attempt",
    [
        lambda r: AuditEvent.objects.filter(pk=r.pk).update(detail="edited"),
        lambda r: AuditEvent.objects.filter(pk=r.pk).delete(),
        lambda r: r.save(),
        lambda r: r.delete(),
    ],
    ids=["queryset-update", "queryset-delete", "instance-save", "instance-delete"],
)
def test_the_orm_refuses_to_change_a_record(trail, attempt):
    record = trail[2]
    record.detail = "edited"
    with pytest.raises(ImmutableError):
        attempt(record)
    assert AuditEvent.objects.get(pk=record.pk).detail == ""
    assert audit_verify().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE intake_auditevent SET detail = 'edited' WHERE id = %s",
        "DELETE FROM intake_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_sql_is_refused_by_the_trigger(trail, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [trail[2].pk])
    assert AuditEvent.objects.count() == 5
    assert audit_verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused_on_postgresql(trail, table):
    """SQLite has no TRUNCATE statement (DELETE without WHERE meets the DELETE trigger)."""
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        # (The test's own inserts queue foreign-key checks; a real session has none pending.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == 5


def test_sqlite_refuses_emptying_the_table_too(trail):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_auditevent")
    assert AuditEvent.objects.count() == 5


def test_other_append_only_tables_refuse_sql_too(submit):
    intake = submit()
    for table, pk in (
        ("intake_routingdecision", RoutingDecision.objects.get().pk),
        ("intake_intakeevent", IntakeEvent.objects.get(intake=intake).pk),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


# --- The attacks of issue 8, made as a database owner would: triggers dropped first ---------


def test_an_edited_record_is_detected(trail):
    _as_db_owner("UPDATE intake_auditevent SET detail = %s WHERE seq = 3", ["nothing to see"])
    code, _out, err = verify_command()
    assert code == 1
    assert "edited: record 3: its contents no longer match its MAC" in err
    assert err.endswith("5 records, 1 problems: the audit trail was tampered with\n")


def test_a_deleted_middle_record_is_detected(trail):
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq = 3")
    code, _out, err = verify_command()
    assert code == 1
    assert err.splitlines()[0] == (
        "deleted: record 3: missing (after record 2; the trail goes on at record 4)"
    )


def test_deleting_the_oldest_records_is_detected(trail):
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq <= 2")
    code, _out, err = verify_command()
    assert code == 1
    assert "deleted: records 1–2: missing (at the start; the trail goes on at record 3)" in err


@pytest.mark.parametrize("how", ["sha256", "guessed-key"])
def test_a_forward_rewrite_without_the_key_is_detected(trail, how):
    """Edit record 2, then recompute every hash after it so that every link agrees."""
    previous = trail[0].hash
    for record in trail[1:]:
        record.prev_hash = previous
        if record.seq == 2:
            record.detail = "rewritten"
        if how == "sha256":  # what the old, unkeyed chain would have accepted
            record.hash = _unkeyed_sha256(
                [record.prev_hash, record.created_at.isoformat(), record.actor_id,
                 record.actor_username, record.action, record.intake_reference,
                 record.ip_address, record.detail]
            )  # fmt: skip
        else:
            record.hash = record.compute_mac(settings.SECRET_KEY.encode())
        _as_db_owner(
            "UPDATE intake_auditevent SET detail = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [record.detail, record.prev_hash, record.hash, record.pk],
        )
        previous = record.hash
    code, _out, err = verify_command()
    assert code == 1
    assert err.splitlines() == [
        "rewritten: records 2–5: 4 records in a row fail the key check while their links "
        "agree (changed and re-hashed without the audit key)",
        "5 records, 1 problems: the audit trail was tampered with",
    ]


def test_a_rewritten_hash_is_detected(trail):
    """Recomputing only the edited record's own hash: it fails the key, its successor's link."""
    target = trail[1]
    _as_db_owner(
        "UPDATE intake_auditevent SET detail = %s, hash = %s WHERE id = %s",
        ["rewritten", "f" * 64, target.pk],
    )
    assert audit_verify().problems == [
        "deleted: record 3: does not follow record 2 (a record was removed or replaced here, "
        "or its link was changed)",
        "edited: record 2: its contents no longer match its MAC",
    ]


def test_a_renumbered_trail_is_detected(trail):
    """Closing the gap after a deletion by renumbering breaks every renumbered record's MAC."""
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq = 3")
    _as_db_owner("UPDATE intake_auditevent SET seq = seq - 1 WHERE seq > 3")
    _as_db_owner("UPDATE intake_auditevent SET prev_hash = %s WHERE seq = 3", [trail[1].hash])
    report = audit_verify()
    assert [f.kind for f in report.findings] == ["rewritten"]
    assert (report.findings[0].first, report.findings[0].last) == (3, 4)


def test_deleting_the_newest_records_is_detected_by_the_checkpoint(trail):
    assert verify_command("--checkpoint")[0] == 0
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq >= 4")
    code, _out, err = verify_command()
    assert code == 1
    assert err.splitlines()[0].startswith(
        "tail lost: records 4–5: gone from the end (the checkpoint of "
    )
    assert err.splitlines()[0].endswith("saw record 5; the trail ends at record 3)")


def test_without_a_checkpoint_a_lost_tail_cannot_be_seen(trail):
    """Why the checkpoints exist: the chain alone cannot tell a short trail from a cut one."""
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq >= 4")
    assert verify_command() == (0, "3 records, chain intact; no checkpoint yet\n", "")


def test_a_cut_tail_written_over_by_new_records_is_detected(trail, coordinator):
    """Delete the newest records and let the application write on: the numbers are reused."""
    audit_verify_and_checkpoint()
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq >= 4")
    for _ in range(3):
        audit_record(action="view", actor=coordinator, reference="K7M2-Q9XD")
    report = audit_verify()
    assert [f.kind for f in report.findings] == ["tail lost"]
    assert "record 5 is not the record the checkpoint of " in report.problems[0]


@pytest.mark.parametrize("table_emptied_by", ["truncate", "delete"])
def test_an_emptied_trail_is_detected(trail, table_emptied_by):
    if table_emptied_by == "truncate" and connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE: the delete case is its way of emptying a table")
    audit_verify_and_checkpoint()
    sql = {
        "truncate": "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE intake_auditevent",
        "delete": "DELETE FROM intake_auditevent",
    }[table_emptied_by]
    _as_db_owner(sql)
    code, _out, err = verify_command()
    assert code == 1
    assert err.startswith("truncated: the trail is empty, but the checkpoint of ")
    assert "saw 5 records" in err


def test_an_edited_checkpoint_file_is_detected(trail):
    """Lowering the checkpoint to hide a cut tail breaks its signature."""
    audit_verify_and_checkpoint()
    _as_db_owner("DELETE FROM intake_auditevent WHERE seq >= 4")
    path = checkpoint_path()
    path.write_text(path.read_text().replace('"seq": 5', '"seq": 3'))
    code, _out, err = verify_command()
    assert code == 1
    assert "checkpoint: checkpoints.jsonl line 1: its signature does not match" in err


def test_checkpoints_are_signed_lines_apart_from_the_database(trail, caplog):
    assert verify_command("--checkpoint") == (
        0,
        "5 records, chain intact; no checkpoint yet\n"
        f"checkpoint written: record 5, to {checkpoint_path()}\n",
        "",
    )
    line = json.loads(checkpoint_path().read_text())
    assert (line["seq"], line["head"], line["key"]) == (5, trail[-1].hash, settings.AUDIT_KEY_ID)
    assert oct(checkpoint_path().stat().st_mode & 0o777) == "0o600"
    assert f"audit checkpoint {json.dumps(line)}" in caplog.text  # a second copy, in the log
    code, out, _err = verify_command()
    assert code == 0
    assert out.startswith("5 records, chain intact; 1 checkpoints agree (newest: record 5, ")


def test_a_broken_chain_is_never_checkpointed(trail, caplog):
    _as_db_owner("UPDATE intake_auditevent SET detail = 'x' WHERE seq = 2")
    code, _out, _err = verify_command("--checkpoint")
    assert code == 1
    report = audit_verify_and_checkpoint()
    assert not report.ok
    assert not checkpoint_path().exists()
    assert "audit trail: 5 records, 1 problems: edited: record 2" in caplog.text


def test_key_rotation_keeps_old_records_verifiable(trail, settings, coordinator):
    old_id, old_key = settings.AUDIT_KEY_ID, settings.AUDIT_KEY
    settings.AUDIT_KEY_ID, settings.AUDIT_KEY = "2027", "a new audit key of at least 32 chars"
    settings.AUDIT_RETIRED_KEYS = {old_id: old_key}
    audit_record(action="view", actor=coordinator, reference="K7M2-Q9XD")
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == [
        old_id
    ] * 5 + ["2027"]
    assert audit_verify().ok
    settings.AUDIT_RETIRED_KEYS = {}
    assert audit_verify().problems == [
        f"forged: record {n}: signed with unknown key id {old_id!r}" for n in range(1, 6)
    ]


def test_a_wrong_key_fails_every_record(trail, settings):
    settings.AUDIT_KEY = "not the key the records were signed with"
    report = audit_verify()
    assert [(f.kind, f.first, f.last) for f in report.findings] == [("rewritten", 1, 5)]


def test_failed_login_request_without_user_is_still_recorded(db):
    """authenticate() called with a bare request (no .user) must not break the audit."""
    from django.contrib.auth import authenticate

    request = RequestFactory().post("/staff/login/", REMOTE_ADDR="192.0.2.99")
    assert authenticate(request, username="nobody", password="x") is None
    record = AuditEvent.objects.get(action="login_failed")
    assert (record.actor_username, record.ip_address, record.actor) == (
        "nobody",
        "192.0.2.99",
        None,
    )


# --- Through the admin: nobody, not even a superuser, can change or delete a record ----------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a long root password")


@pytest.mark.parametrize("persona", ["administrator", "superuser"])
def test_admin_shows_audit_records_read_only(client, request, trail, persona):
    client.force_login(request.getfixturevalue(persona))
    record = trail[0]
    change = reverse("admin:intake_auditevent_change", args=[record.pk])
    response = client.get(change)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert client.post(change, {"detail": "edited"}).status_code == 403
    delete = reverse("admin:intake_auditevent_delete", args=[record.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:intake_auditevent_add")).status_code == 403
    changelist = client.get(reverse("admin:intake_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert audit_verify().ok and AuditEvent.objects.filter(detail="edited").count() == 0


# --- Records written before the chain was keyed (migration 0011) -----------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tampered", [False, True], ids=["intact", "tampered-before"])
def test_existing_records_are_re_signed_and_sealed(tampered):
    from django.db.migrations.executor import MigrationExecutor

    before = [("intake", "0010_queue_counts")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    legacy = executor.loader.project_state(before).apps.get_model("intake", "AuditEvent")
    previous = GENESIS
    for number in range(1, 4):
        values = [previous, f"2026-11-0{number}T12:00:00+00:00", None, "alice", "view",
                  "K7M2-Q9XD", "192.0.2.1", ""]  # fmt: skip
        digest = _unkeyed_sha256(values)
        legacy.objects.create(
            created_at=values[1], actor_username="alice", action="view",
            intake_reference="K7M2-Q9XD", ip_address="192.0.2.1",
            detail="edited before the upgrade" if tampered and number == 2 else "",
            prev_hash=previous, hash=digest,
        )  # fmt: skip
        previous = digest

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    records = list(AuditEvent.objects.order_by("seq"))
    assert [(r.seq, r.action) for r in records] == [(1, "view"), (2, "view"), (3, "view"),
                                                    (4, "seal")]  # fmt: skip
    assert audit_verify().ok
    outcome = "1 problems: record 2 (id " if tampered else "intact"
    assert records[-1].detail.startswith(
        f"3 earlier records re-signed with audit key {settings.AUDIT_KEY_ID}; "
        f"their unkeyed chain: {outcome}"
    )
    # The triggers are back after the re-signing (and SQLite's rebuild of the table).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_auditevent SET detail = 'x' WHERE seq = 1")
