"""SQL for the triggers that make the append-only tables refuse UPDATE and DELETE.

Used by migrations 0003 and 0007 (each for the tables it knew) and by the browser tests on
SQLite, whose table flush between live-server tests is a DELETE that the triggers would refuse.
"""

# Children before parents, so that emptying them in this order breaks no foreign key.
APPEND_ONLY_TABLES = (
    "intake_contactattempt",
    "intake_trackreview",
    "intake_intakeevent",
    "intake_routingdecision",
    "intake_auditevent",
)


def create_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    statements = []
    for table in tables:
        if vendor == "postgresql":
            statements.append(
                f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse();"
            )
        elif vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} "
                    f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
    return statements


def drop_statements(vendor: str, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    statements = []
    for table in tables:
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};")
            statements.append(f"DROP FUNCTION IF EXISTS {table}_refuse();")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                statements.append(f"DROP TRIGGER IF EXISTS {table}_no_{op};")
    return statements
