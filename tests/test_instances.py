"""intake.db.instances.new: the rows a submit builds, built positionally, are the rows
``Model(**values)`` builds."""

import datetime
import uuid

import pytest
from django.db.models import Model

from intake.db.instances import new
from intake.models import Consent, Intake, IntakeEvent, RoutingDecision, SubstanceUse


def _state(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_new_makes_the_instance_the_constructor_makes():
    when = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    given = {"status": "new", "first_name": "Dana", "last_name": "Rivers", "submitted_at": when,
             "screening": {"dast_1": "no"}, "attempt_count": 0, "reference": "K7M2-Q9XD",
             "submission_key": str(uuid.uuid4())}  # fmt: skip
    built, made = new(Intake, **given), Intake(**given)
    assert _state(built) == _state(made)
    assert built._state.adding and built._state.db is None and built.pk is None
    # Defaults are fresh for each instance, as the constructor gives them.
    assert new(Intake).screening == {} and new(Intake).screening is not new(Intake).screening


def test_a_related_instance_is_set_through_its_field_as_the_constructor_sets_it():
    intake = Intake(pk=41, reference="K7M2-Q9XD")
    at = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)  # (defaults to now)
    for model, values in [
        (SubstanceUse, {"substance_id": "alcohol", "position": 0, "frequency": "daily"}),
        (IntakeEvent, {"kind": IntakeEvent.Kind.SUBMITTED, "new_value": "new", "created_at": at}),
        (
            RoutingDecision,
            {"version": "1", "track": "outpatient", "flags": ["x"], "created_at": at},
        ),
        (Consent, {"text_version": "v1", "contact_ok": True, "signature": "Dana", "agreed_at": at}),
    ]:
        built = new(model, intake=intake, **values)
        assert _state(built) == _state(model(intake=intake, **values))
        assert built.intake is intake and built.intake_id == 41
    # By its id, too; an unsaved intake gives no id, as with the constructor.
    assert new(SubstanceUse, intake_id=7).intake_id == 7
    assert new(SubstanceUse, intake=Intake()).intake_id is None


def test_a_name_that_is_no_field_is_refused():
    with pytest.raises(TypeError, match="colour"):
        new(Intake, colour="blue")
