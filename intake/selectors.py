"""Reads shared by the services and both sides' views (the staff pages' own reads are in
intake/staff/selectors.py). Each does its own select_related; none writes."""

from __future__ import annotations

from intake.models import Intake, IntakeEvent


def intake_events_since(*, intake_id: int, version: int) -> list[IntakeEvent]:
    """Timeline events that produced a version newer than ``version``, oldest first."""
    return list(
        IntakeEvent.objects.filter(intake_id=intake_id, intake_version__gt=version)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def intake_for_confirmation(*, intake_id) -> Intake | None:
    """What the patient's confirmation page shows: the reference and how we will get in touch
    (nothing else is loaded, so nothing else can reach the page)."""
    return Intake.objects.filter(pk=intake_id or 0).only("reference", "preferred_contact").first()
