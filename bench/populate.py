"""Fill the database with N realistic intakes quickly, for the benchmark."""

import datetime
import random

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from intake import followup
from intake.catalog import ESCALATION_RANK, TRACK_RANK
from intake.choices import FLAG_FIELDS, OPEN_STATUSES
from intake.demo import STATUS_MIX, demo_documents
from intake.documents import document_to_fields
from intake.models import Intake, RoutingDecision, SubstanceUse, User
from intake.models.users import ADMINISTRATORS, CLINICIANS
from intake.references import new_reference
from intake.routing import route
from intake.schema import validate_document
from intake.services.intakes import intake_submit

BATCH = 5000


def _clock(rng, now, submitted, status, decision) -> dict:
    """The first-contact clock as the staff would have left it: intakes of the last two days
    still on their first-contact target (some past it), older open ones tried one to three
    times, most with nothing further due, some due soon and some overdue."""
    target = followup.first_contact_target(
        escalation=decision.escalation,
        track=decision.track,
        targets=settings.FIRST_CONTACT_TARGETS,
    )
    if now - submitted < datetime.timedelta(days=2):
        due = submitted + target if status in OPEN_STATUSES else None
        return {"contact_due_at": due}
    tries = rng.randint(1, 3)
    first = submitted + rng.random() * 2 * target
    roll = rng.random()
    if status not in OPEN_STATUSES or roll < 0.55:
        due = None
    elif roll < 0.85:
        due = now + datetime.timedelta(minutes=rng.randint(1, 3 * 24 * 60))
    else:
        due = now - datetime.timedelta(minutes=rng.randint(1, 5 * 24 * 60))
    return {
        "contact_due_at": due,
        "attempt_count": tries,
        "first_attempt_at": first,
        "first_reached_at": first if rng.random() < 0.7 else None,
    }


@transaction.atomic
def populate(count: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    now = timezone.now()
    user = User.objects.create_user(
        "bench-clinician",
        password="bench-password-2026",  # noqa: S106
        is_staff=True,
    )
    user.groups.set(Group.objects.filter(name__in=[CLINICIANS, ADMINISTRATORS]))
    templates = []
    for document in demo_documents(60, now=now):
        doc = validate_document(document)
        fields, substances, symptoms = document_to_fields(doc)
        templates.append((doc, fields, substances, route(doc)))
    references = set()
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        chosen = [rng.choice(templates) for _ in range(size)]
        intakes = []
        for _doc, fields, _, decision in chosen:
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            submitted = now - datetime.timedelta(minutes=rng.randint(1, 365 * 24 * 60))
            status = rng.choice(STATUS_MIX)
            intakes.append(
                Intake(
                    **_clock(rng, now, submitted, status, decision),
                    **fields,
                    reference=reference,
                    status=status,
                    submitted_at=submitted,
                    symptoms_answered=True,
                    escalation=decision.escalation,
                    track=decision.track,
                    escalation_rank=ESCALATION_RANK[decision.escalation],
                    track_rank=TRACK_RANK[decision.track],
                    priority="priority_population" in decision.flags,
                    **{field: flag in decision.flags for flag, field in FLAG_FIELDS.items()},
                    needs_review=not decision.complete,
                )
            )
        # bulk_create sets primary keys on PostgreSQL and on SQLite 3.35+.
        Intake.objects.bulk_create(intakes, batch_size=1000)
        decisions, uses = [], []
        for intake, (_, _, substances, decision) in zip(intakes, chosen, strict=True):
            decisions.append(
                RoutingDecision.from_decision(
                    intake=intake, created_at=intake.submitted_at, decision=decision
                )
            )
            uses.extend(SubstanceUse(intake=intake, **row) for row in substances)
        RoutingDecision.objects.bulk_create(decisions, batch_size=1000)
        SubstanceUse.objects.bulk_create(uses, batch_size=2000)
        created += size
    Intake.objects.filter(current_decision__isnull=True).update(
        current_decision=Subquery(
            RoutingDecision.objects.filter(intake=OuterRef("pk")).values("pk")[:1]
        )
    )
    # A few through the real service, so the newest pages show fully real rows.
    for document in demo_documents(max(1, count // 1000), now=now, seed=seed + 1):
        document["contact"].pop("reference", None)
        intake_submit(document=document, consent=None)
    return Intake.objects.count()
