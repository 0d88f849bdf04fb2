"""Writing and checking the audit trail (see intake/models/audit.py).

The chain: record n carries seq = n, the MAC of record n-1 (prev_hash), the id of the key that
signed it and its own MAC (hash) = HMAC-SHA256(record key, every field above and its contents).
The record key and the checkpoint key are derived from AUDIT_KEY, which lives in the
environment, never in the database. Someone who can write to the database can still drop the
triggers and change rows, but cannot make a MAC; `audit_verify` then says what was done:

- edited: one record's contents no longer match its MAC;
- rewritten: several records in a row fail the key check while their links agree (changed and
  re-hashed forward without the key);
- deleted: numbers are missing from the sequence (or a record's link was changed);
- tail lost / truncated: a signed checkpoint, kept outside the database, saw records that are
  no longer there (or saw a different newest record: the numbers were reused);
- forged: a record names a key id that this deployment does not know.

Checkpoints are one JSON object a line in AUDIT_CHECKPOINT_DIR/checkpoints.jsonl, each signed
with the checkpoint key, and each also logged (logger "intake.audit") so that a log shipper
keeps a second copy. `audit_verify_and_checkpoint()` is the scheduled job.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from intake.models import AuditEvent

logger = logging.getLogger("intake.audit")

GENESIS = "0" * 64
# Any fixed number: serialises appends to the chain on PostgreSQL.
_ADVISORY_LOCK = 7_351_042
CHECKPOINT_FILE = "checkpoints.jsonl"


# --- Keys -----------------------------------------------------------------------------------


def _secrets() -> dict[str, str]:
    return {**settings.AUDIT_RETIRED_KEYS, settings.AUDIT_KEY_ID: settings.AUDIT_KEY}


def _derive(key_id: str, purpose: str) -> bytes | None:
    secret = _secrets().get(key_id)
    if secret is None:
        return None
    return hmac.new(secret.encode(), f"intake.audit.{purpose}".encode(), hashlib.sha256).digest()


def record_key(key_id: str) -> bytes | None:
    """The key that signs records under `key_id`; None for an unknown id."""
    return _derive(key_id, "record")


def checkpoint_key(key_id: str) -> bytes | None:
    return _derive(key_id, "checkpoint")


# --- Writing --------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    actor=None,
    ip_address: str | None = None,
    intake=None,
    reference: str = "",
    detail: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one record. `detail` names actions and fields only, never health details.

    ``actor`` is the user who acted (None: nobody signed in, then ``username`` names who tried);
    ``ip_address`` where from (``intake.http.who_acted(request)`` gives both for a view)."""
    fields = {
        "key_id": settings.AUDIT_KEY_ID,
        "actor": actor if actor is not None and actor.pk else None,
        "actor_username": (actor.get_username() if actor is not None else username)[:150],
        "action": action,
        "intake_reference": intake.reference if intake is not None else reference,
        "ip_address": ip_address,
        "detail": detail[:500],
    }
    if (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
    ):
        return _append_in_two_round_trips(fields)
    return _append(fields)


def _chained(last: tuple[int, str] | None, fields: dict) -> AuditEvent:
    """The record that follows ``last`` (the head's seq and MAC; None: the trail is empty)."""
    seq, prev_hash = last if last else (0, GENESIS)
    event = AuditEvent(seq=seq + 1, prev_hash=prev_hash, created_at=timezone.now(), **fields)
    event.hash = event.compute_mac(record_key(event.key_id))
    return event


@transaction.atomic
def _append(fields: dict) -> AuditEvent:
    """Inside the caller's transaction (a savepoint of it), or SQLite: lock, head, insert."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
    event = _chained(AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first(), fields)
    event.save()
    return event


# The head read is a statement of its own, after the lock's: under READ COMMITTED each statement
# reads a snapshot taken when it starts, so it sees the record that the previous holder of the
# lock committed. (A head read in the lock's own statement would not: its snapshot predates
# the wait.)
_BEGIN_LOCK_HEAD = (
    "BEGIN; SELECT pg_advisory_xact_lock(%s); "
    'SELECT "seq", "hash" FROM "intake_auditevent" ORDER BY "seq" DESC LIMIT 1'
)


@functools.cache
def _insert_statement() -> tuple[list, str]:
    """AuditEvent's fields (all but the id) and its INSERT … RETURNING id; COMMIT."""
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    # Only the model's own table and column names, quoted; every value is a parameter.
    insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608  # nosec B608
    return fields, insert + f"RETURNING {quote(meta.pk.column)}; COMMIT"


def _append_in_two_round_trips(fields: dict) -> AuditEvent:
    """PostgreSQL outside a transaction (a page view): the same lock, head read and insert in
    one transaction of their own, sent as two round trips instead of five (BEGIN, the lock and
    the head read together; the INSERT and COMMIT together)."""
    insert_fields, insert = _insert_statement()
    with connection.cursor() as cursor:
        try:
            cursor.execute(_BEGIN_LOCK_HEAD, [_ADVISORY_LOCK])
            cursor.nextset()  # the lock's result
            cursor.nextset()  # the head read's
            event = _chained(cursor.fetchone(), fields)
            cursor.execute(
                insert,
                [f.get_db_prep_save(f.pre_save(event, True), connection) for f in insert_fields],
            )
            event.pk = cursor.fetchone()[0]
        except BaseException:
            _roll_back(cursor)
            raise
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _roll_back(cursor) -> None:
    """End the transaction opened by hand; a connection that cannot is closed, never reused."""
    try:
        cursor.execute("ROLLBACK")
    except Exception:
        connection.close()


# --- Checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    key_id: str


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def _checkpoint_body(seq: int, head: str, at: str, key_id: str) -> bytes:
    return json.dumps([seq, head, at, key_id], separators=(",", ":")).encode()


def write_checkpoint(seq: int, head: str, path: Path | None = None) -> Checkpoint:
    """Append a signed checkpoint of the chain's head to the checkpoint file (and the log)."""
    path = Path(path or checkpoint_path())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_id = settings.AUDIT_KEY_ID
    at = timezone.now().isoformat(timespec="seconds")
    sig = hmac.new(
        checkpoint_key(key_id), _checkpoint_body(seq, head, at, key_id), hashlib.sha256
    ).hexdigest()
    line = json.dumps({"seq": seq, "head": head, "at": at, "key": key_id, "sig": sig})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit checkpoint %s", line)
    return Checkpoint(seq=seq, head=head, at=at, key_id=key_id)


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[Finding]]:
    path = Path(path or checkpoint_path())
    checkpoints: list[Checkpoint] = []
    findings: list[Finding] = []
    if not path.exists():
        return checkpoints, findings
    for number, raw in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            point = Checkpoint(
                seq=int(item["seq"]), head=str(item["head"]), at=str(item["at"]),
                key_id=str(item["key"]),
            )  # fmt: skip
            sig = str(item["sig"])
        except (ValueError, KeyError, TypeError):
            findings.append(
                Finding("checkpoint", None, None, f"{path.name} line {number}: not a checkpoint")
            )
            continue
        key = checkpoint_key(point.key_id)
        body = _checkpoint_body(point.seq, point.head, point.at, point.key_id)
        if key is None:
            findings.append(
                Finding(
                    "checkpoint",
                    None,
                    None,
                    f"{path.name} line {number}: signed with unknown key id {point.key_id!r}",
                )  # fmt: skip
            )
        elif not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), sig):
            findings.append(
                Finding(
                    "checkpoint",
                    None,
                    None,
                    f"{path.name} line {number}: its signature does not match "
                    "(the checkpoint file was edited)",
                )  # fmt: skip
            )
        else:
            checkpoints.append(point)
    return checkpoints, findings


# --- Checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # edited, rewritten, deleted, tail lost, truncated, forged, checkpoint
    first: int | None  # record numbers (seq) concerned, when there are any
    last: int | None
    explanation: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.explanation}"


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}–{last}"


@dataclass
class ChainReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    checkpoints: list[Checkpoint] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def problems(self) -> list[str]:
        return [str(finding) for finding in self.findings]


def audit_verify(checkpoint_file: Path | None = None) -> ChainReport:
    """Walk the chain in order of number: each record's MAC, its number and its link to the
    one before; then hold the head against the signed checkpoints."""
    checkpoints, findings = read_checkpoints(checkpoint_file)
    report = ChainReport(checkpoints=checkpoints)
    wanted = {point.seq for point in checkpoints}
    seen: dict[int, tuple[str, bool]] = {}  # seq -> (MAC, MAC valid), for checkpointed records
    keys: dict[str, bytes | None] = {}
    run: list[int] = []  # consecutive records failing the key check

    def close_run():
        if len(run) == 1:
            explanation = f"record {run[0]}: its contents no longer match its MAC"
            findings.append(Finding("edited", run[0], run[0], explanation))
        elif run:
            explanation = (
                f"{_span(run[0], run[-1])}: {len(run)} records in a row fail the key check "
                "while their links agree (changed and re-hashed without the audit key)"
            )
            findings.append(Finding("rewritten", run[0], run[-1], explanation))
        run.clear()

    previous_seq, previous_hash = 0, GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if event.seq != previous_seq + 1:
            close_run()
            where = f"after record {previous_seq}" if previous_seq else "at the start"
            findings.append(
                Finding(
                    "deleted",
                    previous_seq + 1,
                    event.seq - 1,
                    f"{_span(previous_seq + 1, event.seq - 1)}: missing ({where}; "
                    f"the trail goes on at record {event.seq})",
                )  # fmt: skip
            )
        elif event.prev_hash != previous_hash:
            findings.append(
                Finding(
                    "deleted",
                    event.seq,
                    event.seq,
                    f"record {event.seq}: does not follow record {previous_seq} "
                    "(a record was removed or replaced here, or its link was changed)",
                )  # fmt: skip
            )
        if event.key_id not in keys:
            keys[event.key_id] = record_key(event.key_id)
        key = keys[event.key_id]
        valid = key is not None and hmac.compare_digest(event.compute_mac(key), event.hash)
        if key is None:
            close_run()
            findings.append(
                Finding(
                    "forged",
                    event.seq,
                    event.seq,
                    f"record {event.seq}: signed with unknown key id {event.key_id!r}",
                )  # fmt: skip
            )
        elif not valid:
            if run and run[-1] != event.seq - 1:
                close_run()
            run.append(event.seq)
        else:
            close_run()
        if event.seq in wanted:
            seen[event.seq] = (event.hash, valid)
        previous_seq, previous_hash = event.seq, event.hash
    close_run()
    report.head_seq, report.head_hash = previous_seq, previous_hash

    for point in sorted(checkpoints, key=lambda p: p.seq):
        if point.seq in seen and seen[point.seq][0] != point.head and seen[point.seq][1]:
            findings.append(
                Finding(
                    "tail lost",
                    None,
                    point.seq,
                    f"record {point.seq} is not the record the checkpoint of {point.at} saw: "
                    "the newest records were deleted and their numbers used again",
                )  # fmt: skip
            )
    newest = max(checkpoints, key=lambda p: p.seq, default=None)
    if newest is not None and newest.seq > previous_seq:
        if report.checked == 0:
            explanation = (
                f"the trail is empty, but the checkpoint of {newest.at} saw {newest.seq} records"
            )
            findings.append(Finding("truncated", 1, newest.seq, explanation))
        else:
            explanation = (
                f"{_span(previous_seq + 1, newest.seq)}: gone from the end (the checkpoint of "
                f"{newest.at} saw record {newest.seq}; the trail ends at record {previous_seq})"
            )
            findings.append(Finding("tail lost", previous_seq + 1, newest.seq, explanation))
    report.findings = findings
    return report


def audit_verify_and_checkpoint(checkpoint_file: Path | None = None) -> ChainReport:
    """The scheduled job: check the whole chain and, when it is intact, sign its head.

    A broken chain is logged as an error (the alerting watches for it) and never signed."""
    report = audit_verify(checkpoint_file)
    if report.ok:
        write_checkpoint(report.head_seq, report.head_hash, checkpoint_file)
    else:
        logger.error(
            "audit trail: %d records, %d problems: %s",
            report.checked,
            len(report.findings),
            "; ".join(report.problems[:20]),
        )
    return report
