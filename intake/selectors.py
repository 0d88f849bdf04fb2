"""Reads shared by the services and both sides' views (the staff pages' own reads are in
intake/staff/selectors.py). Each does its own select_related; none writes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from intake import catalog
from intake.models import Intake, IntakeEvent, SubstanceUse


def intake_events_since(*, intake_id: int, version: int) -> list[IntakeEvent]:
    """Timeline events that produced a version newer than ``version``, oldest first."""
    return list(
        IntakeEvent.objects.filter(intake_id=intake_id, intake_version__gt=version)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def intake_for_confirmation(*, intake_id) -> Intake | None:
    """What the patient's confirmation page shows: the reference, how we will get in touch,
    the age (a note for minors) and ``stopping_risk``: regular use of a depressant whose
    withdrawal can be dangerous, for a plain safety note (never the track). Nothing else is
    loaded, so nothing else can reach the page."""
    risky_use = SubstanceUse.objects.filter(
        intake=OuterRef("pk"),
        substance_id__in=catalog.DANGEROUS_WITHDRAWAL,
        frequency__in=catalog.REGULAR,
    )
    return (
        Intake.objects.filter(pk=intake_id or 0)
        .only("reference", "preferred_contact", "date_of_birth", "submitted_at")
        .annotate(stopping_risk=Exists(risky_use))
        .first()
    )
