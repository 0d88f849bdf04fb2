"""The app's tables carry no index that another one already serves: every index is written on
every insert (the final submit writes into six tables at once), so one that no query needs is
a cost with nothing for it (intake/migrations/0016_fewer_indexes.py)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the indexes of PostgreSQL's schema"
)

# Each index of the app's tables: its table, name, whether it is unique, its key columns in
# order, whether it has a condition or expression, and each key column's operator class.
INDEXES = """
SELECT t.relname, i.relname, x.indisunique,
       ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
             WHERE k.n <= x.indnkeyatts ORDER BY k.n),
       x.indpred IS NOT NULL OR x.indexprs IS NOT NULL OR 0 = ANY(x.indkey::int2[]),
       ARRAY(SELECT o.opcname FROM unnest(x.indclass::oid[]) AS c(oid)
             JOIN pg_opclass o ON o.oid = c.oid),
       am.amname
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE t.relname LIKE 'intake\\_%%'
"""

# Pattern indexes (LIKE 'abc%') that serve a query: none yet. A name here says which.
PATTERN_INDEXES_USED: set[str] = set()
# Tables that take no insert on a person's or a clinician's request (catalogs and the user
# table, which Django's own app defines): their extra indexes cost nothing worth the change.
LEFT_AS_DJANGO_MADE = {"intake_substance", "intake_symptom", "intake_user"}


def _indexes() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(INDEXES)
        return cursor.fetchall()


@pytest.mark.django_db
def test_no_index_of_the_app_is_served_by_another():
    indexes = _indexes()
    assert len(indexes) > 40  # the query finds the app's indexes
    covered = []
    for table, name, unique, columns, partial, classes, method in indexes:
        if unique or partial or method != "btree" or table in LEFT_AS_DJANGO_MADE:
            continue
        for (
            other_table,
            other,
            _u,
            other_columns,
            other_partial,
            other_classes,
            other_method,
        ) in indexes:
            if (other_table, other) == (table, name) or other_table != table:
                continue
            if other_partial or other_method != "btree":
                continue
            # The same leading columns with the same operator classes (a pattern index is not
            # served by a plain one: the test below asks for each a query that needs it).
            n = len(columns)
            if list(other_columns[:n]) == list(columns) and other_classes[:n] == classes:
                covered.append(f"{table}.{name} {columns} by {other} {other_columns}")
                break
    assert covered == []


@pytest.mark.django_db
def test_no_pattern_index_without_a_query_that_needs_it():
    patterns = [
        f"{table}.{name}"
        for table, name, _unique, _columns, _partial, classes, _method in _indexes()
        if any(c.endswith("_pattern_ops") for c in classes) and table not in LEFT_AS_DJANGO_MADE
    ]
    assert sorted(set(patterns) - PATTERN_INDEXES_USED) == []
