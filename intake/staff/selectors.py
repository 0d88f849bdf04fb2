"""Reads the staff pages share, each with its own select_related/prefetch so that a page's
query count does not grow with the number of intakes, events or rules it shows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

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


def intake_for_page(*, reference: str) -> Intake | None:
    """One intake with everything its page reads (answers, decision, consent, assignee)."""
    return (
        Intake.objects.select_related("assigned_to", "current_decision", "consent")
        .prefetch_related(
            Prefetch(
                "substance_uses",
                queryset=SubstanceUse.objects.select_related("substance").order_by("position"),
            ),
            "symptoms",
        )
        .filter(reference=reference)
        .first()
    )


def intake_timeline(*, intake: Intake) -> list[IntakeEvent]:
    return list(
        IntakeEvent.objects.filter(intake=intake)
        .select_related("actor")
        .order_by("created_at", "id")
    )


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


def contact_attempts(*, intake: Intake) -> list[ContactAttempt]:
    return list(
        ContactAttempt.objects.filter(intake=intake)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def latest_review(*, intake: Intake) -> TrackReview | None:
    return (
        TrackReview.objects.filter(intake=intake)
        .select_related("clinician")
        .order_by("-created_at", "-id")
        .first()
    )


def assignable_users() -> QuerySet[User]:
    """Active staff who can work the queue, through a role or directly."""
    via_group = Q(
        groups__permissions__codename="work_queue",
        groups__permissions__content_type__app_label="intake",
    )
    direct = Q(
        user_permissions__codename="work_queue",
        user_permissions__content_type__app_label="intake",
    )
    return (
        User.objects.filter(is_active=True)
        .filter(via_group | direct | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def intake_alerts(*, intake: Intake) -> list[Alert]:
    """The intake's staff alerts with their attempts: two queries, however many there are."""
    alerts = list(Alert.objects.filter(intake=intake).order_by("created_at", "id"))
    attempts: dict[int, list[AlertAttempt]] = {alert.pk: [] for alert in alerts}
    for attempt in AlertAttempt.objects.filter(alert__intake=intake).order_by("at", "id"):
        attempts[attempt.alert_id].append(attempt)
    for alert in alerts:
        alert.attempt_list = attempts[alert.pk]
    return alerts
