"""The bad-input matrix (issue 8, "Also build"): every class of bad input against every public
form and every staff form. Each request must get a clear message or a 4xx, never a 5xx, and
nothing may be stored wrongly: text that is refused leaves what was stored before, and text
that is accepted (emoji, combining characters, markup, SQL, spreadsheet formulas) is stored
exactly as sent and shown escaped.

The tally (classes tried, requests sent, 5xx seen) is printed and written to
test-results/bad-input-matrix.txt when the module ends; `make test` prints it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Consent, Draft, Intake, IntakeEvent, TrackReview
from tests.conftest import PASSWORD, StaffClient
from tests.test_wizard_walk import DEFAULT_POSTS, Walk

ROOT = Path(__file__).resolve().parent.parent
FORM = "application/x-www-form-urlencoded"

# --- the classes ------------------------------------------------------------------------------

# Refused with a message on the field; what was stored before stays.
REFUSED_TEXT = {
    "over-long text": "a" * 5001,
    "NUL and control characters": "Da\x00na",
    "control character (escape)": "Dana\x1b[31m",
    "right-to-left override": "Dana\u202egnp.exe",
}
# Accepted and stored exactly as sent.
EXACT_TEXT = {
    "emoji": "Dana 👩🏽‍⚕️🌈",
    "combining characters": "Rene\u0301e Zoe\u0308",
    "HTML/script": "<script>alert('x')</script><b>",
    "SQL-looking text": "Robert'); DROP TABLE intake_intake;--",
    "CSV formula": '=HYPERLINK("http://evil.example","x")',
}
NUMBERS = ["nan", "NaN", "inf", "-inf", "1e309", "-1", "0", "9" * 400, "1,5", "0x10", "1e3", "½"]
DATES = [
    "2026-02-30",
    "1990-13-01",
    "0000-01-01",
    "9999-12-31",
    "1899-12-31",
    "2999-01-01",
    "31/31/1990",
    "1990-05-01T00:00",
    "yesterday",
    "9" * 60,
]
BROKEN_UTF8 = ["%ED%A0%80", "%C0%AF", "%FF%FE", "Ren%C3"]

CLASSES = [
    *REFUSED_TEXT,
    *EXACT_TEXT,
    "numeric edge cases",
    "impossible dates",
    "choices not in their lists",
    "duplicated parameters",
    "extra parameters",
    "forged step names",
    "JSON bodies",
    "multipart bodies",
    "wrong Host",
    "GET (and other methods) on POST-only endpoints",
    "invalid UTF-8 and lone surrogates",
    "over-large body",
]


class Tally:
    def __init__(self):
        self.classes: Counter[str] = Counter()
        self.requests = 0
        self.server_errors: list[str] = []

    def line(self) -> str:
        return (
            f"bad-input matrix: {len(self.classes)} classes tried, {self.requests} requests "
            f"sent, {len(self.server_errors)} responses 5xx"
        )


# One tally per process, not per fixture instance: pytest may interleave another module's
# parametrized tests with this one's, which would start a module fixture afresh.
TALLY = Tally()


@pytest.fixture(scope="module")
def tally():
    tally = TALLY
    yield tally
    line = tally.line()
    detail = {
        "classes": dict(sorted(tally.classes.items())),
        "requests": tally.requests,
        "5xx": tally.server_errors,
    }
    out = ROOT / "test-results"
    out.mkdir(exist_ok=True)
    (out / "bad-input-matrix.txt").write_text(line + "\n" + json.dumps(detail, indent=1) + "\n")
    print("\n" + line)


class Sender:
    """A browser (test client that returns 500s instead of raising) that counts everything."""

    def __init__(self, tally: Tally, client: Client | None = None):
        self.tally = tally
        self.client = client or StaffClient(raise_request_exception=False)

    def send(
        self,
        cls: str,
        method: str,
        path: str,
        data=None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        **extra,
    ):
        assert cls in CLASSES, cls
        if raw is not None:
            response = self.client.generic(
                method, path, raw, content_type=content_type or FORM, **extra
            )
        elif method == "GET":
            response = self.client.get(path, data, **extra)
        elif method == "POST" and content_type is None:
            response = self.client.post(path, data or {}, **extra)
        else:
            body = data if isinstance(data, bytes | str) else urlencode(data or {}, doseq=True)
            response = self.client.generic(
                method, path, body, content_type=content_type or FORM, **extra
            )
        self.tally.classes[cls] += 1
        self.tally.requests += 1
        if response.status_code >= 500:
            self.tally.server_errors.append(f"{cls}: {method} {path} -> {response.status_code}")
        assert response.status_code < 500, (cls, method, path, data, raw)
        return response


def step_url(step_id: str) -> str:
    return reverse("intake:step", args=[step_id])


def stored(client) -> dict:
    return Draft.objects.get(pk=client.session["intake_draft"]).answers


def field_errors(response, name: str) -> list[str]:
    form = response.context["form"] if response.context else None
    return list(form.errors.get(name, [])) if form is not None else []


# --- the patient's forms ------------------------------------------------------------------------

TEXT_FIELDS = [("about", "first_name"), ("about", "last_name"), ("insurance", "payer")]


@pytest.fixture
def patient(db, tally):
    sender = Sender(tally)
    Walk(sender.client).run(until="review")
    return sender


def test_patient_text_fields(patient):
    client = patient.client
    for step, name in TEXT_FIELDS:
        for cls, value in REFUSED_TEXT.items():
            before = stored(client)[step]
            response = patient.send(
                cls, "POST", step_url(step), {**DEFAULT_POSTS[step], name: value}
            )
            assert response.status_code == 200, (cls, name)
            assert field_errors(response, name), (cls, name)
            assert stored(client)[step] == before, (cls, name)
        for cls, value in EXACT_TEXT.items():
            response = patient.send(
                cls, "POST", step_url(step), {**DEFAULT_POSTS[step], name: value}
            )
            assert response.status_code == 302, (cls, name, field_errors(response, name))
            assert stored(client)[step][name] == value, (cls, name)
        for raw in BROKEN_UTF8:
            before = stored(client)[step]
            rest = {k: v for k, v in DEFAULT_POSTS[step].items() if k != name}
            body = (urlencode(rest, doseq=True) + f"&{name}={raw}").encode()
            response = patient.send(
                "invalid UTF-8 and lone surrogates", "POST", step_url(step), raw=body
            )
            assert response.status_code == 200 and field_errors(response, name)
            assert stored(client)[step] == before
    # What was accepted is shown escaped on the review page.
    patient.send(
        "HTML/script",
        "POST",
        step_url("about"),
        {**DEFAULT_POSTS["about"], "first_name": EXACT_TEXT["HTML/script"]},
    )
    review = client.get(step_url("review")).content.decode()
    assert "<script>alert" not in review
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;" in review


FORMATTED_FIELDS = [("about", "phone"), ("about", "email"), ("about", "postal_code"),
                    ("insurance", "member_id")]  # fmt: skip


def test_patient_formatted_fields_refuse_or_store_exactly(patient):
    """Fields with a format (phone, e-mail, ZIP code, member ID): every class of text is either
    refused with a message on the field, leaving what was stored, or stored exactly."""
    client = patient.client
    for step, name in FORMATTED_FIELDS:
        for cls, value in {**REFUSED_TEXT, **EXACT_TEXT}.items():
            before = stored(client)[step]
            response = patient.send(cls, "POST", step_url(step),
                                    {**DEFAULT_POSTS[step], name: value})  # fmt: skip
            if response.status_code == 302:
                assert cls in EXACT_TEXT and stored(client)[step][name] == value, (cls, name)
            else:
                assert response.status_code == 200 and field_errors(response, name), (cls, name)
                assert stored(client)[step] == before, (cls, name)
        for raw in BROKEN_UTF8:
            before = stored(client)[step]
            rest = {k: v for k, v in DEFAULT_POSTS[step].items() if k != name}
            body = (urlencode(rest, doseq=True) + f"&{name}=1{raw}").encode()
            response = patient.send("invalid UTF-8 and lone surrogates", "POST",
                                    step_url(step), raw=body)  # fmt: skip
            assert response.status_code == 200 and field_errors(response, name), (name, raw)
            assert stored(client)[step] == before


def test_patient_email_link_form(patient, mailoutbox):
    """Save and finish later, by e-mail: every class of text in the address is refused with a
    message (nothing sent), or the link goes to exactly the address typed."""
    url = reverse("intake:email_link")
    for cls, value in {**REFUSED_TEXT, **EXACT_TEXT}.items():
        sent = len(mailoutbox)
        response = patient.send(cls, "POST", url, {"email": f"dana{value}@example.org"})
        if response.status_code == 302:
            assert mailoutbox[-1].to == [f"dana{value}@example.org"], cls
        else:
            assert response.status_code == 400, cls
            assert response.context["email_form"].errors.get("email"), cls
            assert len(mailoutbox) == sent
    for raw in BROKEN_UTF8:
        response = patient.send("invalid UTF-8 and lone surrogates", "POST", url,
                                raw=f"email=dana{raw}@example.org".encode())  # fmt: skip
        assert response.status_code == 400
    patient.send("duplicated parameters", "POST", url, {"email": ["a@example.org", "b@x"]})
    patient.send("extra parameters", "POST", url, {"email": "x", "to": "b@example.org",
                                                   "bcc": "c@example.org"})  # fmt: skip
    patient.send("JSON bodies", "POST", url, '{"email": "a@example.org"}',
                 content_type="application/json")  # fmt: skip
    response = patient.send("GET (and other methods) on POST-only endpoints", "GET", url)
    assert response.status_code == 405
    for message in mailoutbox:
        assert message.to[0].count("@") == 1 and "\n" not in message.to[0]
        assert "bcc" not in message.extra_headers and not message.bcc


def test_patient_numbers_dates_and_choices(patient):
    client = patient.client
    details = DEFAULT_POSTS["substance-details"]
    for value in NUMBERS:
        for name in ("cannabis-amount", "cannabis-duration_months"):
            response = patient.send(
                "numeric edge cases",
                "POST",
                step_url("substance-details"),
                {**details, name: value},
            )
            saved = stored(client)["substance-details"]["cannabis"]
            if response.status_code == 302:  # accepted: a finite, plausible number
                for key in ("amount", "duration_months"):
                    number = saved.get(key)
                    assert number is None or 0 <= float(number) <= 10_000, (value, saved)
            else:
                assert field_errors(response, name), (value, name)
    for value in ["-1", "7", "1.5", "nan", "9" * 50]:
        response = patient.send(
            "numeric edge cases",
            "POST",
            step_url("health"),
            {**DEFAULT_POSTS["health"], "phq_1": value},
        )
        assert response.status_code == 200 and field_errors(response, "phq_1")
    patient.send("numeric edge cases", "POST", step_url("health"), DEFAULT_POSTS["health"])
    for value in DATES:
        before = stored(client)["about"]
        response = patient.send(
            "impossible dates",
            "POST",
            step_url("about"),
            {**DEFAULT_POSTS["about"], "date_of_birth": value},
        )
        assert response.status_code == 200 and field_errors(response, "date_of_birth"), value
        assert stored(client)["about"] == before
    choices = [
        ("about", "sex", "robot"),
        ("about", "respondent", "administrator"),
        ("about", "state", "XX"),
        ("about", "preferred_contact", "carrier pigeon"),
        ("substances", "substances", ["unobtainium"]),
        ("substance-details", "cannabis-frequency", "hourly"),
        ("substance-details", "cannabis-route", "osmosis"),
        ("substance-details", "cannabis-unit", "tonnes"),
        ("together", "dast_1", "maybe"),
        ("symptoms", "body_signs", ["zombie"]),
        ("life", "housing", "castle"),
        ("life", "duties", ["dragon slaying"]),
    ]
    for step, name, value in choices:
        before = stored(client)[step]
        response = patient.send(
            "choices not in their lists",
            "POST",
            step_url(step),
            {**DEFAULT_POSTS[step], name: value},
        )
        assert response.status_code == 200 and field_errors(response, name), (step, name)
        assert stored(client)[step] == before


def test_patient_parameters_steps_and_bodies(patient, tally):
    client = patient.client
    # Duplicated: one value wins (Django takes the last), and it is one that was sent.
    response = patient.send(
        "duplicated parameters",
        "POST",
        step_url("about"),
        {**DEFAULT_POSTS["about"], "first_name": ["Ann", "Bea"]},
    )
    assert response.status_code == 302 and stored(client)["about"]["first_name"] in {"Ann", "Bea"}
    response = patient.send(
        "duplicated parameters",
        "POST",
        step_url("substances"),
        {"substances": ["cannabis", "cannabis"]},
    )
    assert stored(client)["substances"]["substances"] == ["cannabis"]
    # Extra: what the server computes cannot be posted.
    extra = {
        "track": "detox",
        "status": "closed",
        "escalation": "emergency",
        "reference": "AAAA-BBBB",
        "submitted_intake_id": "1",
        "answers": "{}",
        "completed_steps": "review",
    }
    for step in ("about", "life", "insurance"):
        response = patient.send(
            "extra parameters", "POST", step_url(step), {**DEFAULT_POSTS[step], **extra}
        )
        assert response.status_code == 302
        assert not set(extra) & set(stored(client)[step])
    # Forged step names: a kind 404, or the way back to where the person may be.
    for forged in [
        "review2",
        "ABOUT",
        "admin",
        "..",
        "%2e%2e",
        "about%00",
        "x" * 300,
        "step",
        "help-now",
        "%F0%9F%98%80",
    ]:
        for method in ("GET", "POST"):
            response = patient.send(
                "forged step names",
                method,
                f"/intake/step/{forged}/",
                DEFAULT_POSTS["about"] if method == "POST" else None,
            )
            assert response.status_code in (301, 302, 404), (forged, response.status_code)
    fresh = Sender(tally)
    fresh.send("forged step names", "POST", reverse("intake:start"), {})
    for step in ("insurance", "review", "safety"):
        response = fresh.send("forged step names", "POST", step_url(step), DEFAULT_POSTS[step])
        assert response.status_code == 302  # not yet reachable: back to the first unfinished
    assert fresh.client.get(step_url("about")).status_code == 200
    # JSON bodies: the form sees no fields, says what is missing, stores nothing.
    for step in ("about", "life", "review"):
        before = stored(client).get(step)
        response = patient.send(
            "JSON bodies",
            "POST",
            step_url(step),
            json.dumps(DEFAULT_POSTS[step]),
            content_type="application/json",
        )
        assert response.status_code == 200
        assert stored(client).get(step) == before
    other = Sender(tally)
    for path in (reverse("intake:start"), reverse("intake:forget")):
        other.send("JSON bodies", "POST", path, "{}", content_type="application/json")
    # Multipart: without a file it is an ordinary form; a file part gets a kind 400.
    response = patient.send("multipart bodies", "POST", step_url("about"), DEFAULT_POSTS["about"])
    assert response.status_code == 302
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="first_name"; '
        f'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nDana\r\n--{boundary}--\r\n'
    )
    response = patient.send(
        "multipart bodies",
        "POST",
        step_url("about"),
        raw=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400 and "not files" in response.content.decode()
    response = patient.send(
        "multipart bodies",
        "POST",
        step_url("about"),
        raw=b"garbage",
        content_type="multipart/form-data; boundary=nothere",
    )
    assert response.status_code in (200, 400)
    response = patient.send(
        "multipart bodies", "POST", step_url("about"), raw=b"x", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    # Over-large.
    response = patient.send(
        "over-large body", "POST", step_url("about"), raw=b"first_name=" + b"a" * (300 * 1024)
    )
    assert response.status_code == 413
    # Wrong Host.
    for host in ("evil.example", "x" * 300, "intake.example.org.evil.example", "", "[::1"):
        response = patient.send("wrong Host", "GET", step_url("about"), HTTP_HOST=host)
        assert response.status_code == 400, host
        response = patient.send(
            "wrong Host", "POST", step_url("about"), DEFAULT_POSTS["about"], HTTP_HOST=host
        )
        assert response.status_code == 400, host
    # Methods an endpoint does not take.
    for path in (reverse("intake:forget"),):
        response = patient.send("GET (and other methods) on POST-only endpoints", "GET", path)
        assert response.status_code == 405
    for method in ("PUT", "PATCH", "DELETE"):
        for path in (step_url("about"), reverse("intake:start"), reverse("intake:forget")):
            response = patient.send(
                "GET (and other methods) on POST-only endpoints", method, path, "first_name=x"
            )
            assert response.status_code == 405, (method, path)
    for path in (reverse("intake:help_now"), reverse("intake:done"), reverse("intake:save")):
        response = patient.send("GET (and other methods) on POST-only endpoints", "POST", path, {})
        assert response.status_code == 405, path
    # Resume links: odd tokens.
    for token in ["%00", "a" * 500, "<script>", "%ED%A0%80", "'; DROP TABLE x;--"]:
        response = patient.send("forged step names", "GET", f"/intake/resume/{token}/")
        assert response.status_code in (404, 410, 429), token


def test_patient_review_refusals_then_an_exact_signature(patient):
    review = DEFAULT_POSTS["review"]
    for cls, value in REFUSED_TEXT.items():
        response = patient.send(cls, "POST", step_url("review"), {**review, "signature": value})
        assert response.status_code == 200 and field_errors(response, "signature"), cls
    for raw in BROKEN_UTF8:
        body = (
            urlencode({k: v for k, v in review.items() if k != "signature"}) + f"&signature={raw}"
        ).encode()
        response = patient.send(
            "invalid UTF-8 and lone surrogates", "POST", step_url("review"), raw=body
        )
        assert response.status_code == 200 and field_errors(response, "signature")
    assert not Intake.objects.exists()


def test_an_exact_signature_is_stored_exactly(db, tally):
    sender = Sender(tally)
    Walk(sender.client).run(until="review")
    signature = EXACT_TEXT["combining characters"] + " " + EXACT_TEXT["emoji"]
    response = sender.send(
        "combining characters",
        "POST",
        step_url("review"),
        {**DEFAULT_POSTS["review"], "signature": signature},
    )
    assert response.status_code == 302
    assert Consent.objects.get().signature == signature


# --- the staff forms ----------------------------------------------------------------------------


@pytest.fixture
def staff(tally, clinician, administrator, submit):
    from django.contrib.auth.models import Group

    from intake.models.users import CLINICIANS

    administrator.groups.add(Group.objects.get(name=CLINICIANS))
    sender = Sender(tally)
    sender.client.force_login(administrator)
    sender.intake = submit()
    return sender


def _action(intake, name):
    return reverse(f"staff:intake_{name}", args=[intake.reference])


def _notes(intake):
    return list(
        IntakeEvent.objects.filter(intake=intake, kind=IntakeEvent.Kind.NOTE).values_list(
            "text", flat=True
        )
    )


def test_staff_note_and_review_text(staff):
    intake = staff.intake
    for cls, value in {**REFUSED_TEXT, "over-long text": "a" * 5001}.items():
        intake.refresh_from_db()
        response = staff.send(
            cls,
            "POST",
            _action(intake, "note"),
            {"note-version": intake.version, "note-text": value},
        )
        assert response.status_code == 400, cls
        assert _notes(intake) == []
    for raw in BROKEN_UTF8:
        intake.refresh_from_db()
        body = f"note-version={intake.version}&note-text=called{raw}".encode()
        response = staff.send(
            "invalid UTF-8 and lone surrogates", "POST", _action(intake, "note"), raw=body
        )
        assert response.status_code == 400
        assert _notes(intake) == []
    sent = []
    for cls, value in {**EXACT_TEXT, "multi-line": "line one\r\nline two\ttabbed"}.items():
        intake.refresh_from_db()
        response = staff.send(
            cls if cls in CLASSES else "emoji",
            "POST",
            _action(intake, "note"),
            {"note-version": intake.version, "note-text": value},
        )
        assert response.status_code == 302, cls
        sent.append(value)
    assert sorted(_notes(intake)) == sorted(sent)
    page = staff.client.get(reverse("staff:intake", args=[intake.reference])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    # The review reason: refused and accepted the same way.
    for cls, value in REFUSED_TEXT.items():
        intake.refresh_from_db()
        response = staff.send(
            cls,
            "POST",
            _action(intake, "review"),
            {
                "review-version": intake.version,
                "review-action": "override",
                "review-track": "inpatient",
                "review-reason": value,
            },
        )
        assert response.status_code == 400, cls
    assert not TrackReview.objects.filter(intake=intake).exists()


def test_staff_numbers_choices_parameters_and_bodies(staff):
    intake = staff.intake
    for value in ["-1", "0", "nan", "1e309", "9" * 400, "", "1.5", "½"]:
        response = staff.send(
            "numeric edge cases",
            "POST",
            _action(intake, "note"),
            {"note-version": value, "note-text": "hello"},
        )
        assert response.status_code in (400, 409), value
    assert _notes(intake) == []
    intake.refresh_from_db()
    forged = [
        ("status", {"status-status": "deleted"}),
        ("status", {"status-status": ""}),
        ("assign", {"assign-assignee": "999999"}),
        ("assign", {"assign-assignee": "alice"}),
        ("review", {"review-action": "delete", "review-track": "detox"}),
        (
            "review",
            {"review-action": "override", "review-track": "superdetox", "review-reason": "because"},
        ),
    ]
    for name, data in forged:
        response = staff.send(
            "choices not in their lists",
            "POST",
            _action(intake, name),
            {f"{name}-version": intake.version, **data},
        )
        assert response.status_code == 400, (name, data)
    intake.refresh_from_db()
    assert intake.version == 1
    # Duplicated and extra parameters.
    response = staff.send(
        "duplicated parameters",
        "POST",
        _action(intake, "note"),
        {"note-version": [intake.version, 99], "note-text": ["one", "two"]},
    )
    assert response.status_code in (302, 400, 409)
    assert set(_notes(intake)) <= {"one", "two"}
    intake.refresh_from_db()
    response = staff.send(
        "extra parameters",
        "POST",
        _action(intake, "note"),
        {
            "note-version": intake.version,
            "note-text": "extra",
            "track": "detox",
            "status": "closed",
            "actor": "1",
            "intake": "2",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    event = IntakeEvent.objects.get(intake=intake, kind=IntakeEvent.Kind.NOTE, text="extra")
    assert event.actor.username == "carol" and event.created_at.year > 2000
    assert intake.status != "closed"
    # JSON and multipart bodies.
    for name in ("note", "status", "assign", "review"):
        response = staff.send(
            "JSON bodies",
            "POST",
            _action(intake, name),
            '{"note-text": "json"}',
            content_type="application/json",
        )
        assert response.status_code == 400
    assert "json" not in _notes(intake)
    response = staff.send(
        "multipart bodies",
        "POST",
        _action(intake, "note"),
        {"note-version": intake.version, "note-text": "multipart"},
    )
    assert response.status_code == 302
    # Forged references, wrong Host, methods, an over-large body.
    for reference in ["AAAA-AAAA", "%00", "x" * 300, "../../admin", "<b>"]:
        response = staff.send("forged step names", "GET", f"/staff/intake/{reference}/")
        assert response.status_code in (301, 302, 404), reference
        response = staff.send(
            "forged step names",
            "POST",
            f"/staff/intake/{reference}/note/",
            {"note-version": 1, "note-text": "x"},
        )
        assert response.status_code in (301, 302, 404), reference
    for host in ("evil.example", "x" * 300):
        response = staff.send("wrong Host", "GET", reverse("staff:queue"), HTTP_HOST=host)
        assert response.status_code == 400
    for name in ("note", "status", "assign", "review"):
        response = staff.send(
            "GET (and other methods) on POST-only endpoints", "GET", _action(intake, name)
        )
        assert response.status_code == 405
    for path in (reverse("staff:logout"),):
        response = staff.send("GET (and other methods) on POST-only endpoints", "GET", path)
        assert response.status_code == 405
    for path in (reverse("staff:queue"), reverse("staff:export"), reverse("staff:overview")):
        response = staff.send("GET (and other methods) on POST-only endpoints", "DELETE", path)
        assert response.status_code == 405
    response = staff.send(
        "over-large body", "POST", _action(intake, "note"), raw=b"note-text=" + b"a" * (300 * 1024)
    )
    assert response.status_code == 413


def test_staff_queue_and_export_filters(staff):
    queries = {
        "over-long text": {"q": "a" * 5000},
        "NUL and control characters": {"q": "Riv\x00ers"},
        "right-to-left override": {"q": "\u202eRivers"},
        "emoji": {"q": "👩🏽‍⚕️"},
        "combining characters": {"q": "Rive\u0301rs"},
        "HTML/script": {"q": "<script>alert(1)</script>"},
        "SQL-looking text": {"q": "' OR 1=1 --"},
        "CSV formula": {"q": "=cmd|' /C calc'!A0"},
        "numeric edge cases": {"page": "-1", "after": "nan"},
        "impossible dates": {"submitted_min": "2026-02-30", "submitted_max": "9999-99-99"},
        "choices not in their lists": {
            "status": "deleted",
            "track": "superdetox",
            "flag": "none",
            "escalation": "zombie",
        },
        "duplicated parameters": {"status": ["new", "closed", "all"], "q": ["a", "b"]},
        "extra parameters": {"order_by": "-id; DROP TABLE x", "limit": "100000", "format": "json"},
    }
    for cls, query in queries.items():
        for name in ("queue", "export"):
            response = staff.send(cls, "GET", reverse(f"staff:{name}"), query)
            assert response.status_code in (200, 400), (cls, name)
            if name == "queue":
                html = response.content.decode()
                assert "<script>alert(1)" not in html
    for page in ["0", "-1", "nan", "1e309", "9" * 400, "99999999"]:
        response = staff.send("numeric edge cases", "GET", reverse("staff:queue"), {"page": page})
        assert response.status_code in (200, 400, 404)
    for raw in BROKEN_UTF8:
        response = staff.send(
            "invalid UTF-8 and lone surrogates", "GET", reverse("staff:queue") + f"?q=Riv{raw}"
        )
        assert response.status_code == 200
        response = staff.send(
            "invalid UTF-8 and lone surrogates", "GET", reverse("staff:export") + f"?q=Riv{raw}"
        )
        assert response.status_code in (200, 400)


def test_staff_my_settings_form(staff, administrator):
    url = reverse("staff:settings")
    before = {f: getattr(administrator, f) for f in ("username", "email", "is_superuser",
                                                     "is_staff", "first_name")}  # fmt: skip
    for cls, value in [("choices not in their lists", "maybe"), ("numeric edge cases", "-1"),
                       ("NUL and control characters", "\x00"),
                       ("duplicated parameters", ["on", "off"])]:  # fmt: skip
        response = staff.send(cls, "POST", url, {"receives_alerts": value})
        assert response.status_code in (302, 400), cls
    staff.send("extra parameters", "POST", url, {"receives_alerts": "on", "is_superuser": "on",
               "is_staff": "on", "username": "root", "email": "x@evil.example",
               "first_name": "<script>", "groups": "1"})  # fmt: skip
    staff.send("JSON bodies", "POST", url, '{"is_superuser": true}',
               content_type="application/json")  # fmt: skip
    staff.send("over-large body", "POST", url, raw=b"receives_alerts=" + b"a" * (300 * 1024))
    for method in ("PUT", "DELETE"):
        response = staff.send("GET (and other methods) on POST-only endpoints", method, url)
        assert response.status_code == 405
    administrator.refresh_from_db()
    assert {f: getattr(administrator, f) for f in before} == before


def test_staff_live_queue_takes_any_filter(staff):
    url = reverse("staff:queue_live")
    for cls, query in [
        ("over-long text", {"q": "a" * 5000}),
        ("NUL and control characters", {"q": "\x00", "since": "\x00"}),
        ("HTML/script", {"q": "<script>", "since": "<script>"}),
        ("numeric edge cases", {"since": "1e309"}),
        ("impossible dates", {"since": "2026-02-30T25:61:00"}),
        ("choices not in their lists", {"status": "deleted", "track": "x"}),
        ("duplicated parameters", {"since": ["a", "b"], "q": ["a", "b"]}),
    ]:
        response = staff.send(cls, "GET", url, query)
        assert response.status_code in (200, 400), cls
    response = staff.send("invalid UTF-8 and lone surrogates", "GET", url + "?q=%ED%A0%80")
    assert response.status_code in (200, 400)
    response = staff.send("GET (and other methods) on POST-only endpoints", "POST", url, {})
    assert response.status_code == 405


@pytest.mark.parametrize("login", ["/staff/login/", "/admin/login/"])
def test_login_forms(db, tally, coordinator, login):
    from axes.models import AccessAttempt

    sender = Sender(tally)
    cases = {
        **REFUSED_TEXT,
        **EXACT_TEXT,
        "over-long text": "u" * 300,
    }
    for cls, username in cases.items():
        response = sender.send(cls, "POST", login, {"username": username, "password": "x" * 12})
        assert response.status_code in (200, 429), cls  # a form error, or the lockout page
        assert all(len(a.username or "") <= 255 for a in AccessAttempt.objects.all())
        AccessAttempt.objects.all().delete()  # each class meets the form, not the lockout
    for raw in BROKEN_UTF8:
        AccessAttempt.objects.all().delete()  # the address's lockout would answer first
        response = sender.send(
            "invalid UTF-8 and lone surrogates",
            "POST",
            login,
            raw=f"username=alice{raw}&password=xxxxxxxxxxxx".encode(),
        )
        assert response.status_code in (200, 429)
    sender.send(
        "duplicated parameters",
        "POST",
        login,
        {"username": ["alice", "bob"], "password": ["a", "b"]},
    )
    sender.send(
        "extra parameters",
        "POST",
        login,
        {"username": "alice", "password": "x", "is_superuser": "on", "next": "//evil"},
    )
    sender.send(
        "JSON bodies",
        "POST",
        login,
        json.dumps({"username": "alice", "password": PASSWORD}),
        content_type="application/json",
    )
    sender.send("multipart bodies", "POST", login, {"username": "alice", "password": "nope"})
    response = sender.send(
        "wrong Host", "POST", login, {"username": "alice"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    response = sender.send("over-large body", "POST", login, raw=b"password=" + b"a" * (300 * 1024))
    assert response.status_code == 413
    for method in ("PUT", "DELETE", "PATCH"):
        response = sender.send("GET (and other methods) on POST-only endpoints", method, login)
        # The staff login takes GET and POST only; the admin's (Django's own view) treats PUT
        # as POST: a form error, not a sign-in.
        allowed = (405,) if login == "/staff/login/" else (200, 405)
        assert response.status_code in allowed, method
    # No username longer than axes' column reached it.
    assert all(len(a.username or "") <= 255 for a in AccessAttempt.objects.all())
    # And nobody was signed in by any of it.
    assert "_auth_user_id" not in sender.client.session


def test_every_class_was_tried(tally):
    """Runs last in this module: every class in the list was sent at least once, and no
    request got a 5xx."""
    if tally.requests == 0:
        pytest.skip("the matrix's other tests were not run in this process")
    missing = [cls for cls in CLASSES if not tally.classes[cls]]
    assert missing == []
    assert tally.server_errors == []
    assert tally.requests >= 300
