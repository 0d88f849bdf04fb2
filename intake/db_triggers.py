"""SQL for the triggers that make the append-only tables refuse UPDATE, DELETE and TRUNCATE.

Used by migrations 0003, 0007 and 0011 (each for the tables it knew) and by the tests, whose
table flush between transactional tests is a DELETE (SQLite) or a TRUNCATE (PostgreSQL) that
the triggers would refuse.

SQLite has no TRUNCATE statement (its "truncate optimisation" is a DELETE without WHERE, and
the DELETE trigger turns that optimisation off), so only PostgreSQL needs a TRUNCATE trigger.
Every statement here is idempotent: running them twice leaves one set of triggers.
"""

# Children before parents, so that emptying them in this order breaks no foreign key.
APPEND_ONLY_TABLES = (
    "intake_contactattempt",
    "intake_trackreview",
    "intake_intakeevent",
    "intake_routingdecision",
    "intake_auditevent",
)


def _refuse_function(table: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;"
    )


def create_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    statements = []
    for table in tables:
        if vendor == "postgresql":
            statements.append(_refuse_function(table))
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};")
            statements.append(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse();"
            )
            statements.extend(truncate_create_statements(vendor, [table]))
        elif vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} "
                    f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
    return statements


def truncate_create_statements(vendor: str, tables=APPEND_ONLY_TABLES) -> list[str]:
    """PostgreSQL: TRUNCATE fires no row trigger, so it needs a statement trigger of its own."""
    if vendor != "postgresql":
        return []
    statements = []
    for table in tables:
        statements.append(_refuse_function(table))
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse();"
        )
    return statements


def truncate_drop_statements(vendor: str, tables=APPEND_ONLY_TABLES) -> list[str]:
    if vendor != "postgresql":
        return []
    return [f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};" for t in tables]


def drop_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    statements = []
    for table in tables:
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};")
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
            statements.append(f"DROP FUNCTION IF EXISTS {table}_refuse();")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                statements.append(f"DROP TRIGGER IF EXISTS {table}_no_{op};")
    return statements
