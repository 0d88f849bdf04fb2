"""Backups of the whole database, and restoring one (`make backup`, `make restore`).

PostgreSQL: `pg_dump -Fc` (custom format: compressed, restored table by table with
`pg_restore`). The embedded SQLite database: SQLite's online backup API, which copies a
consistent snapshot while the application keeps running. Backup files hold every patient's
answers: they are written with mode 0600 into a 0700 directory; keeping them encrypted and off
the host (and testing a restore) is the deployment's part (docs/security.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# pg_dump / pg_restore, run with argument lists, never through a shell.
import subprocess  # nosec B404
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    pass


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%dT%H%M%SZ")


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (before any data is written into it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup(directory: Path | None = None) -> Path:
    """Write a backup of the configured database into `directory`; return its path."""
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        path = directory / f"intake-{_stamp()}.dump"
        _private_file(path)
        # A fixed program with an argument list, never a shell (bandit B603, ruff S603).
        result = subprocess.run(  # noqa: S603  # nosec B603
            [_tool("pg_dump"), "--format=custom", "--file", str(path), *_pg_args(db),
             "--dbname", str(db["NAME"])],
            env=_pg_env(db), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return path
    if connection.vendor == "sqlite":
        path = directory / f"intake-{_stamp()}.sqlite3"
        _private_file(path)
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent snapshot, online
        finally:
            target.close()
        return path
    raise BackupError(f"no backup method for {connection.vendor}")


def restore(path: Path, db: dict | None = None) -> None:
    """Replace the contents of the database `db` (default: the configured one) with a backup.

    `db` is a Django database settings dict (ENGINE, NAME, HOST, ...)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    db = db or connection.settings_dict
    engine = db["ENGINE"]
    if db is connection.settings_dict:
        connection.close()
    if engine.endswith("postgresql"):
        # A fixed program with an argument list, never a shell (bandit B603, ruff S603).
        result = subprocess.run(  # noqa: S603  # nosec B603
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
             "--single-transaction", *_pg_args(db), "--dbname", str(db["NAME"]), str(path)],
            env=_pg_env(db), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    if engine.endswith("sqlite3"):
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is not an intact SQLite database")
            target = sqlite3.connect(db["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a SQLite backup: {exc}") from None
        finally:
            source.close()
        return
    raise BackupError(f"no restore method for {engine}")
