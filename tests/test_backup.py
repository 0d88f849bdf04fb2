"""`make backup` / `make restore`: a backup restores into a scratch database with every row
and an audit chain that verifies against the checkpoint taken when it was made."""

import io
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from intake.services.audit import audit_record

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _counts_here() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def scratch(tmp_path):
    """A scratch database to restore into: yields (DATABASE_URL, count rows in a table).

    On PostgreSQL its name derives from the test database's and it is dropped at the end."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def count(table):
            with sqlite3.connect(path) as con:
                return con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608

        yield f"sqlite:///{path}", count
        return
    import psycopg
    from psycopg import sql

    name = f"{db['NAME']}_restore"[:63]
    params = {
        "host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }  # fmt: skip
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def count(table):
        with psycopg.connect(dbname=name, **params) as con:
            query = sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))
            return con.execute(query).fetchone()[0]

    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}", count
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(drop)


def verify_restored(database_url: str, checkpoint_file: Path) -> subprocess.CompletedProcess:
    """`manage.py verify_audit` run as an operator would, against the restored database."""
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_NAME"}}
    env.update(
        DATABASE_URL=database_url,
        TESTING="true",
        AUDIT_KEY=settings.AUDIT_KEY,
        AUDIT_KEY_ID=settings.AUDIT_KEY_ID,
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "verify_audit", "--checkpoint-file", str(checkpoint_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_backup_restores_every_row_and_an_intact_audit_chain(
    submit, coordinator, tmp_path, scratch
):
    url, count_restored = scratch
    submit()
    submit()
    for action in ("login", "view", "note", "logout"):
        audit_record(
            action=action, actor=coordinator, ip_address="192.0.2.1", reference="K7M2-Q9XD"
        )
    at_backup = tmp_path / "checkpoints-at-backup.jsonl"
    call_command(
        "verify_audit", "--checkpoint", "--checkpoint-file", at_backup, stdout=io.StringIO()
    )

    out = io.StringIO()
    call_command("backup", "--dir", tmp_path / "backups", stdout=out)
    path = Path(re.match(r"backup written: (\S+) \(\d+ bytes\)", out.getvalue()).group(1))
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    assert re.fullmatch(rf"intake-\d{{8}}T\d{{6}}Z{re.escape(suffix)}", path.name)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds every patient's answers
    counts = _counts_here()
    audit_count = counts["intake_auditevent"]
    assert counts["intake_intake"] == 2 and audit_count >= 4

    # After the backup, two more records and a newer checkpoint.
    for _ in range(2):
        audit_record(action="view", actor=coordinator, reference="K7M2-Q9XD")
    later = tmp_path / "checkpoints-later.jsonl"
    later.write_text(at_backup.read_text())
    call_command("verify_audit", "--checkpoint", "--checkpoint-file", later, stdout=io.StringIO())

    out = io.StringIO()
    call_command("restore", path, "--database-url", url, "--noinput", stdout=out)
    assert out.getvalue().startswith(f"restored {path} into the given database")

    restored = {table: count_restored(table) for table in counts}
    assert restored == counts
    result = verify_restored(url, at_backup)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"{audit_count} records, chain intact; 1 checkpoints agree (newest: record {audit_count}"
    )
    # Held against the newer checkpoint, the restored trail lacks what came after the backup.
    result = verify_restored(url, later)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"tail lost: records {audit_count + 1}–{audit_count + 2}: gone from the end"
    )


def test_restore_refuses_what_is_not_a_backup(tmp_path, scratch):
    url, _count = scratch
    bogus = tmp_path / "intake-20260101T000000Z.dump"
    bogus.write_text("not a backup")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a SQLite backup|pg_restore failed"):
        call_command("restore", bogus, "--database-url", url, "--noinput", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no backup file at"):
        call_command(
            "restore", tmp_path / "missing.dump", "--database-url", url, "--noinput",
            stdout=io.StringIO(),
        )  # fmt: skip
