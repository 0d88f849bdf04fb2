"""The intake document ⇄ stored intake, the submit service, and the commands around them."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from intake.documents import intake_to_document
from intake.models import Consent, Intake, IntakeEvent, RoutingDecision
from intake.models.review import ImmutableError
from intake.references import PATTERN, normalise_reference
from intake.routing import route
from intake.schema import DocumentError
from intake.services.intakes import ConsentData, intake_reroute, intake_submit
from tests.conftest import make_document, stored_output

BACLOFEN_EMERGENCY = make_document(
    sex="male",
    substances=[
        {
            "substance": "baclofen",
            "frequency": "daily",
            "amount_per_day": 120,
            "unit": "mg",
            "route": "oral",
            "duration_months": 8,
            "last_use": "today",
            "prescribed": True,
            "more_than_prescribed": True,
        },
        {
            "substance": "alcohol",
            "frequency": "most_days",
            "amount_per_day": 6.5,
            "unit": "drinks",
            "route": "oral",
            "last_use": "today",
        },
        {"substance": "nicotine", "frequency": "daily"},
    ],
    used_together=["alcohol", "baclofen"],
    symptoms=["tremors", "weak_shallow_breathing"],
    history={
        "withdrawal_seizures": True,
        "prior_treatment": ["outpatient"],
        "relapse_after_treatment": True,
    },
    medical={"pregnant": False, "liver_disease": True},
    screening={"audit_c": [3, 2, 2], "phq_2": [2, 2], "cssrs": {"q1": True, "q2": False}},
    living={"housing": "unstable", "has_support": False},
)


def test_submit_stores_routes_and_records_the_decision(db):
    intake = intake_submit(document=BACLOFEN_EMERGENCY, consent=None)
    intake.refresh_from_db()
    assert PATTERN.match(intake.reference)
    decision = intake.current_decision
    assert decision.version == "2026.1"
    assert stored_output(decision) == route(BACLOFEN_EMERGENCY).as_dict()
    assert (intake.escalation, intake.track) == ("emergency", "detox")
    assert (intake.escalation_rank, intake.track_rank) == (0, 0)
    assert decision.next_step == "inpatient"
    assert "medical" in decision.flags
    # The queue filters on columns copied from the decision's flags.
    assert (intake.flag_medical, intake.flag_co_occurring, intake.flag_duties) == (
        True,
        "co_occurring" in decision.flags,
        False,
    )
    assert intake.substance_uses.count() == 3
    assert sorted(intake.symptoms.values_list("code", flat=True)) == [
        "tremors",
        "weak_shallow_breathing",
    ]
    assert intake.events.get().kind == IntakeEvent.Kind.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_submit_is_one_transaction(monkeypatch):
    # A real transaction (not the test's savepoint): the submit takes no savepoint of its own,
    # so a failure inside it rolls back the whole transaction it runs in.
    def broken(**kwargs):
        raise RuntimeError("routing failed")

    monkeypatch.setattr("intake.services.intakes._store_decision", broken)
    with pytest.raises(RuntimeError):
        intake_submit(document=make_document(), consent=None)
    assert Intake.objects.count() == 0
    assert not IntakeEvent.objects.exists() and not Consent.objects.exists()


def test_an_invalid_document_leaves_the_callers_transaction_usable(db):
    # An import reports every bad document of a file: validation writes nothing and spoils
    # nothing, inside the caller's transaction.
    bad = make_document(substances=[{"substance": "baclofen", "frequency": "sometimes"}])
    with transaction.atomic():
        with pytest.raises(DocumentError):
            intake_submit(document=bad, consent=None)
        intake_submit(document=make_document(), consent=None)
    assert Intake.objects.count() == 1


def test_submit_with_the_same_key_twice_gives_one_intake(db):
    first = intake_submit(document=make_document(), consent=None, submission_key="draft-1")
    second = intake_submit(document=make_document(), consent=None, submission_key="draft-1")
    assert first.pk == second.pk
    assert Intake.objects.count() == 1


def test_submit_refuses_an_invalid_document_and_stores_nothing(db):
    bad = make_document(substances=[{"substance": "baclofen", "frequency": "sometimes"}])
    with pytest.raises(DocumentError) as caught:
        intake_submit(document=bad, consent=None)
    assert caught.value.messages == [
        "substances[0].frequency: unknown code 'sometimes' "
        "(expected one of: daily, most_days, weekly, monthly, less)"
    ]
    assert Intake.objects.count() == 0


def test_submit_stores_the_consent_record(db):
    import datetime

    consent = ConsentData(
        text_version="2026-11",
        contact_ok=True,
        privacy_acknowledged=True,
        signature="Dana Rivers",
        signed_on=datetime.date(2026, 11, 25),
        disclosure_ok=True,
        disclosure_recipient="Admissions team",
    )
    intake = intake_submit(document=make_document(), consent=consent)
    stored = Consent.objects.get(intake=intake)
    assert stored.text_version == "2026-11"
    assert stored.signature == "Dana Rivers"


def test_decisions_are_append_only(db):
    intake = intake_submit(document=make_document(), consent=None)
    decision = intake.current_decision
    decision.track = "detox"
    with pytest.raises(ImmutableError):
        decision.save()
    with pytest.raises(ImmutableError):
        decision.delete()
    with pytest.raises(ImmutableError):
        RoutingDecision.objects.filter(pk=decision.pk).update(track="detox")


def test_rerouting_appends_a_decision_and_the_newest_is_current(db):
    intake = intake_submit(document=make_document(), consent=None)
    first = intake.current_decision
    second = intake_reroute(intake=intake)
    intake.refresh_from_db()
    assert intake.decisions.count() == 2
    assert intake.current_decision == second != first
    assert stored_output(second) == stored_output(first)


def test_rerouting_tells_a_staff_page_opened_before_it(db, coordinator):
    from intake.services.staff import IntakeConflict, intake_note_add

    intake = intake_submit(document=make_document(), consent=None)
    opened_at = intake.version
    intake_reroute(intake=intake)
    stale = Intake.objects.get(pk=intake.pk)
    with pytest.raises(IntakeConflict) as caught:
        intake_note_add(intake=stale, actor=coordinator, text="Called", expected_version=opened_at)
    assert [event.kind for event in caught.value.events] == [IntakeEvent.Kind.ROUTED]


def test_an_incomplete_intake_needs_clinician_review(db):
    intake = intake_submit(document=make_document(symptoms=None), consent=None)
    assert intake.needs_review
    assert intake.current_decision.missing == ["symptoms"]


@pytest.mark.parametrize(
    "document", [make_document(), BACLOFEN_EMERGENCY, make_document(symptoms=None, screening=None)]
)
def test_document_round_trip(db, document):
    intake = intake_submit(document=document, consent=None)
    exported = intake_to_document(intake)
    routing_part = {
        k: v
        for k, v in exported.items()
        if k not in ("contact", "insurance", "status", "submitted_at")
    }
    expected = {k: v for k, v in document.items() if k != "contact"}
    # Symptoms come back in catalog order; their order carries no meaning.
    assert sorted(routing_part.pop("symptoms", [])) == sorted(expected.pop("symptoms", []))
    assert routing_part == expected
    assert exported["contact"]["reference"] == intake.reference
    assert exported["contact"]["first_name"] == "Dana"


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_route_command_prints_the_recommendation(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(BACLOFEN_EMERGENCY))
    assert json.loads(run("route", str(path))) == route(BACLOFEN_EMERGENCY).as_dict()


def test_route_command_keeps_the_order_of_a_list(tmp_path):
    documents = [make_document(), BACLOFEN_EMERGENCY, make_document(living={"housing": "homeless"})]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(documents))
    output = json.loads(run("route", str(path)))
    assert [o["track"] for o in output] == ["outpatient", "detox", "inpatient"]


def test_route_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(make_document())))
    assert json.loads(run("route", "-"))["track"] == "outpatient"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"colour": "blue"}, "unknown key 'colour'"),
        (
            make_document(screening={"audit_c": [1, 2, 9]}),
            "screening.audit_c[2]: must be an integer from 0 to 4",
        ),
    ],
)
def test_route_command_exits_2_on_an_invalid_document(tmp_path, document, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([make_document(), document]))
    with pytest.raises(CommandError) as caught:
        run("route", str(path))
    assert caught.value.returncode == 2
    assert f"document 1: {message}" in str(caught.value)


def test_route_command_exits_2_on_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(CommandError) as caught:
        run("route", str(path))
    assert caught.value.returncode == 2


def test_export_import_export_is_lossless(db, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    with transaction.atomic():
        intake_submit(document=BACLOFEN_EMERGENCY, consent=None)
        intake_submit(document=make_document(symptoms=None), consent=None)
        other = make_document(insurance={"payer": "Medicaid", "member_id": "X-1"})
        intake_submit(document=other, consent=None)
        run("export_intakes", "--output", str(first))
        # Undo the inserts (a savepoint rollback, so the append-only triggers stay in place).
        transaction.set_rollback(True)
    assert Intake.objects.count() == 0
    run("import_intakes", str(first))
    run("export_intakes", "--output", str(second))
    exported = json.loads(first.read_text())
    assert len(exported) == 3
    assert json.loads(second.read_text()) == exported
    assert second.read_text() == first.read_text()


def test_an_export_by_command_is_audited(db, tmp_path):
    from intake.models import AuditEvent

    intake_submit(document=make_document(), consent=None)
    run("export_intakes", "--output", str(tmp_path / "out.json"))
    record = AuditEvent.objects.get(action="export")
    assert record.actor_username == "manage.py export_intakes"
    assert record.detail == "1 intakes exported by command"


def test_route_on_a_document_equals_route_after_import_and_export(db, tmp_path):
    path = tmp_path / "in.json"
    document = dict(BACLOFEN_EMERGENCY, contact={**BACLOFEN_EMERGENCY["contact"]})
    path.write_text(json.dumps([document]))
    direct = json.loads(run("route", str(path)))
    assert "Imported 1 intake(s)." in run("import_intakes", str(path))
    out = tmp_path / "out.json"
    run("export_intakes", "--output", str(out))
    assert json.loads(run("route", str(out))) == direct


def test_import_is_all_or_nothing(db, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps([make_document(), make_document(sex="robot")]))
    with pytest.raises(CommandError) as caught:
        run("import_intakes", str(path))
    assert caught.value.returncode == 2
    assert "document 1: sex: unknown code 'robot'" in str(caught.value)
    assert Intake.objects.count() == 0


def test_import_refuses_a_document_without_contact(db, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(make_document(contact=None)))
    with pytest.raises(CommandError, match="contact: required"):
        run("import_intakes", str(path))


def test_routing_docs_are_current():
    run("routing_docs", "--check")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("k7m2-q9xd", "K7M2-Q9XD"),
        (" K7M2 Q9XD ", "K7M2-Q9XD"),
        ("K7M2QOXD", "K7M2-Q0XD"),
        ("K7M2-Q9X", None),
        ("K7M2-Q9XU", None),
        ("", None),
    ],
)
def test_reference_codes_are_read_back_forgivingly(typed, code):
    assert normalise_reference(typed) == code


def test_reroute_command_routes_intakes_decided_under_other_rules(db):
    import dataclasses
    import io

    from django.core.management import call_command

    current = intake_submit(document=make_document(), consent=None)
    older = intake_submit(document=BACLOFEN_EMERGENCY, consent=None)
    # A decision stored under an earlier rules version (append-only: a new row, pointed at).
    old = RoutingDecision.from_decision(
        intake=older,
        created_at=older.submitted_at,
        decision=dataclasses.replace(route(BACLOFEN_EMERGENCY), version="2025.4"),
    )
    old.save()
    Intake.objects.filter(pk=older.pk).update(current_decision=old)

    call_command("reroute_intakes", stdout=(out := io.StringIO()))
    assert "1 intakes routed again" in out.getvalue()
    older.refresh_from_db()
    assert older.current_decision.version == "2026.1"
    assert older.decisions.count() == 3
    assert current.decisions.count() == 1

    call_command("reroute_intakes", "--all", stdout=(out := io.StringIO()))
    assert "2 intakes routed again" in out.getvalue()
    assert current.decisions.count() == 2


def test_reference_codes_are_well_formed_and_every_character_is_as_likely():
    # new_reference picks each character from one random byte's low five bits: over many
    # codes, every one of the 32 characters turns up about as often at every position.
    from collections import Counter

    from intake.references import ALPHABET, new_reference

    codes = [new_reference() for _ in range(16_000)]
    assert all(PATTERN.match(code) for code in codes)
    assert normalise_reference(codes[0].lower().replace("-", " ")) == codes[0]
    for position in (0, 3, 5, 8):
        seen = Counter(code[position] for code in codes)
        assert set(seen) == set(ALPHABET)
        # 500 expected each; a bias such as byte % 31 would leave one character at about 250.
        assert min(seen.values()) > 380 and max(seen.values()) < 640, seen
