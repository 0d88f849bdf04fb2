"""Bad input on the public intake: one test per rule, no 500s, HTML stored as text."""

from __future__ import annotations

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake import validators
from intake.models import Intake
from intake.public.steps import STEPS
from tests.test_wizard_walk import DEFAULT_POSTS, Walk, answers_for, draft_of


def url(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


def post_page(client, step_id: str, **changes):
    """Walk to ``step_id`` and post its default answers with ``changes`` (None removes)."""
    Walk(client).run(until=step_id)
    data = {**DEFAULT_POSTS[step_id], **changes}
    return client.post(url(step_id), {k: v for k, v in data.items() if v is not None})


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return {name: [str(e) for e in errs] for name, errs in response.context["form"].errors.items()}


TODAY = datetime.date.today()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date_of_birth",
         validators.DATE_OF_BIRTH_IN_FUTURE),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth",
         validators.DATE_OF_BIRTH_TOO_EARLY % {"oldest": 110}),
        # A five-year-old: a slip of the year, most likely; said kindly, with what to do.
        ({"date_of_birth": TODAY.replace(year=TODAY.year - 5, day=1).isoformat()},
         "date_of_birth", validators.DATE_OF_BIRTH_TOO_YOUNG % {"age": 5, "youngest": 12}),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth", validators.DATE_INVALID),
        ({"date_of_birth": "yesterday"}, "date_of_birth", validators.DATE_INVALID),
        ({"phone": "call me"}, "phone", validators.PHONE_INVALID),
        ({"phone": "12345"}, "phone", validators.PHONE_INVALID),
        ({"phone": "1" * 16}, "phone", validators.PHONE_INVALID),
        ({"phone": None, "email": None}, "phone", validators.PHONE_OR_EMAIL_REQUIRED),
        ({"phone": None, "preferred_contact": "text"}, "phone",
         validators.PHONE_NEEDED_FOR_METHOD),
        ({"email": None, "preferred_contact": "email"}, "email",
         validators.EMAIL_NEEDED_FOR_METHOD),
        ({"email": "dana@"}, "email", validators.EMAIL_INVALID),
        ({"email": "dana@localhost"}, "email", validators.EMAIL_INVALID),
        ({"voicemail_ok": None}, "voicemail_ok", validators.VOICEMAIL_REQUIRED),
        ({"postal_code": "2139"}, "postal_code", validators.POSTAL_CODE_INVALID),
        ({"first_name": "D" * 101}, "first_name", validators.TEXT_TOO_LONG % {"limit_value": 100}),
        ({"first_name": "Da\x00na"}, "first_name", validators.CONTROL_CHARACTERS),
        ({"last_name": "Riv\x07ers"}, "last_name", validators.CONTROL_CHARACTERS),
        ({"last_name": "Rivers\u202egnp.exe"}, "last_name", validators.CONTROL_CHARACTERS),
        ({"first_name": ""}, "first_name", validators.REQUIRED),
        ({"respondent": "administrator"}, "respondent", validators.CHOICE_INVALID),
        ({"sex": "robot"}, "sex", validators.CHOICE_INVALID),
        ({"state": "ZZ"}, "state", validators.CHOICE_INVALID),
        ({"preferred_contact": "fax"}, "preferred_contact", validators.CHOICE_INVALID),
    ],
)  # fmt: skip
def test_about_you_rules(db, client, changes, field, message):
    errors = errors_of(post_page(client, "about", **changes))
    assert str(message) in errors[field]
    assert "about" not in draft_of(client).completed_steps


def test_a_minor_is_accepted_and_flagged_for_staff(db, client):
    born = TODAY.replace(year=TODAY.year - 15) if TODAY.month != 2 else datetime.date(2011, 3, 1)
    posts = answers_for(about={**DEFAULT_POSTS["about"], "date_of_birth": born.isoformat()})
    Walk(client, posts).run()
    assert Intake.objects.get().is_minor


def test_dates_may_be_typed_the_american_way(db, client):
    response = post_page(client, "about", date_of_birth="05/01/1990")
    assert response.status_code == 302
    assert draft_of(client).answers["about"]["date_of_birth"] == "1990-05-01"


@pytest.mark.parametrize(
    ("substance", "amount", "unit", "message"),
    [
        ("cannabis", "0", "grams", validators.AMOUNT_NOT_POSITIVE),
        ("cannabis", "-2", "grams", validators.AMOUNT_NOT_POSITIVE),
        ("cannabis", "NaN", "grams", validators.NUMBER_INVALID),
        ("cannabis", "Infinity", "grams", validators.NUMBER_INVALID),
        ("cannabis", "-inf", "grams", validators.NUMBER_INVALID),
        ("cannabis", "lots", "grams", validators.NUMBER_INVALID),
        ("cannabis", "1.234", "grams", validators.NUMBER_INVALID),
        ("cannabis", "101", "grams", validators.AMOUNT_TOO_LARGE % {"limit": 100}),
        ("cannabis", "1e400", "grams", validators.AMOUNT_TOO_LARGE % {"limit": 100}),
        ("cannabis", "1001", "other", validators.AMOUNT_TOO_LARGE % {"limit": 1000}),
        ("baclofen", "10001", None, validators.AMOUNT_TOO_LARGE % {"limit": 10000}),
        ("alcohol", "101", None, validators.AMOUNT_TOO_LARGE % {"limit": 100}),
    ],
)  # fmt: skip
def test_amounts_are_positive_finite_and_plausible(db, client, substance, amount, unit, message):
    posts = answers_for(substances={"substances": [substance]})
    Walk(client, posts).run(until="substance-details")
    data = {f"{substance}-frequency": "daily", f"{substance}-last_use": "today",
            f"{substance}-route": "oral", f"{substance}-prescribed": "no",
            f"{substance}-amount": amount}  # fmt: skip
    if unit:
        data[f"{substance}-unit"] = unit
    errors = errors_of(client.post(url("substance-details"), data))
    assert errors[f"{substance}-amount"] == [str(message)]


def test_plausible_high_baclofen_is_accepted(db, client):
    Walk(client, answers_for(substances={"substances": ["baclofen"]})).run(
        until="substance-details"
    )
    data = {"baclofen-frequency": "daily", "baclofen-last_use": "today", "baclofen-route": "oral",
            "baclofen-prescribed": "more", "baclofen-amount": "10000"}  # fmt: skip
    assert client.post(url("substance-details"), data).status_code == 302
    assert draft_of(client).answers["substance-details"]["baclofen"]["amount_per_day"] == 10000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cannabis-duration_months": "1201"}, "cannabis-duration_months",
         validators.DURATION_TOO_LARGE % {"limit": 1200}),
        ({"cannabis-duration_months": "-1"}, "cannabis-duration_months",
         validators.DURATION_TOO_LARGE % {"limit": 1200}),
        ({"cannabis-duration_months": "six"}, "cannabis-duration_months",
         validators.WHOLE_NUMBER_INVALID),
        ({"cannabis-frequency": "hourly"}, "cannabis-frequency", validators.CHOICE_INVALID),
        ({"cannabis-frequency": None}, "cannabis-frequency", validators.REQUIRED),
        ({"cannabis-route": "osmosis"}, "cannabis-route", validators.CHOICE_INVALID),
        ({"cannabis-unit": "drinks"}, "cannabis-unit", validators.CHOICE_INVALID),
    ],
)  # fmt: skip
def test_substance_detail_rules(db, client, changes, field, message):
    errors = errors_of(post_page(client, "substance-details", **changes))
    assert errors[field] == [str(message)]


@pytest.mark.parametrize(
    ("step_id", "changes", "field", "message"),
    [
        ("substances", {"substances": None}, "substances", validators.SUBSTANCE_REQUIRED),
        ("substances", {"substances": ["cannabis", "kryptonite"]}, "substances",
         validators.CHOICE_INVALID),
        ("together", {"dast_4": "maybe"}, "dast_4", validators.CHOICE_INVALID),
        ("together", {"dast_4": None}, "dast_4", validators.REQUIRED),
        ("symptoms", {"danger_signs": ["tremors"]}, "danger_signs", validators.CHOICE_INVALID),
        ("symptoms", {"body_signs": ["zombie"]}, "body_signs",
         validators.CHOICE_INVALID),
        ("health", {"phq_1": "4"}, "phq_1", validators.CHOICE_INVALID),
        ("health", {"pregnant": None}, "pregnant", validators.REQUIRED),
        ("health", {"q2": "true"}, "q2", validators.CHOICE_INVALID),
        ("life", {"housing": "castle"}, "housing", validators.CHOICE_INVALID),
        ("life", {"duties": ["sleep"]}, "duties", validators.CHOICE_INVALID),
        ("insurance", {"member_id": "ABC$%^"}, "member_id", validators.MEMBER_ID_INVALID),
        ("insurance", {"payer": "P" * 201}, "payer",
         validators.TEXT_TOO_LONG % {"limit_value": 200}),
        ("insurance", {"payer": "Medi\x1bcaid"}, "payer", validators.CONTROL_CHARACTERS),
    ],
)  # fmt: skip
def test_other_page_rules(db, client, step_id, changes, field, message):
    errors = errors_of(post_page(client, step_id, **changes))
    assert errors[field] == [str(message)]


def test_signature_length_and_characters(db, client):
    Walk(client).run(until="review")
    page = client.post(url("review"), {**DEFAULT_POSTS["review"], "signature": "S" * 201})
    assert errors_of(page)["signature"] == [str(validators.TEXT_TOO_LONG % {"limit_value": 200})]
    page = client.post(url("review"), {**DEFAULT_POSTS["review"], "signature": "Dana\x00"})
    assert errors_of(page)["signature"] == [str(validators.CONTROL_CHARACTERS)]
    assert not Intake.objects.exists()


def test_valid_answers_stay_on_the_page_when_another_is_wrong(db, client):
    response = post_page(client, "about", phone="not a phone", postal_code="99")
    html = response.content.decode()
    assert 'value="Dana"' in html and 'value="Rivers"' in html and 'value="1990-05-01"' in html
    assert 'value="dana@example.org"' in html and 'value="not a phone"' in html
    assert re.search(r'value="self"[^>]*checked', html)
    assert re.search(r'value="female"[^>]*checked', html)
    assert re.search(r'<option value="MA" selected>', html)


def test_the_error_summary_links_to_each_field(db, client):
    response = post_page(client, "about", phone="x", respondent=None, first_name="")
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))
    ]
    anchors = re.findall(r'href="#([^"]+)"', summary)
    assert anchors == ["id_respondent_0", "id_first_name", "id_phone"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    assert 'aria-describedby="id_phone_error"' in html


def test_server_computed_fields_cannot_be_set(db, client):
    smuggled = {"track": "detox", "escalation": "emergency", "status": "admitted",
                "reference": "AAAA-AAAA", "scores": "{}", "submission_key": "x",
                "current_decision": "1", "priority": "on", "needs_review": "on"}  # fmt: skip
    posts = {step_id: {**data, **smuggled} for step_id, data in answers_for().items()}
    Walk(client, posts).run()
    intake = Intake.objects.get()
    assert intake.reference != "AAAA-AAAA"
    assert (intake.track, intake.escalation, intake.status) == ("outpatient", "none", "new")
    assert not intake.priority and intake.submission_key != "x"
    for step_answers in [draft_of(client).answers, *[{}]]:
        assert "track" not in str(step_answers)


def test_an_html_payload_is_stored_as_text_and_shown_escaped(db, client):
    payload = "<script>alert(1)</script>"
    posts = answers_for(about={**DEFAULT_POSTS["about"], "first_name": payload},
                        insurance={"payer": '"><img src=x onerror=alert(1)>'})  # fmt: skip
    walk = Walk(client, posts).run(until="review")
    review = client.get(url("review")).content.decode()
    assert payload not in review and html_lib.escape(payload) in review
    assert "<img src=x" not in review
    client.post(url("review"), DEFAULT_POSTS["review"])
    intake = Intake.objects.get()
    assert intake.first_name == payload
    done = client.get(reverse("intake:done")).content.decode()
    assert payload not in done and "alert(1)" not in done
    assert walk.emergency_after == []


GARBAGE = [
    {},
    {"first_name": ["a", "b"], "substances": "alcohol"},
    {"date_of_birth": "9" * 50, "phone": "\x00" * 10},
    {"cannabis-amount": "9" * 400, "cannabis-duration_months": "9" * 400},
    # Not UTF-8 at all (a lone surrogate, percent-encoded), as a raw form body.
    b"first_name=%ED%A0%80&payer=%FF%FE&signature=%C0%AF&substances=%00",
    {"q2": ["yes", "no"], "phq_1": "-1", "audit_c_1": "99"},
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_never_gives_a_server_error(db, client, garbage):
    Walk(client).run(until="review")
    for step in STEPS:
        if isinstance(garbage, bytes):
            response = client.post(
                url(step.id), garbage, content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.post(url(step.id), garbage)
        assert response.status_code in (200, 302, 400), (step.id, response.status_code)
    assert not Intake.objects.exists()


# --- the validators themselves -----------------------------------------------------------------


def test_validate_amount_units():
    validators.validate_amount(Decimal(100), "drinks")
    with pytest.raises(ValidationError) as error:
        validators.validate_amount(Decimal(101), "drinks")
    assert error.value.code == "too_large"
    with pytest.raises(ValidationError):
        validators.validate_amount(Decimal("NaN"), "mg")


def test_validate_date_of_birth_edges():
    today = datetime.date(2026, 11, 25)
    validators.validate_date_of_birth(datetime.date(1916, 11, 25), today=today)  # 110 today
    validators.validate_date_of_birth(datetime.date(2014, 11, 25), today=today)  # 12 today
    for day, code in ((datetime.date(1915, 11, 24), "too_early"),  # 111
                      (datetime.date(2014, 11, 26), "too_young"),  # 11, 12 tomorrow
                      (datetime.date(2021, 6, 1), "too_young"),  # 5
                      (datetime.date(2026, 11, 26), "future")):  # fmt: skip
        with pytest.raises(ValidationError) as error:
            validators.validate_date_of_birth(day, today=today)
        assert error.value.code == code


def test_is_minor_counts_whole_years():
    today = datetime.date(2026, 11, 25)
    assert validators.is_minor("2008-11-26", today=today)  # 18 tomorrow
    assert not validators.is_minor("2008-11-25", today=today)  # 18 today
    assert not validators.is_minor(None, today=today)


@pytest.mark.parametrize("text", ["Zoë", "O'Brien-Smith", "李小龙", "José María", "👍 ok"])
def test_ordinary_names_pass_the_character_check(text):
    validators.validate_no_control_characters(text)
