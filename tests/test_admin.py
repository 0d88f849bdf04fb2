"""The Django admin: every model registered, fast changelists, read-only records, audited edits."""

import datetime
import secrets

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.admin.base import EstimatedCountPaginator, IntakeModelAdmin
from intake.models import (
    AuditEvent,
    Draft,
    Intake,
    IntakeEvent,
    RateLimit,
    RoutingDecision,
    Session,
    Substance,
    Symptom,
    TrackReview,
    User,
)
from intake.services.audit import audit_record
from intake.services.intakes import ConsentData, intake_submit
from intake.services.staff import intake_note_add, intake_track_review
from tests.conftest import make_document

READ_ONLY = (RoutingDecision, TrackReview, IntakeEvent, AuditEvent)
CHANGELISTS = [
    "intake_intake",
    "intake_substanceuse",
    "intake_consent",
    "intake_routingdecision",
    "intake_trackreview",
    "intake_intakeevent",
    "intake_auditevent",
    "intake_user",
    "intake_substance",
    "intake_symptom",
    "intake_draft",
    "intake_ratelimit",
    "auth_group",
]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a long root password")


def populate(n: int, clinician) -> None:
    """n intakes, each with a consent, a decision, a review, a note, drafts and audit rows."""
    consent = ConsentData(
        text_version="2026.1",
        contact_ok=True,
        privacy_acknowledged=True,
        signature="Dana Rivers",
        signed_on=datetime.date(2026, 1, 5),
    )
    for i in range(n):
        intake = intake_submit(
            document=make_document(
                substances=[
                    {"substance": "opioids", "frequency": "daily"},
                    {"substance": "alcohol", "frequency": "weekly"},
                ]
            ),
            consent=consent,
        )
        intake_track_review(
            intake=intake, actor=clinician, action="confirm", expected_version=intake.version
        )
        intake_note_add(
            intake=intake, actor=clinician, text="called", expected_version=intake.version
        )
        audit_record(action="view", actor=clinician, intake=intake)
        Draft.objects.create(
            token_hash=secrets.token_hex(32), expires_at=timezone.now() + datetime.timedelta(days=7)
        )
        RateLimit.objects.create(key=f"ip:{i}", window_start=timezone.now(), count=i)
        user = User.objects.create_user(f"staff{User.objects.count()}", password="x" * 16)
        user.groups.add(Group.objects.get(name="Clinicians"))


def test_every_model_is_registered():
    for model in apps.get_app_config("intake").get_models():
        if model is Session:
            # Out of the admin, as Django's own sessions were: a key signs its holder in, and
            # a patient's data holds the draft's resume token.
            assert not admin.site.is_registered(model)
            continue
        assert admin.site.is_registered(model), model
    assert admin.site.is_registered(Group)
    for model_admin in admin.site._registry.values():
        if model_admin.model._meta.app_label == "intake":
            assert isinstance(model_admin, IntakeModelAdmin) or model_admin.model is User
            assert model_admin.show_full_result_count is False


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_records_are_read_only_even_for_a_superuser(rf, superuser, model):
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_load_and_their_query_count_does_not_grow(client, superuser, clinician, name):
    url = reverse(f"admin:{name}_changelist")
    client.force_login(superuser)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    populate(5, clinician)
    count()
    few = count()
    populate(45, clinician)
    assert count() == few, name


@pytest.mark.parametrize("name", CHANGELISTS)
def test_administrators_can_read_every_changelist(client, administrator, submit, name):
    submit()
    client.force_login(administrator)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_intake_change_page_and_search(client, superuser, clinician):
    populate(2, clinician)
    intake = Intake.objects.first()
    client.force_login(superuser)
    found = client.get(reverse("admin:intake_intake_changelist"), {"q": intake.reference})
    assert found.status_code == 200 and intake.reference in found.content.decode()
    page = client.get(reverse("admin:intake_intake_change", args=[intake.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for inline in (
        "Substances used",
        "Routing decisions",
        "Track reviews",
        "Timeline events",
        "Consent record",
    ):
        assert inline.lower() in html.lower(), inline


def test_opening_an_intake_in_the_admin_is_an_audited_read(client, administrator, submit):
    intake = submit()
    client.force_login(administrator)
    client.get(reverse("admin:intake_intake_change", args=[intake.pk]))
    uses = intake.substance_uses.get()
    client.get(reverse("admin:intake_substanceuse_change", args=[uses.pk]))
    reads = AuditEvent.objects.filter(action="view", intake_reference=intake.reference)
    assert [r.actor for r in reads] == [administrator, administrator]
    assert all(r.detail.startswith("admin: opened intake.") for r in reads)
    # The list of intakes is no read of any one intake's answers.
    client.get(reverse("admin:intake_intake_changelist"))
    assert reads.count() == 2


def test_intake_contact_edit_is_audited_and_bumps_the_version(client, administrator, submit):
    intake = submit()
    client.force_login(administrator)
    url = reverse("admin:intake_intake_change", args=[intake.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"phone": "555-0199", "voicemail_ok": "true"})
    # Inline management forms, as the page renders them.
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    intake.refresh_from_db()
    assert intake.phone == "555-0199" and intake.version == 2
    record = AuditEvent.objects.get(action="admin")
    assert record.intake_reference == intake.reference
    assert record.actor == administrator
    assert record.detail == f"changed intake.Intake #{intake.pk}: Phone"
    assert "555" not in record.detail


def test_catalog_labels_and_order_are_editable_flags_are_not(client, administrator, db):
    client.force_login(administrator)
    url = reverse("admin:intake_symptom_change", args=["coma"])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"label", "position"}
    response = client.post(url, {"label": "Cannot be woken up", "position": 3})
    assert response.status_code == 302
    coma = Symptom.objects.get(code="coma")
    assert (coma.label, coma.position, coma.life_threatening) == ("Cannot be woken up", 3, True)
    assert AuditEvent.objects.get(action="admin").detail.startswith("changed intake.Symptom #coma")
    assert client.get(reverse("admin:intake_symptom_add")).status_code == 403
    assert client.get(reverse("admin:intake_substance_delete", args=["alcohol"])).status_code == 403
    assert Substance.objects.count() == 10


def test_adding_a_user_in_the_admin(client, administrator, db):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:intake_user_add"),
        {
            "username": "erin",
            "usable_password": "true",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="erin").check_password("a long enough password 42")
    assert AuditEvent.objects.filter(action="admin", detail__startswith="added intake.User")


# --- The paginator that keeps big changelists fast -------------------------------------------


def test_paginator_counts_at_most_cap_plus_one_rows(db, coordinator):
    for _ in range(12):
        audit_record(action="view", actor=coordinator, reference="K7M2-Q9XD")
    paginator = EstimatedCountPaginator(AuditEvent.objects.filter(action="view"), 5)
    paginator.cap = 7
    assert paginator.count == 8  # "more than 7": enough to page on, never a full count
    small = EstimatedCountPaginator(AuditEvent.objects.filter(action="view"), 5)
    assert small.count == 12  # under the cap the count is exact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_paginator_uses_the_postgresql_estimate_for_an_unfiltered_list(db, coordinator):
    for _ in range(30):
        audit_record(action="view", actor=coordinator, reference="K7M2-Q9XD")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_auditevent")
    paginator = EstimatedCountPaginator(AuditEvent.objects.all(), 5)
    paginator.cap = 10
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 30
    assert "reltuples" in ctx.captured_queries[0]["sql"]
    assert "COUNT" not in " ".join(q["sql"] for q in ctx.captured_queries).upper()
