"""The audit trail: append-only at every layer, and tampering around it is detected."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from intake.db_triggers import drop_statements
from intake.models import AuditEvent, IntakeEvent, RoutingDecision, User
from intake.models.review import ImmutableError
from intake.services.audit import GENESIS, audit_record, audit_verify
from intake.staff import signals  # noqa: F401  (as IntakeConfig.ready() will; see the report)


@pytest.fixture
def trail(db, coordinator):
    """Five chained records, as the staff pages write them."""
    for action in ("login", "view", "note", "view", "logout"):
        audit_record(
            action=action, actor=coordinator, ip_address="192.0.2.1", reference="K7M2-Q9XD"
        )
    return list(AuditEvent.objects.order_by("id"))


def verify_command() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
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


def test_records_are_chained(trail):
    assert trail[0].prev_hash == GENESIS
    for before, after in zip(trail, trail[1:], strict=False):
        assert after.prev_hash == before.hash
    assert all(record.hash == record.compute_hash() for record in trail)
    assert (trail[1].actor_username, trail[1].ip_address) == ("alice", "192.0.2.1")


def test_verify_audit_reports_an_intact_chain(trail):
    assert verify_command() == (0, "5 records, chain intact\n", "")


def test_verify_audit_on_an_empty_trail(db):
    assert verify_command()[:2] == (0, "0 records, chain intact\n")


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


def test_other_append_only_tables_refuse_sql_too(submit):
    intake = submit()
    for table, pk in (
        ("intake_routingdecision", RoutingDecision.objects.get().pk),
        ("intake_intakeevent", IntakeEvent.objects.get(intake=intake).pk),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def test_an_edit_around_the_triggers_is_detected(trail):
    target = trail[2]
    _as_db_owner(
        "UPDATE intake_auditevent SET detail = %s WHERE id = %s", ["nothing to see", target.pk]
    )
    code, out, err = verify_command()
    assert code == 1
    assert f"record {target.pk}: its contents were changed after writing" in err
    assert "5 records, 1 problems" in err


def test_a_deletion_around_the_triggers_is_detected(trail):
    gone = trail[2]
    _as_db_owner("DELETE FROM intake_auditevent WHERE id = %s", [gone.pk])
    code, _out, err = verify_command()
    assert code == 1
    assert f"record {trail[3].pk}: does not follow the record before it" in err


def test_a_rewritten_hash_is_detected_downstream(trail):
    """Recomputing the edited record's own hash only moves the break to its successor."""
    target = trail[1]
    target.detail = "rewritten"
    new_hash = target.compute_hash()
    _as_db_owner(
        "UPDATE intake_auditevent SET detail = %s, hash = %s WHERE id = %s",
        ["rewritten", new_hash, target.pk],
    )
    report = audit_verify()
    assert not report.ok
    assert report.problems == [
        f"record {trail[2].pk}: does not follow the record before it (one was deleted or inserted)"
    ]


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
