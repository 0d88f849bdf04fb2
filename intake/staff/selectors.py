"""Reads the staff pages share, each with its own select_related/prefetch so that a page's
query count does not grow with the number of intakes, events or rules it shows."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from intake.db.compiled import CompiledRead, read_together
from intake.models import (
    Alert,
    AlertAttempt,
    ContactAttempt,
    Intake,
    IntakeEvent,
    QueueCount,
    SubstanceUse,
    TrackReview,
    User,
)

# What a queue row loads: enough to act on, no answers.
QUEUE_ROW_FIELDS = (
    "reference",
    "status",
    "submitted_at",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "preferred_contact",
    "language",
    "escalation",
    "track",
    "track_confirmed",
    "needs_review",
    "priority",
    "escalation_rank",
    "track_rank",
    "assigned_to",
    "current_decision",
    "current_decision__track",
    "current_decision__flags",
    "contact_due_at",
    "attempt_count",
    "first_attempt_at",
    "first_reached_at",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def queue_intakes() -> QuerySet[Intake]:
    """Submitted intakes in queue order (Intake.Meta.ordering, ROUTING.md "Queue order")."""
    return Intake.objects.select_related("assigned_to", "current_decision").only(*QUEUE_ROW_FIELDS)


def followups(*, user: User, until) -> QuerySet[Intake]:
    """``user``'s intakes with a contact attempt due before ``until``, soonest first."""
    return (
        queue_intakes()
        .filter(assigned_to=user, contact_due_at__lt=until)
        .order_by("contact_due_at", "id")
    )


def queue_facet_matrix(
    queryset: QuerySet[Intake], *, every_intake: bool = False
) -> dict[tuple[str, int], int]:
    """``{(status, track_rank): count}`` over ``queryset`` in one GROUP BY, or, when
    ``every_intake`` says that no filter narrows it, from the counts the database keeps
    (QueueCount: 24 rows instead of an index scan over every intake).

    track_rank rather than track: both sit in the (status, escalation_rank, track_rank, ...)
    index, so an unfiltered queue is counted from the index alone.
    """
    if every_intake:
        kept = QueueCount.objects.filter(n__gt=0).values_list("status", "track_rank", "n")
        return {(status, rank): n for status, rank, n in kept}
    rows = (
        queryset.order_by()
        .values("status", "track_rank")
        # COUNT(*), not COUNT(id): the id is not in that index, and asking for it would
        # send PostgreSQL to the table for every row.
        .annotate(n=Count("*"))
        .values_list("status", "track_rank", "n")
    )
    return {(status, rank): n for status, rank, n in rows}


# Stand-ins for a request's values in the reads below, whose SQL is built once a process
# (intake.db.compiled): no reference or id has these values.
_REFERENCE = "\x00reference"
_INTAKE_ID = -7_351_001

_intake_by_reference = CompiledRead(
    lambda reference: (
        Intake.objects.select_related("assigned_to", "current_decision", "consent")
        .filter(reference=reference)
        .order_by()[:1]  # the reference is unique: no ordering to apply
    ),
    _REFERENCE,
)
# The intake's substance uses and symptoms by its reference, so that they go with the intake's
# own read (read_together).
_substance_uses = CompiledRead(
    lambda reference: (
        SubstanceUse.objects.select_related("substance")
        .filter(intake__reference=reference)
        .order_by("position")
    ),
    _REFERENCE,
)
# Through the link table (the symptom has no name back to the intake): in the symptoms' order.
_symptom_links = CompiledRead(
    lambda reference: (
        Intake.symptoms.through.objects.select_related("symptom")
        .filter(intake__reference=reference)
        .order_by("symptom__position", "symptom__code")
    ),
    _REFERENCE,
)


def _prefetched(manager, rows: list) -> QuerySet:
    """``manager``'s queryset holding ``rows``, as prefetch_related leaves it: ``.all()`` then
    reads no more, and a further filter still filters by this intake."""
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def intake_for_page(*, reference: str) -> Intake | None:
    """One intake with everything its page reads (answers, decision, consent, assignee): its
    substance uses and symptoms prefetched, as ``prefetch_related`` would. One round trip on
    PostgreSQL (read_together), three queries elsewhere; their SQL built once a process."""
    found, uses, links = read_together(
        (_intake_by_reference, (reference,)),
        (_substance_uses, (reference,)),
        (_symptom_links, (reference,)),
    )
    if not found:
        return None
    intake = found[0]
    intake_field = SubstanceUse._meta.get_field("intake")
    for use in uses:
        intake_field.set_cached_value(use, intake)
    intake._prefetched_objects_cache = {
        "substance_uses": _prefetched(intake.substance_uses, uses),
        "symptoms": _prefetched(intake.symptoms, [link.symptom for link in links]),
    }
    return intake


def _in_order_with_actor(model) -> CompiledRead:
    """An intake's rows of ``model`` (its timeline, its contact attempts) oldest first, each with
    the staff member who acted."""
    return CompiledRead(
        lambda intake_id: (
            model.objects.filter(intake_id=intake_id)
            .select_related("actor")
            .order_by("created_at", "id")
        ),
        _INTAKE_ID,
    )


_timeline = _in_order_with_actor(IntakeEvent)


def intake_timeline(*, intake: Intake) -> list[IntakeEvent]:
    return _timeline(intake.pk)


def display_names(events: list[IntakeEvent]) -> dict[str, str]:
    """{username: full name} for the people the assignment events name (one query)."""
    usernames = {
        value
        for event in events
        if event.kind == IntakeEvent.Kind.ASSIGNED
        for value in (event.old_value, event.new_value)
        if value
    }
    if not usernames:
        return {}
    return {user.username: str(user) for user in User.objects.filter(username__in=usernames)}


_contact_attempts = _in_order_with_actor(ContactAttempt)


def contact_attempts(*, intake: Intake) -> list[ContactAttempt]:
    if not intake.attempt_count:
        # Kept by the transaction that appends an attempt (attempts are append-only): none yet.
        return []
    return _contact_attempts(intake.pk)


_latest_review = CompiledRead(
    lambda intake_id: (
        TrackReview.objects.filter(intake_id=intake_id)
        .select_related("clinician")
        .order_by("-created_at", "-id")[:1]
    ),
    _INTAKE_ID,
)


def latest_review(*, intake: Intake) -> TrackReview | None:
    found = _latest_review(intake.pk)
    return found[0] if found else None


@functools.cache
def _work_queue_holders() -> tuple[str, tuple]:
    """SQL for the ids of the users given intake.work_queue, through a role or directly: a
    UNION of two small reads, built and compiled by the ORM once a process (it has no
    parameter that changes)."""
    work_queue = Permission.objects.filter(
        codename="work_queue", content_type__app_label="intake"
    ).values("pk")
    roles = Group.permissions.through.objects.filter(permission__in=work_queue)
    via_role = User.groups.through.objects.filter(group__in=roles.values("group_id"))
    direct = User.user_permissions.through.objects.filter(permission__in=work_queue)
    union = via_role.values("user_id").union(direct.values("user_id"))
    return union.query.get_compiler(DEFAULT_DB_ALIAS).as_sql()


def assignable_users() -> QuerySet[User]:
    """Active staff who can work the queue, through a role or directly.

    An IN over a precompiled UNION rather than joins through roles and permissions and a
    DISTINCT: nine joins cost PostgreSQL more to plan than to run, and the ORM more to build
    than either. The columns its choices and the assign service read, not password hashes."""
    # The ORM's own SQL, with constant parameters: nothing from a request goes into it.
    holders = RawSQL(*_work_queue_holders())  # noqa: S611  # nosec B611
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(pk__in=holders))
        .only("username", "first_name", "last_name", "is_active", "is_superuser")
        .order_by("first_name", "last_name", "username")
    )


_assignable_users = CompiledRead(assignable_users)  # no values: the whole read is built once


def assignable_user_list() -> list[User]:
    """assignable_users()'s rows, from SQL built once a process."""
    return _assignable_users()


_alerts = CompiledRead(
    lambda intake_id: Alert.objects.filter(intake_id=intake_id).order_by("created_at", "id"),
    _INTAKE_ID,
)
_alert_attempts = CompiledRead(
    lambda intake_id: (
        AlertAttempt.objects.filter(alert__intake_id=intake_id).order_by("at", "id")
    ),
    _INTAKE_ID,
)


def intake_alerts(*, intake: Intake) -> list[Alert]:
    """The intake's staff alerts with their attempts: two queries, however many there are
    (one when there are none)."""
    return _with_attempts(intake, _alerts(intake.pk))


def _with_attempts(intake: Intake, alerts: list[Alert]) -> list[Alert]:
    if not alerts:  # most intakes: no second query
        return alerts
    attempts: dict[int, list[AlertAttempt]] = {alert.pk: [] for alert in alerts}
    for attempt in _alert_attempts(intake.pk):
        attempts[attempt.alert_id].append(attempt)
    for alert in alerts:
        alert.attempt_list = attempts[alert.pk]
    return alerts


@dataclass(frozen=True)
class PageReads:
    latest_review: TrackReview | None
    timeline: list[IntakeEvent]
    attempts: list[ContactAttempt]
    alerts: list[Alert]
    staff: list[User]  # assignable_users()


def intake_page_reads(*, intake: Intake) -> PageReads:
    """What the intake page reads beside the intake: latest_review, intake_timeline,
    intake_alerts, the assignable staff and contact_attempts in one round trip on PostgreSQL
    (read_together; the alerts' attempts, when there are alerts, one more), a query each
    elsewhere."""
    calls = [
        (_latest_review, (intake.pk,)),
        (_timeline, (intake.pk,)),
        (_alerts, (intake.pk,)),
        (_assignable_users, ()),
    ]
    if intake.attempt_count:  # see contact_attempts()
        calls.append((_contact_attempts, (intake.pk,)))
    review, timeline, alerts, staff, *attempts = read_together(*calls)
    return PageReads(
        latest_review=review[0] if review else None,
        timeline=timeline,
        attempts=attempts[0] if attempts else [],
        alerts=_with_attempts(intake, alerts),
        staff=staff,
    )
