"""Prepared statements (intake/db/prepared.py): the session read and the final submit's
statement are parsed and planned once per connection; every other query stays Django's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.db import prepared
from intake.models import Intake
from tests.test_wizard_walk import DEFAULT_POSTS, Walk

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
ABOUT = reverse("intake:step", args=["about"])


def _prepared_on_the_server() -> list[str]:
    """The statements this connection has prepared, as the server keeps them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


def test_placeholders_are_numbered_and_no_other_percent_passes():
    assert prepared._numbered('"a" = %s AND "b" IN (%s, %s)') == '"a" = $1 AND "b" IN ($2, $3)'
    with pytest.raises(ValueError):
        prepared._numbered("\"name\" LIKE '%' || %s")  # psycopg would read the % itself


@postgresql_only
def test_the_session_read_is_prepared_once_a_connection(db, client):
    Walk(client).run(until="together")
    reads = [s for s in _prepared_on_the_server() if 'FROM "intake_session"' in s]
    assert len(reads) == 1 and "$1" in reads[0] and "%s" not in reads[0]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ABOUT).status_code == 200
    [read] = [q["sql"] for q in ctx.captured_queries]
    assert read == reads[0]  # the log shows what was run: the prepared statement's SQL
    assert [s for s in _prepared_on_the_server() if 'FROM "intake_session"' in s] == reads


@postgresql_only
def test_a_connection_closed_after_each_request_prepares_nothing(db, client):
    # Preparing costs a round trip of its own the first time on a connection: with
    # CONN_MAX_AGE = 0 that would be every request, for nothing.
    Walk(client).run(until="together")
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        assert not connection.keeps_connections()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(ABOUT).status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
    [read] = [q["sql"] for q in ctx.captured_queries]
    assert "$1" not in read and 'FROM "intake_session"' in read  # the values written in


@postgresql_only
def test_django_s_own_queries_are_never_prepared(db, client):
    Walk(client).run(until="together")
    for _ in range(8):  # more than psycopg's default threshold of 5
        list(Intake.objects.filter(reference="NONE-NONE"))
    assert not [s for s in _prepared_on_the_server() if '"intake_intake"' in s]


@postgresql_only
def test_the_submit_s_statement_is_prepared_and_stores_the_intake(db, client):
    Walk(client).run(until="review")
    client.post(reverse("intake:step", args=["review"]), DEFAULT_POSTS["review"])
    [statement] = [s for s in _prepared_on_the_server() if s.startswith("WITH guard AS")]
    assert 'INSERT INTO "intake_intake"' in statement and "$1" in statement
    assert Intake.objects.count() == 1


def test_a_statement_run_through_it_reads_as_any_other(db):
    # On PostgreSQL prepared (its values sent apart); on SQLite the connection's own cursor.
    with prepared.cursor(connection) as cursor:
        cursor.execute("SELECT %s, %s", [7, "seven"])
        assert tuple(cursor.fetchone()) == (7, "seven")
