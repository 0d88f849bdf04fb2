"""Alerts delivered for real: PostgreSQL, Redis, `celery -A config worker` processes and an
SMTP server (aiosmtpd) on loopback. An emergency intake submitted through the wizard reaches
each recipient exactly once: promptly, after the mail server comes back, after the worker
sending it is killed, and with two workers racing for it.

The workers are separate processes, so these tests commit for real (transactional) and hand
the workers the test database's name. They need PostgreSQL (SQLite's test database lives in
this process's memory) and Redis (TEST_REDIS_URL, db 2 by default); without either they skip.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from intake.models import Alert, AlertAttempt
from tests.test_wizard_emergency import symptoms_post
from tests.test_wizard_walk import Walk, answers_for

BASE_DIR = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
RECIPIENTS = ["bob@example.org", "oncall@example.org"]
FORBIDDEN = ("Dana", "Rivers", "coma", "emergency", "crisis", "detox", "inpatient",
             "outpatient", "track", "score", "escalation", "substance", "symptom",
             "cannabis")  # fmt: skip

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.delivery]


def _skip(reason: str):
    if os.environ.get("DELIVERY_TESTS_REQUIRED"):
        pytest.fail(reason)  # .ci/run on PostgreSQL: these must run
    pytest.skip(reason)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        _skip(f"no Redis at {REDIS_URL} (start redis-server; .ci/run does)")
    return client


@pytest.fixture
def broker(settings):
    """This process sends tasks to the test Redis database instead of running them inline."""
    if connection.vendor != "postgresql":
        pytest.skip("delivery tests need PostgreSQL: workers are other processes")
    from config.celery import app

    client = _redis()
    client.flushdb()
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.broker_url = REDIS_URL
    app.conf.task_always_eager = False
    _fresh_connections(app)
    yield client
    app.conf.update(saved)
    _fresh_connections(app)
    client.flushdb()


def _fresh_connections(app):
    """Forget the pooled broker connections (kombu keeps them process-wide, by URL)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class Inbox:
    """What the SMTP server accepted. `hold` keeps the next message's DATA unanswered until
    released (then refuses it, 451: the sender never heard "250"); `slow` answers after 0.5 s."""

    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []
        self.mode = "accept"
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "hold":
            self.mode = "accept"
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 Try again later"
        if self.mode == "slow":
            await asyncio.sleep(0.5)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(rcpt for rcpts, _content in self.messages for rcpt in rcpts)


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.inbox.release.set()
    server.stop()


class Workers:
    """`celery -A config worker` processes on the test database, the test Redis and the SMTP
    server; retries after 1, 1, 2 s and a sweep every second (grace 2 s) keep the tests short."""

    def __init__(self, smtp: SMTPServer, tmp_path: Path):
        self.smtp, self.tmp_path, self.procs = smtp, tmp_path, {}
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_URL": "",
            "TESTING": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "ALERT_SMTP_TIMEOUT": "5",
            "ALERT_RETRY_DELAYS": "1,1,2",
            "ALERT_SWEEP_SECONDS": "1",
            "ALERT_SWEEP_GRACE_SECONDS": "2",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
            "LOG_LEVEL": "INFO",
        }

    def start(self, name: str, *, beat: bool = False) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                   "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
                   "--loglevel=INFO"] + (["--beat"] if beat else [])  # fmt: skip
        with log.open("w") as out:
            proc = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.procs[name] = (proc, log)
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        return proc

    def kill(self, name: str) -> None:
        proc, _log = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc, _log in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{log.read_text()}" for name, (_p, log) in self.procs.items())


@pytest.fixture
def workers(broker, smtp, tmp_path):
    group = Workers(smtp, tmp_path)
    yield group
    group.stop_all()


@pytest.fixture
def on_call(clinician, settings):
    clinician.email = "bob@example.org"
    clinician.receives_alerts = True
    clinician.save()
    settings.ALERT_EMAILS = ["oncall@example.org"]


def submit_emergency() -> float:
    """Walk the wizard as a person would, with a sign of an emergency; the time of the final
    POST."""
    walk = Walk(Client(), answers_for(symptoms=symptoms_post("coma")))
    walk.run(until="review")
    started = time.monotonic()
    response = walk.post_step("review")
    assert response.status_code == 302
    return started


def wait_for(condition, *, seconds: float, what: str, workers: Workers | None = None):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: not within {seconds} s\n{workers.logs() if workers else ''}"
            )
        time.sleep(0.05)
    return time.monotonic()


def assert_one_each(smtp: SMTPServer):
    assert smtp.inbox.per_recipient() == Counter(RECIPIENTS)
    for _rcpts, content in smtp.inbox.messages:
        assert "Subject: Intake needs attention" in content
        for word in FORBIDDEN:
            assert word.lower() not in content.lower(), word


def test_task_arguments_in_redis_are_the_alert_id_only(on_call, workers, smtp):
    submit_emergency()  # no worker yet: the task waits in Redis
    alert = Alert.objects.get()
    raw = workers_queue(workers)
    assert len(raw) == 1
    message = json.loads(raw[0])
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (args, kwargs) == ([alert.pk], {})
    assert message["headers"]["task"] == "intake.tasks.send_alert"
    for word in ("Dana", "Rivers", "coma", alert.intake.reference):
        assert word not in raw[0]
    workers.start("late")
    wait_for(lambda: len(smtp.inbox.per_recipient()) == 2, seconds=10, what="delivery",
             workers=workers)  # fmt: skip
    assert_one_each(smtp)


def workers_queue(workers: Workers) -> list[str]:
    import redis

    return [item.decode() for item in redis.Redis.from_url(REDIS_URL).lrange("celery", 0, -1)]


def test_an_emergency_reaches_each_recipient_once_within_10_seconds(on_call, workers, smtp):
    workers.start("one")
    started = submit_emergency()
    done = wait_for(lambda: len(smtp.inbox.per_recipient()) == 2, seconds=10, what="delivery",
                    workers=workers)  # fmt: skip
    print(f"\nemergency intake to e-mail: {done - started:.2f} s")
    time.sleep(1)  # a second message would come now, if one were coming
    assert_one_each(smtp)
    alert = Alert.objects.get()
    assert alert.state == "sent" and alert.attempt_count == 1


def test_with_the_mail_server_down_the_alert_is_retried_and_delivered_once_back(
    on_call, workers, smtp
):
    workers.start("one", beat=True)
    smtp.stop()
    submit_emergency()
    wait_for(lambda: AlertAttempt.objects.filter(ok=False).count() >= 2, seconds=15,
             what="two failed attempts", workers=workers)  # fmt: skip
    assert Alert.objects.get().state == "pending"
    smtp.start()
    wait_for(lambda: Alert.objects.get().state == "sent", seconds=15, what="delivery",
             workers=workers)  # fmt: skip
    time.sleep(1)
    assert_one_each(smtp)
    attempts = list(Alert.objects.get().attempts.values_list("ok", "error"))
    assert attempts[-1] == (True, "")
    assert {error for ok, error in attempts[:-1]} == {"ConnectionRefusedError"}
    print(f"\nattempts before the server came back: {len(attempts) - 1}")


def test_a_worker_killed_mid_send_leaves_the_alert_to_another(on_call, workers, smtp):
    smtp.inbox.mode = "hold"
    workers.start("doomed")
    submit_emergency()
    assert smtp.inbox.holding.wait(10), workers.logs()
    workers.kill("doomed")  # in the middle of the SMTP conversation, row locked
    smtp.inbox.release.set()
    assert Alert.objects.get().state == "pending"
    started = time.monotonic()
    workers.start("rescuer", beat=True)
    done = wait_for(lambda: Alert.objects.get().state == "sent", seconds=20,
                    what="delivery by the second worker", workers=workers)  # fmt: skip
    print(f"\nkilled worker to delivery by another (incl. its start): {done - started:.2f} s")
    time.sleep(1)
    assert_one_each(smtp)


def test_two_workers_racing_still_send_one_email_per_recipient(on_call, workers, smtp):
    from intake.tasks import send_alert

    smtp.inbox.mode = "slow"  # the row stays locked half a second while the other tries
    workers.start("a", beat=True)
    workers.start("b", beat=True)  # two beats too: the sweep runs twice every second
    submit_emergency()
    alert = Alert.objects.get()
    for _ in range(10):  # duplicate deliveries of the task, as after a Redis hiccup
        send_alert.delay(alert.pk)
    wait_for(lambda: Alert.objects.get().state == "sent", seconds=15, what="delivery",
             workers=workers)  # fmt: skip
    wait_for(lambda: not workers_queue(workers), seconds=15, what="queue drained",
             workers=workers)  # fmt: skip
    time.sleep(2)  # and a couple of sweeps
    assert_one_each(smtp)
    assert Alert.objects.get().attempts.count() == 1
