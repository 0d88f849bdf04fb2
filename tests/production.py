"""The production build, run as a deployment runs it: collectstatic with DEBUG off into a
STATIC_ROOT, migrations, then gunicorn serving config.wsgi with the manifest storage.

Used by tests/test_production.py (and any test that needs a real production server). The
database is a scratch one: an SQLite file, or on PostgreSQL a database of its own named
after the test database, created and dropped here.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "intake.example.org"

# Variables of pytest's environment that must not leak into a production process.
UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "AUDIT_KEY",
    "AUDIT_KEY_ID",
    "AUDIT_RETIRED_KEYS",
    "AUDIT_CHECKPOINT_DIR",
    "TESTING",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "SQLITE_NAME",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "REDIS_URL",
}


def production_env(static_root: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        DEBUG="false",
        TESTING="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_KEY=secrets.token_urlsafe(48),
        AUDIT_CHECKPOINT_DIR=str(static_root.parent / "audit"),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_database(tmp: Path, test_settings: dict) -> tuple[str, callable]:
    """A database URL for the production process, and a function that removes it."""
    if not test_settings["ENGINE"].endswith("postgresql"):
        return f"sqlite:///{tmp / 'production.sqlite3'}", lambda: None
    import psycopg

    name = f"{test_settings['NAME']}_production"[:63]
    admin = {
        "host": test_settings.get("HOST") or "127.0.0.1",
        "port": test_settings.get("PORT") or 5432,
        "user": test_settings.get("USER") or "postgres",
        "password": test_settings.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }

    def drop():
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = admin["user"] + (f":{admin['password']}" if admin["password"] else "")
    return f"postgres://{auth}@{admin['host']}:{admin['port']}/{name}", drop


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Talks HTTP to the server as a browser behind the TLS proxy would: the proxy's
    X-Forwarded-Proto says https, and cookies (Secure ones too) go back."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, headers=None) -> Response:
        from urllib.parse import urlencode

        body = urlencode(data, doseq=True).encode()
        sent = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}{path}",
            **(headers or {}),
        }
        return self.request("POST", path, body=body, headers=sent)


class Gunicorn:
    """gunicorn config.wsgi in a process of its own; stop() ends it and returns its log."""

    def __init__(self, env: dict[str, str], *args: str):
        self.env = env
        self.port = free_port()
        self.log = Path(env["STATIC_ROOT"]).parent / f"gunicorn-{self.port}.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start:\n{self.output()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.output()}")

    def browser(self) -> Browser:
        return Browser(self.port)

    def output(self) -> str:
        self._log.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.log.read_text(errors="replace")
