"""Submitting an intake and (re)computing its routing decision."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from intake import followup, routing
from intake.catalog import ESCALATION_RANK, TRACK_RANK
from intake.choices import FLAG_FIELDS, Flag, Status
from intake.db.instances import new
from intake.documents import document_to_fields, intake_to_document
from intake.models import Consent, Intake, IntakeEvent, RoutingDecision, SubstanceUse, User
from intake.references import PATTERN as REFERENCE_PATTERN
from intake.references import new_reference
from intake.schema import DocumentError, validate_document
from intake.services import one_statement
from intake.services.alerts import alerts_for_submitted_intake, raises_alert


@dataclass(frozen=True)
class ConsentData:
    """What the person agreed to on the review page."""

    text_version: str
    contact_ok: bool
    privacy_acknowledged: bool
    signature: str
    signed_on: datetime.date
    disclosure_ok: bool = False
    disclosure_recipient: str = ""
    disclosure_purpose: str = ""
    disclosure_information: str = ""
    disclosure_expires: datetime.date | None = None


def intake_submit(
    *,
    document: dict,
    consent: ConsentData | None,
    submission_key: str | None = None,
    now: datetime.datetime | None = None,
    notify: bool = True,
    key_locked: bool = False,
    reserved_ids: tuple[int, int] | None = None,
    also_update: tuple[models.Model, Sequence[str]] | None = None,
    rider: one_statement.Rider | None = None,
) -> Intake:
    """Validate, store and route one intake, all or nothing.

    With a `submission_key` (the draft's id) the call is idempotent: a second call with the same
    key, even a concurrent one, returns the intake the first created. `key_locked` says the
    caller holds a lock under which no intake with this key exists (draft_submit: the row lock
    of a draft not yet submitted), so neither the look-up nor the savepoint that catches a
    lost race is needed. `document` may carry the `contact`, `insurance`, `status` and
    `submitted_at` extensions (imports do).
    An emergency or crisis intake raises its staff alert in the same transaction (its e-mail
    is queued once it commits); imports and demo data pass notify=False.
    Raises intake.schema.DocumentError on an invalid document, before anything is written, so
    that a caller's own transaction stays usable (an import reports every bad document).

    ``reserved_ids`` (PostgreSQL, with ``key_locked``): the ids of the intake and of its
    decision, taken from their sequences by the caller (intake.services.one_statement.next_id):
    every row is then written in one statement, with ``also_update`` (an instance and the
    fields to write, e.g. the draft marked submitted) as its last part, and ``rider`` (an
    UPDATE built with the intake's id, e.g. the session noting it) with it. When this is the
    outermost transaction's last write (one_statement.may_commit(), and no alert), the
    statement ends it with its COMMIT: nothing may be written in it after this call.
    """
    now = now or timezone.now()
    doc, fields, substances, symptoms, reference, submitted_at, decision = _prepare(document, now)
    # No savepoint of its own: inside the caller's transaction, a failure here fails it all.
    with transaction.atomic(savepoint=False):
        if submission_key and not key_locked:
            existing = Intake.objects.filter(submission_key=submission_key).first()
            if existing:
                return existing
        intake = _new_intake(doc, fields, symptoms, decision, submitted_at=submitted_at,
                             reference=reference or _unused_reference(),
                             submission_key=submission_key or None)  # fmt: skip
        if reserved_ids is not None:
            if not key_locked:
                raise ValueError("reserved_ids: only for a caller that holds the key's lock")
            # Unless an alert follows, nothing more is written: the statement may end the
            # transaction with its COMMIT (durable as ever), one round trip fewer.
            alerting = notify and raises_alert(intake)
            _store_in_one_statement(intake, reserved_ids, decision, substances=substances,
                                    symptoms=symptoms, consent=consent,
                                    submitted_at=submitted_at, now=now,
                                    also_update=also_update, rider=rider,
                                    commit=not alerting and one_statement.may_commit())  # fmt: skip
            if alerting:
                alerts_for_submitted_intake(intake, now=now)
            return intake
        if also_update is not None or rider is not None:
            raise ValueError("also_update, rider: only with reserved_ids")
        if key_locked:
            intake.save(force_insert=True)
        else:
            try:
                # A savepoint, so a lost race on submission_key leaves the transaction usable.
                with transaction.atomic():
                    intake.save(force_insert=True)
            except IntegrityError:
                if submission_key:
                    existing = Intake.objects.filter(submission_key=submission_key).first()
                    if existing:
                        return existing
                raise
        _store_rows(_new_rows(intake=intake, substances=substances, symptoms=symptoms,
                              consent=consent, submitted_at=submitted_at, now=now))  # fmt: skip
        intake.current_decision = _store_decision(intake=intake, decision=decision, now=now)
        intake.save(update_fields=["current_decision"])
        if notify:
            alerts_for_submitted_intake(intake, now=now)
    return intake


def _prepare(document: dict, now: datetime.datetime):
    """The document validated, the intake's fields, its reference (if it has one), when it was
    submitted and its routing decision: all worked out before anything is written."""
    doc = validate_document(document)
    fields, substances, symptoms = document_to_fields(doc)
    reference = doc.get("contact", {}).get("reference")
    if reference and not REFERENCE_PATTERN.match(reference):
        raise DocumentError([f"contact.reference: {reference!r} is not a code like K7M2-Q9XD"])
    submitted_at = (
        datetime.datetime.fromisoformat(doc["submitted_at"]) if "submitted_at" in doc else now
    )
    # Routed before anything is written, so that the intake row is inserted with its queue
    # fields; only the pointer to the decision row (which needs the intake's id) follows.
    decision = routing.route_validated(doc)
    return doc, fields, substances, symptoms, reference, submitted_at, decision


# What intake_submit_guarded's rows read of its guard's row: the ids the guard took.
_GUARD_IDS = {"intake": "(SELECT intake_id FROM guard)",
              "decision": "(SELECT decision_id FROM guard)"}  # fmt: skip


def intake_submit_guarded(
    *,
    document: dict,
    consent: ConsentData | None,
    submission_key: str,
    guard: tuple[str, list],
    now: datetime.datetime,
    rider: one_statement.Rider | None = None,
) -> Intake | None:
    """(PostgreSQL) Store and route one intake in one statement that is its own transaction
    (a savepoint inside a caller's): the intake, its rows and its decision, after ``guard``,
    an UPDATE that returns the ids it took from the sequences of the intake and of the
    decision as ``intake_id`` and ``decision_id`` (draft_submit's: the draft marked submitted,
    if it is still as it was read), and with ``rider`` (built with no id). Every row takes its
    ids from the guard's row, and is written only if the guard found its row: otherwise
    nothing is (no error either: PostgreSQL's log would show a refused row's values).
    ``document`` must carry its reference code (``contact.reference``).

    Returns None, with nothing written, when the guard found no row, the reference code or the
    submission key was taken meanwhile (the unique indexes refuse them), or the intake raises
    an alert, which is written in a transaction with it (intake_submit): the caller then
    submits through intake_submit under a lock. Raises DocumentError as intake_submit does."""
    doc, fields, substances, symptoms, reference, submitted_at, decision = _prepare(document, now)
    if not reference:
        raise ValueError("intake_submit_guarded: the document must carry its reference code")
    intake = _new_intake(doc, fields, symptoms, decision, submitted_at=submitted_at,
                         reference=reference, submission_key=submission_key)  # fmt: skip
    if raises_alert(intake):
        return None
    row = RoutingDecision.from_decision(intake=intake, created_at=now, decision=decision)
    rows = _new_rows(intake=intake, substances=substances, symptoms=symptoms, consent=consent,
                     submitted_at=submitted_at, now=now)  # fmt: skip
    statements = _row_inserts(intake, row, rows, guarded=True)
    riding = rider.build(None) if rider is not None else None
    if riding is not None:
        statements.append(riding)
    connection = transaction.get_connection()
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            written = one_statement.write_after(
                guard, statements, returned="intake_id, decision_id", counted=riding is not None
            )
    except IntegrityError:  # a reference code or the draft's key taken meanwhile
        return None
    if written is None:  # the draft changed or was submitted since it was read
        return None
    intake_id, decision_id, *counts = written
    intake.pk, row.pk = intake_id, decision_id
    row.intake = intake
    intake.current_decision = row
    if riding is not None:
        rider.found = counts[-1] == 1
    one_statement.mark_saved(intake, row)
    return intake


def _new_intake(doc: dict, fields: dict, symptoms, decision: routing.Decision, **given) -> Intake:
    """The unsaved intake of a validated document (``given``: its reference, submission key
    and time), with its queue fields from its decision."""
    intake = new(Intake, status=doc.get("status", Status.NEW),
                 symptoms_answered=symptoms is not None, **given, **fields)  # fmt: skip
    apply_queue_fields(intake, decision)
    return intake


def _row_inserts(
    intake: Intake, row: RoutingDecision, rows: _NewRows, *, guarded: bool = False
) -> list[tuple[str, list]]:
    """The INSERTs of a new intake, its decision and its rows, for one statement. The rows
    other than the intake and its decision take their ids from their sequences (nothing
    points at them). ``guarded`` (write_after): the intake's and the decision's ids are the
    guard's, and nothing is written unless the guard found its row."""
    when, of_intake, own, decision_own = "", {}, {}, {}
    if guarded:
        when, of_intake = one_statement.GUARDED, {"intake_id": _GUARD_IDS["intake"]}
        own = {"id": _GUARD_IDS["intake"], "current_decision_id": _GUARD_IDS["decision"]}
        decision_own = {"id": _GUARD_IDS["decision"], **of_intake}
    consent = [rows.consent] if rows.consent is not None else []
    parts = [([intake], own), ([row], decision_own), ([rows.event], of_intake)]
    parts += [(objs, of_intake) for objs in (rows.substances, rows.symptoms, consent) if objs]
    return [one_statement.insert(objs, expressions=given, when=when) for objs, given in parts]


def _store_rows(rows: _NewRows) -> None:
    """The rows that belong to a new intake (substances, symptom links, consent, the
    timeline's first line), written through the ORM: a statement a table."""
    SubstanceUse.objects.bulk_create(rows.substances)
    if rows.symptoms:
        # A new intake has no symptoms yet: insert the links at once (``set()`` would first
        # read the links there are, to find which to remove).
        Intake.symptoms.through.objects.bulk_create(rows.symptoms)
    if rows.consent is not None:
        rows.consent.save(force_insert=True)
    rows.event.save(force_insert=True)


@dataclass
class _NewRows:
    substances: list[SubstanceUse]
    symptoms: list[models.Model]
    consent: Consent | None
    event: IntakeEvent


def _new_rows(
    *,
    intake: Intake,
    substances: list[dict],
    symptoms: list[str] | None,
    consent: ConsentData | None,
    submitted_at: datetime.datetime,
    now: datetime.datetime,
) -> _NewRows:
    through = Intake.symptoms.through
    return _NewRows(
        substances=[new(SubstanceUse, intake=intake, **row) for row in substances],
        symptoms=[
            new(through, intake_id=intake.pk, symptom_id=code)
            for code in dict.fromkeys(symptoms or ())
        ],
        consent=(
            new(Consent, intake=intake, agreed_at=now, **consent.__dict__)
            if consent is not None
            else None
        ),
        # When the person submitted (an import's own time), so that the timeline sorts truly.
        event=new(
            IntakeEvent,
            intake=intake,
            kind=IntakeEvent.Kind.SUBMITTED,
            new_value=intake.status,
            created_at=submitted_at,
        ),
    )


def _store_in_one_statement(
    intake: Intake,
    reserved_ids: tuple[int, int],
    decision: routing.Decision,
    *,
    substances: list[dict],
    symptoms: list[str] | None,
    consent: ConsentData | None,
    submitted_at: datetime.datetime,
    now: datetime.datetime,
    also_update: tuple[models.Model, Sequence[str]] | None,
    rider: one_statement.Rider | None = None,
    commit: bool = False,
) -> None:
    """The intake, its rows and its decision (and ``also_update``) in one statement: the ids
    are known before, so the intake is inserted pointing at its decision (no UPDATE after)
    and no insert waits for another's RETURNING."""
    intake.pk, decision_id = reserved_ids
    row = RoutingDecision.from_decision(intake=intake, created_at=now, decision=decision)
    row.pk = decision_id
    intake.current_decision = row
    rows = _new_rows(intake=intake, substances=substances, symptoms=symptoms, consent=consent,
                     submitted_at=submitted_at, now=now)  # fmt: skip
    statements = _row_inserts(intake, row, rows)
    if also_update is not None:
        statements.append(one_statement.update(*also_update))
    riding = rider.build(intake.pk) if rider is not None else None
    if riding is not None:
        statements.append(riding)
    counts = one_statement.write(
        statements, counted=max(1, (also_update is not None) + (riding is not None)), commit=commit
    )
    if also_update is not None and counts[0] != 1:
        # As save(update_fields=...) says it; the transaction is rolled back.
        raise DatabaseError(f"{type(also_update[0]).__name__}: the row to update is gone")
    if riding is not None:
        rider.found = counts[-1] == 1
    one_statement.mark_saved(intake, row)


def _unused_reference() -> str:
    for _ in range(20):
        reference = new_reference()
        if not Intake.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not find an unused reference code")  # 32**8 codes: unreachable


@transaction.atomic
def intake_reroute(
    *, intake: Intake, actor: User | None = None, now: datetime.datetime | None = None
) -> RoutingDecision:
    """Route a stored intake again (e.g. under a new rules version): appends a decision.

    Writes only the queue fields and bumps the version, so that a staff page opened before
    is told the intake changed instead of silently showing a stale recommendation.
    """
    now = now or timezone.now()
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    decision = routing.route_validated(intake_to_document(intake))
    row = _store_decision(intake=intake, decision=decision, now=now)
    intake.current_decision = row
    apply_queue_fields(intake, decision)
    Intake.objects.filter(pk=intake.pk).update(
        version=F("version") + 1, **{name: getattr(intake, name) for name in DECISION_FIELDS}
    )
    intake.version += 1
    IntakeEvent.objects.create(
        intake=intake,
        kind=IntakeEvent.Kind.ROUTED,
        actor=actor,
        new_value=f"{row.escalation}/{row.track}",
        created_at=now,
        intake_version=intake.version,
    )
    return row


def _store_decision(
    *, intake: Intake, decision: routing.Decision, now: datetime.datetime
) -> RoutingDecision:
    row = RoutingDecision.from_decision(intake=intake, created_at=now, decision=decision)
    row.save()
    return row


# What a decision sets on its intake: the fields the queue sorts and filters on.
DECISION_FIELDS = (
    "current_decision",
    "escalation",
    "escalation_rank",
    "track",
    "track_rank",
    "priority",
    "flag_medical",
    "flag_co_occurring",
    "flag_duties",
    "needs_review",
    "contact_due_at",
)


def apply_queue_fields(intake: Intake, decision: routing.Decision) -> None:
    """Copy what the queue sorts on from the engine's decision (and a clinician's track);
    the caller points ``current_decision`` at the decision's row."""
    intake.escalation = decision.escalation
    intake.escalation_rank = ESCALATION_RANK[decision.escalation]
    if not intake.track_confirmed:
        intake.track = decision.track
    intake.track_rank = TRACK_RANK[intake.track]
    intake.priority = Flag.PRIORITY_POPULATION in decision.flags
    for flag, field in FLAG_FIELDS.items():
        setattr(intake, field, flag in decision.flags)
    intake.needs_review = not decision.complete
    apply_first_contact_target(intake)


def apply_first_contact_target(intake: Intake) -> None:
    """Until someone has tried to reach the person, the next contact is the first-contact
    target of the intake's urgency (which a new decision or a track review may change)."""
    if intake.attempt_count:
        return
    intake.contact_due_at = followup.contact_due_at(
        status=intake.status,
        submitted_at=intake.submitted_at,
        escalation=intake.escalation,
        track=intake.track,
        attempted=False,
        last_next_due_at=None,
        targets=settings.FIRST_CONTACT_TARGETS,
    )
