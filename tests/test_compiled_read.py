"""Reads whose SQL is built once a process (intake/db/compiled.py) and the intake page's reads
that use them: the same SQL, rows and instances as the ORM's, one query each, seen by Django's
query capture, and no SQL building after the first call."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from intake.db.compiled import CompiledRead
from intake.models import Intake, IntakeEvent, SubstanceUse, User
from intake.services.staff import intake_note_add
from intake.staff import selectors
from intake.staff.forms import AssignForm

SENTINEL = -424_242


def _events(intake_id):
    return (
        IntakeEvent.objects.filter(intake_id=intake_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def _captured(read):
    with CaptureQueriesContext(connection) as ctx:
        result = read()
    return result, [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def two_intakes(submit, clinician):
    first, second = submit(), submit()
    for n in range(3):
        intake_note_add(intake=second, actor=clinician, text=f"n{n}", expected_version=n + 1)
    return first, second


def test_the_same_sql_and_rows_as_the_orm_with_each_calls_values(two_intakes):
    read = CompiledRead(_events, SENTINEL)
    for intake in two_intakes:
        expected, orm_sql = _captured(lambda i=intake: list(_events(i.pk)))
        got, sql = _captured(lambda i=intake: read(i.pk))
        assert sql == orm_sql  # one query, the ORM's, sent through Django's cursor
        assert got == expected
        assert [e.actor for e in got] == [e.actor for e in expected]  # select_related filled
        assert [vars(e).keys() for e in got] == [vars(e).keys() for e in expected]
    assert len(read(two_intakes[1].pk)) == len(list(_events(two_intakes[1].pk))) > 1


def test_the_sql_is_built_once(two_intakes):
    read = CompiledRead(_events, SENTINEL)
    read(two_intakes[0].pk)
    expected = list(_events(two_intakes[1].pk))
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("built again")):
        assert read(two_intakes[1].pk) == expected


def test_a_values_list_read_and_a_read_without_values(db, clinician, coordinator):
    names = CompiledRead(
        lambda pk: User.objects.filter(pk=pk).values_list("username", "first_name"), SENTINEL
    )
    assert names(clinician.pk) == [("bob", clinician.first_name)]
    everyone = CompiledRead(lambda: User.objects.order_by("username"))
    assert everyone() == list(User.objects.order_by("username"))


def test_a_sentinel_missing_from_the_parameters_is_refused(db):
    read = CompiledRead(lambda pk: User.objects.filter(pk=1), SENTINEL)
    with pytest.raises(ValueError, match="sentinel"):
        read(1)


# --- The intake page's reads ---------------------------------------------------------------


def test_the_page_intake_with_its_uses_and_symptoms_as_prefetch_related_gives_them(submit):
    intake = submit(
        substances=[
            {"substance": "alcohol", "frequency": "daily"},
            {"substance": "opioids", "frequency": "daily", "route": "oral"},
        ],
        symptoms=["tremors", "anxiety"],
    )
    other = submit(symptoms=["coma"])
    expected = Intake.objects.prefetch_related("substance_uses__substance", "symptoms").get(
        pk=intake.pk
    )
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.intake_for_page(reference=intake.reference)
    # The intake, its uses, its symptoms: sent together on PostgreSQL.
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    with CaptureQueriesContext(connection) as ctx:
        uses = list(got.substance_uses.all())
        symptoms = list(got.symptoms.all())
        assert [u.substance.code for u in uses] == ["alcohol", "opioids"]
        assert all(u.intake is got for u in uses)
        got.assigned_to, got.current_decision  # noqa: B018 (select_related: no query)
    assert ctx.captured_queries == []
    assert uses == list(expected.substance_uses.order_by("position"))
    assert symptoms == list(expected.symptoms.all())
    assert {s.code for s in symptoms} == {"tremors", "anxiety"}
    # A further filter on a prefetched relation still reads this intake's rows only.
    assert list(got.symptoms.filter(code="anxiety")) == [s for s in symptoms if s.code == "anxiety"]
    assert got.substance_uses.filter(substance__code="alcohol").get() == uses[0]
    assert not SubstanceUse.objects.filter(intake=other, substance__code="opioids").exists()
    assert selectors.intake_for_page(reference="ZZZZ-ZZZZ") is None


def test_the_assign_form_lists_the_staff_once_and_a_post_does_not_list_them(
    db, submit, clinician, coordinator
):
    intake = submit()
    form = AssignForm(intake=intake)
    with CaptureQueriesContext(connection) as ctx:
        choices = list(form.fields["assignee"].choices)
        assert len(form.fields["assignee"].choices) == len(choices)
        str(form["assignee"])
    assert len(ctx.captured_queries) == 1
    assert [str(value) for value, _ in choices[1:]] == [
        str(u.pk) for u in selectors.assignable_users()
    ]
    posted = AssignForm({"assign-version": intake.version, "assign-assignee": coordinator.pk},
                        intake=intake)  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        assert posted.is_valid(), posted.errors
    assert len(ctx.captured_queries) == 1  # the posted value checked, the list not read
    assert posted.cleaned_data["assignee"] == coordinator


def test_reads_together_give_what_each_gives_in_one_round_trip_on_postgresql(two_intakes):
    from intake.db.compiled import read_together

    events = CompiledRead(_events, SENTINEL)
    names = CompiledRead(
        lambda pk: User.objects.filter(pk=pk).values_list("username", flat=True), SENTINEL
    )
    first, second = two_intakes
    actor = second.events.exclude(actor=None).first().actor_id
    expected = [events(second.pk), names(actor), events(first.pk)]
    with CaptureQueriesContext(connection) as ctx:
        got = read_together((events, (second.pk,)), (names, (actor,)), (events, (first.pk,)))
    assert got == expected
    assert [e.actor for e in got[0]] == [e.actor for e in expected[0]]
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    assert read_together() == []


def test_the_page_reads_and_the_staff_they_hand_the_assign_form(submit, clinician, coordinator):
    intake = submit()
    reads = selectors.intake_page_reads(intake=intake)
    assert reads.staff == list(selectors.assignable_users())
    assert reads.timeline == selectors.intake_timeline(intake=intake)
    assert (reads.latest_review, reads.attempts, reads.alerts) == (None, [], [])
    form = AssignForm(intake=intake)
    form.list_staff(reads.staff)
    with CaptureQueriesContext(connection) as ctx:
        choices = [str(value) for value, _ in form.fields["assignee"].choices]
    assert ctx.captured_queries == []
    assert choices == ["", *[str(u.pk) for u in reads.staff]]
