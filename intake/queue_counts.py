"""SQL for the triggers that keep intake_queuecount (intake.models.QueueCount) equal to
``SELECT status, track_rank, COUNT(*) FROM intake_intake GROUP BY 1, 2``.

After each inserted row: +1 on its (status, track_rank); after each deleted row: -1; after an
update that changes either column: -1 on the old pair, +1 on the new. The counter rows are
written in the same transaction as the intake, so a rollback undoes both.
"""
# ruff: noqa: S608 - the SQL is built from the constant table name only, never from input.
# (The same reason for the B608 markers for bandit below.)

TABLE = "intake_queuecount"
FILL = (
    f"INSERT INTO {TABLE} (status, track_rank, n) "  # nosec B608
    "SELECT status, track_rank, COUNT(*) FROM intake_intake GROUP BY status, track_rank"
)


def create_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {TABLE}_keep() RETURNS trigger AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE {TABLE} SET n = n - 1
                 WHERE status = OLD.status AND track_rank = OLD.track_rank;
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                INSERT INTO {TABLE} (status, track_rank, n) VALUES (NEW.status, NEW.track_rank, 1)
                ON CONFLICT (status, track_rank) DO UPDATE SET n = {TABLE}.n + 1;
              END IF;
              RETURN NULL;
            END; $$ LANGUAGE plpgsql;""",  # nosec B608
            f"""CREATE OR REPLACE FUNCTION {TABLE}_clear() RETURNS trigger AS $$
            BEGIN DELETE FROM {TABLE}; RETURN NULL; END; $$ LANGUAGE plpgsql;""",  # nosec B608
            f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON intake_intake "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_keep();",
            f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON intake_intake "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_keep();",
            f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF status, track_rank ON intake_intake "
            "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
            "OR OLD.track_rank IS DISTINCT FROM NEW.track_rank) "
            f"EXECUTE FUNCTION {TABLE}_keep();",
            f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON intake_intake "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_clear();",
        ]
    if vendor == "sqlite":
        add = (
            f"INSERT OR IGNORE INTO {TABLE} (status, track_rank, n) "  # nosec B608
            "VALUES (NEW.status, NEW.track_rank, 0); "
            f"UPDATE {TABLE} SET n = n + 1 "
            "WHERE status = NEW.status AND track_rank = NEW.track_rank;"
        )
        subtract = (
            f"UPDATE {TABLE} SET n = n - 1 "  # nosec B608
            "WHERE status = OLD.status AND track_rank = OLD.track_rank;"
        )
        return [
            f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON intake_intake BEGIN {add} END;",
            f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON intake_intake BEGIN {subtract} END;",
            f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF status, track_rank ON intake_intake "
            "WHEN OLD.status IS NOT NEW.status OR OLD.track_rank IS NOT NEW.track_rank "
            f"BEGIN {subtract} {add} END;",
        ]
    raise NotImplementedError(f"queue counts need triggers for {vendor}")


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS {TABLE}_{op} ON intake_intake;"
                for op in ("insert", "delete", "update", "truncate")
            ),  # fmt: skip
            f"DROP FUNCTION IF EXISTS {TABLE}_keep();",
            f"DROP FUNCTION IF EXISTS {TABLE}_clear();",
        ]
    return [f"DROP TRIGGER IF EXISTS {TABLE}_{op};" for op in ("insert", "delete", "update")]
