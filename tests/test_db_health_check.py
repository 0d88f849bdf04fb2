"""The per-request database health check (intake/db/postgresql): a connection the server has
closed is replaced before a request uses it; a connection used moments ago that the server has
said nothing on is used without the extra round trip."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def persistent_checked_connection(settings):
    """The default connection as production runs it: persistent, health-checked."""
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    yield connection
    connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"] = saved
    connection.close()


def a_request(conn) -> int:
    """What a request does with the connection: the handler's start-of-request check, then a
    query. Returns the server process that answered."""
    conn.close_if_unusable_or_obsolete()
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def another_connection() -> psycopg.Connection:
    """A connection of its own to the test database, beside Django's."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
        user=settings["USER"], password=settings["PASSWORD"] or None,
        dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip


def terminate(pid: int) -> None:
    with another_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the goodbye reaches this side's socket


def count_checks(conn, monkeypatch) -> list:
    asked = []
    real = conn.is_usable

    def is_usable():
        asked.append(True)
        return real()

    monkeypatch.setattr(conn, "is_usable", is_usable)
    return asked


def test_the_backend_is_in_use():
    assert connection.settings_dict["ENGINE"] == "intake.db.postgresql"
    assert connection.vendor == "postgresql"


def test_a_connection_the_server_closed_is_replaced_before_the_next_request(
    persistent_checked_connection,
):
    conn = persistent_checked_connection
    first = a_request(conn)
    assert a_request(conn) == first  # persistent: the same server process
    terminate(first)
    second = a_request(conn)  # no error: a new connection was made first
    assert second != first


def test_a_connection_used_moments_ago_is_not_asked_again(
    persistent_checked_connection, monkeypatch
):
    conn = persistent_checked_connection
    a_request(conn)
    asked = count_checks(conn, monkeypatch)
    for _ in range(3):
        a_request(conn)
    assert asked == []


def test_a_connection_idle_for_a_while_is_asked_first(persistent_checked_connection, monkeypatch):
    conn = persistent_checked_connection
    pid = a_request(conn)
    conn.last_used -= 60  # as if the last request was a minute ago
    asked = count_checks(conn, monkeypatch)
    assert a_request(conn) == pid
    assert asked == [True]


def test_a_connection_the_server_spoke_on_is_asked_first(
    persistent_checked_connection, monkeypatch
):
    conn = persistent_checked_connection
    pid = a_request(conn)
    with conn.cursor() as cursor:
        cursor.execute("LISTEN intake_health_check_test")
    with another_connection() as other:
        other.execute("NOTIFY intake_health_check_test")
    time.sleep(0.2)
    asked = count_checks(conn, monkeypatch)
    assert a_request(conn) == pid  # a notice is not a broken connection: asked, and kept
    assert asked == [True]
