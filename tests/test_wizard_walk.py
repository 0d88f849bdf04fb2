"""Walk the whole intake with the Django test client, one vignette per track and escalation.

Also the home of the walking helpers (`Walk`, `answers_for`) that the other wizard tests use.
"""

from __future__ import annotations

import copy
import json
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse

from intake import routing
from intake.documents import intake_to_document
from intake.models import Consent, Draft, Intake
from intake.public.consent import CONSENT_VERSION
from tests.conftest import stored_output

START = reverse("intake:start")
HELP_NOW = reverse("intake:help_now")
DONE = reverse("intake:done")

DAST_NO = {f"dast_{n}": "no" for n in range(1, 11)} | {"dast_3": "yes"}
# What a person types on each page for an ordinary outpatient intake; vignettes change parts.
DEFAULT_POSTS: dict[str, dict] = {
    "about": {
        "respondent": "self", "first_name": "Dana", "last_name": "Rivers",
        "date_of_birth": "1990-05-01", "sex": "female", "phone": "555-555-0100",
        "email": "dana@example.org", "preferred_contact": "phone", "voicemail_ok": "yes",
        "state": "MA", "postal_code": "02139",
    },
    "substances": {"substances": ["cannabis"]},
    "substance-details": {
        "cannabis-frequency": "weekly", "cannabis-amount": "1", "cannabis-unit": "grams",
        "cannabis-route": "smoked", "cannabis-duration_months": "24",
        "cannabis-last_use": "4_7_days",
    },
    "together": dict(DAST_NO),
    "symptoms": {"withdrawal_seizures": "no", "withdrawal_delirium": "no"},
    "health": {"pregnant": "no", "phq_1": "0", "phq_2": "1", "q1": "no", "q2": "no",
               "q6": "no"},
    "safety": {},
    "life": {
        "housing": "stable", "others_using_at_home": "no", "unsafe_home": "no",
        "has_support": "yes", "duties": ["work"], "relapse": "no_treatment",
        "readiness": "ready", "preference": "outpatient",
    },
    "insurance": {"payer": "Medicaid", "member_id": "ABC-123"},
    "review": {"contact_ok": "on", "privacy_acknowledged": "on", "disclosure_ok": "on",
               "signature": "Dana Rivers"},
}  # fmt: skip


def answers_for(**changes: dict) -> dict[str, dict]:
    """DEFAULT_POSTS with some pages' posts replaced (step ids use _ for - in keywords)."""
    posts = copy.deepcopy(DEFAULT_POSTS)
    for step_id, data in changes.items():
        posts[step_id.replace("_", "-")] = data
    return posts


def step_of(url: str) -> str:
    """The step id in a /intake/step/<id>/ URL."""
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


class Walk:
    """Drives one browser session through the intake, page by page, like a person would."""

    def __init__(self, client, posts: dict[str, dict] | None = None):
        self.client = client
        self.posts = posts or answers_for()
        self.visited: list[str] = []
        self.emergency_after: list[str] = []  # steps after which the emergency page came
        self.response = None

    def start(self):
        response = self.client.post(START)
        assert response.status_code == 302, response.status_code
        return response["Location"]

    def post_step(self, step_id: str, data: dict | None = None, **query):
        url = reverse("intake:step", args=[step_id])
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return self.client.post(url, self.posts[step_id] if data is None else data)

    def run(self, until: str | None = None):
        """Answer page after page until ``until`` is the next page (or the confirmation)."""
        location = self.start()
        for _ in range(30):
            if location == HELP_NOW:
                page = self.client.get(HELP_NOW)
                assert page.status_code == 200
                self.emergency_after.append(self.visited[-1])
                location = page.context["continue_url"]
                continue
            if location == DONE:
                self.response = self.client.get(DONE)
                return self
            step_id = step_of(location)
            if step_id == until:
                return self
            page = self.client.get(location)
            assert page.status_code == 200, (location, page.status_code)
            self.visited.append(step_id)
            response = self.post_step(step_id)
            assert response.status_code == 302, (step_id, _errors(response))
            location = response["Location"]
        raise AssertionError("the walk did not end")


def _errors(response) -> object:
    context = getattr(response, "context", None)
    return context["form"].errors if context and "form" in context else response.status_code


def draft_of(client) -> Draft:
    return Draft.objects.get(pk=client.session["intake_draft"])


VIGNETTES = {
    "outpatient, no escalation": (answers_for(), "outpatient", "none"),
    "detox: baclofen above the maximum with alcohol": (
        answers_for(
            substances={"substances": ["alcohol", "baclofen"]},
            substance_details={
                "alcohol-frequency": "most_days", "alcohol-amount": "6",
                "alcohol-last_use": "today", "alcohol-duration_months": "36",
                "baclofen-frequency": "daily", "baclofen-amount": "150",
                "baclofen-route": "oral", "baclofen-last_use": "today",
                "baclofen-prescribed": "more",
            },
            together={**DAST_NO, "used_together": ["alcohol", "baclofen"], "audit_c_1": "4",
                      "audit_c_2": "2", "audit_c_3": "3"},
            symptoms={"body_signs": ["tremors", "insomnia"],
                      "withdrawal_seizures": "no", "withdrawal_delirium": "no"},
        ),
        "detox",
        "none",
    ),
    "inpatient: unstable housing and relapse": (
        answers_for(
            life={**DEFAULT_POSTS["life"], "housing": "unstable", "prior_treatment": ["outpatient"],
                  "relapse": "yes"},
        ),
        "inpatient",
        "none",
    ),
    "emergency: weak breathing now": (
        answers_for(
            symptoms={"danger_signs": ["weak_shallow_breathing"], "withdrawal_seizures": "no",
                      "withdrawal_delirium": "no"},
        ),
        "outpatient",
        "emergency",
    ),
    "crisis: high suicide risk, through the follow-up page": (
        answers_for(
            health={"pregnant": "no", "phq_1": "3", "phq_2": "3", "q1": "yes",
                    "q2": "yes", "q6": "no"},
            safety={"q3": "yes", "q4": "yes", "q5": "no"},
        ),
        "outpatient",
        "crisis",
    ),
    "inpatient and crisis: recent attempt, others using at home": (
        answers_for(
            health={"pregnant": "no", "phq_1": "1", "phq_2": "1", "q1": "yes", "q2": "no",
                    "q6": "yes"},
            safety={"q6_past_3_months": "yes"},
            life={**DEFAULT_POSTS["life"], "others_using_at_home": "yes"},
        ),
        "inpatient",
        "crisis",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(VIGNETTES))
def test_vignette_walks_to_one_routed_intake(db, client, tmp_path, name):
    posts, track, escalation = VIGNETTES[name]

    walk = Walk(client, posts).run()

    intake = Intake.objects.get()
    assert (intake.track, intake.escalation) == (track, escalation)
    stored = stored_output(intake.current_decision)
    exported = intake_to_document(intake)
    assert stored == routing.route(exported).as_dict()
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(exported))
    call_command("route", str(path), stdout=(out := _Buffer()))
    assert json.loads(out.text) == stored
    # The emergency page came exactly when the engine escalated.
    assert bool(walk.emergency_after) == (escalation != "none")
    # The confirmation: the reference, what happens next, crisis numbers and no answers.
    page = walk.response.content.decode()
    assert intake.reference in page
    assert "within one business day" in page
    assert 'href="tel:988"' in page and "1-800-222-1222" in page
    for private in ("Dana", "Rivers", "annabis", "aclofen", track, "Medicaid", "1990"):
        assert private not in page


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_stored_intake_keeps_every_answer(db, client):
    posts, _track, _escalation = VIGNETTES["detox: baclofen above the maximum with alcohol"]
    Walk(client, posts).run()
    intake = Intake.objects.get()
    assert (intake.first_name, intake.last_name, intake.phone) == ("Dana", "Rivers", "555-555-0100")
    assert intake.date_of_birth.isoformat() == "1990-05-01"
    assert (intake.state, intake.postal_code, intake.voicemail_ok) == ("MA", "02139", True)
    uses = {use.substance_id: use for use in intake.substance_uses.all()}
    assert uses["baclofen"].unit == "mg" and uses["baclofen"].amount_per_day == 150
    assert uses["baclofen"].prescribed is True and uses["baclofen"].more_than_prescribed is True
    assert uses["alcohol"].unit == "drinks" and uses["alcohol"].route == "oral"
    assert intake.used_together == ["alcohol", "baclofen"]
    assert intake.screening["audit_c"] == [4, 2, 3]
    assert {s.code for s in intake.symptoms.all()} == {"tremors", "insomnia"}
    assert (intake.insurance_payer, intake.insurance_member_id) == ("Medicaid", "ABC-123")
    assert {r["code"] for r in intake.current_decision.rules} >= {"D1", "D3", "D6"}


def test_consent_is_stored_with_its_version(db, client):
    Walk(client).run()
    consent = Consent.objects.get()
    assert consent.text_version == CONSENT_VERSION
    assert consent.contact_ok and consent.privacy_acknowledged and consent.disclosure_ok
    assert consent.signature == "Dana Rivers"
    assert "clinical team" in consent.disclosure_recipient
    assert consent.disclosure_purpose and consent.disclosure_information
    assert consent.disclosure_expires > consent.signed_on


def test_disclosure_consent_is_optional(db, client):
    posts = answers_for(review={"contact_ok": "on", "privacy_acknowledged": "on",
                                "signature": "Dana Rivers"})  # fmt: skip
    Walk(client, posts).run()
    consent = Consent.objects.get()
    assert not consent.disclosure_ok
    assert consent.disclosure_recipient == "" and consent.disclosure_expires is None


def test_confirmation_url_and_session_carry_no_identifying_details(db, client):
    walk = Walk(client).run()
    intake = Intake.objects.get()
    assert walk.response.request["PATH_INFO"] == DONE
    assert intake.reference not in DONE and str(intake.pk) not in DONE
    # The draft no longer holds the answers.
    draft = Draft.objects.get()
    assert draft.answers == {} and draft.submitted_intake == intake
