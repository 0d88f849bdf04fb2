"""Every staff URL, tried by every persona: each gets exactly what its role allows.

coordinator (alice) · clinician (bob) · administrator (carol, is_staff) · no role (charlie) ·
inactive (dave, a clinician whose account is switched off) · anonymous.
"""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

PERSONAS = ("coordinator", "clinician", "administrator", "no_role", "inactive", "anonymous")

OK, REDIRECT, LOGIN, FORBIDDEN = 200, 302, "login", 403

# (name, method, {persona: expected}); LOGIN means a redirect to the login page.
MATRIX = [
    ("queue", "get", {"coordinator": OK, "clinician": OK, "administrator": OK}),
    ("intake", "get", {"coordinator": OK, "clinician": OK, "administrator": OK}),
    ("assign", "post", {"coordinator": REDIRECT, "clinician": REDIRECT, "administrator": REDIRECT}),
    ("status", "post", {"coordinator": REDIRECT, "clinician": REDIRECT, "administrator": REDIRECT}),
    ("note", "post", {"coordinator": REDIRECT, "clinician": REDIRECT, "administrator": REDIRECT}),
    ("review", "post", {"clinician": REDIRECT}),
    ("print", "get", {"administrator": OK}),
    # The CSV of the queue, for anyone who works it (issue 10: coordinators included).
    ("export", "get", {"coordinator": OK, "clinician": OK, "administrator": OK}),
    (
        "contact",
        "post",
        {"coordinator": REDIRECT, "clinician": REDIRECT, "administrator": REDIRECT},
    ),
    ("followups", "get", {"coordinator": OK, "clinician": OK, "administrator": OK}),
    ("queue-overdue", "get", {"coordinator": OK, "clinician": OK, "administrator": OK}),
    ("overview", "get", {"administrator": OK}),
]


def expected_for(allowed: dict, persona: str):
    if persona in ("anonymous", "inactive"):
        return LOGIN  # an inactive account is not signed in at all
    return allowed.get(persona, FORBIDDEN)


def url_and_data(name: str, intake, user) -> tuple[str, dict]:
    ref = [intake.reference]
    version = intake.version
    return {
        "queue": (reverse("staff:queue"), {}),
        "intake": (reverse("staff:intake", args=ref), {}),
        "assign": (
            reverse("staff:intake_assign", args=ref),
            {"assign-version": version, "assign-assignee": user.pk if user else ""},
        ),
        "status": (
            reverse("staff:intake_status", args=ref),
            {"status-version": version, "status-status": "in_review"},
        ),
        "note": (
            reverse("staff:intake_note", args=ref),
            {"note-version": version, "note-text": "Called back."},
        ),
        "review": (
            reverse("staff:intake_review", args=ref),
            {"review-version": version, "review-action": "confirm"},
        ),
        "print": (reverse("staff:intake_print", args=ref), {}),
        "export": (reverse("staff:export"), {}),
        "contact": (
            reverse("staff:intake_contact", args=ref),
            {
                "contact-version": version,
                "contact-channel": "phone",
                "contact-outcome": "no_answer",
            },
        ),
        "followups": (reverse("staff:followups"), {}),
        "queue-overdue": (reverse("staff:queue"), {"overdue": "on"}),
        "overview": (reverse("staff:overview"), {}),
    }[name]


@pytest.fixture
def as_persona(request, client, db):
    # `db` named here, not only reached through getfixturevalue(): pytest-django orders tests
    # by their static fixtures, and a test it thinks needs no database runs after the
    # live-server tests, whose flush empties the roles the migrations made.

    def sign_in(persona: str):
        if persona == "anonymous":
            return None
        user = request.getfixturevalue(persona)
        client.force_login(user)
        return user

    return sign_in


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "method", "allowed"), MATRIX, ids=[f"{m}-{n}" for n, m, _a in MATRIX]
)
def test_staff_url_by_persona(client, as_persona, submit, persona, name, method, allowed):
    intake = submit()
    user = as_persona(persona)
    url, data = url_and_data(name, intake, user)
    response = getattr(client, method)(url, data)
    expected = expected_for(allowed, persona)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff:login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:300]
    if method == "post":
        intake.refresh_from_db()
        changed = intake.version != 1
        assert changed == (expected == REDIRECT), "a refused action must change nothing"


def test_coordinator_page_has_no_override_form_and_post_is_403(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    html = client.get(reverse("staff:intake", args=[intake.reference])).content.decode()
    assert "review-action" not in html
    url, data = url_and_data("review", intake, coordinator)
    data.update({"review-action": "override", "review-track": "detox", "review-reason": "x"})
    assert client.post(url, data).status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_site_is_for_staff_administrators(client, as_persona, persona):
    as_persona(persona)
    response = client.get(reverse("admin:index"))
    if persona == "administrator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_login_page(client, as_persona, persona):
    as_persona(persona)
    response = client.get(reverse("staff:login"))
    if persona in ("anonymous", "inactive"):
        assert response.status_code == 200
    else:  # already signed in: straight on (a no-role user then meets the 403 there)
        assert response.status_code == 302


def test_inactive_user_cannot_sign_in(client, inactive):
    response = client.post(reverse("staff:login"), {"username": "dave", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_no_role_user_can_sign_in_but_sees_nothing(client, no_role, submit):
    intake = submit()
    response = client.post(reverse("staff:login"), {"username": "charlie", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("staff:queue")).status_code == 403
    assert client.get(reverse("staff:intake", args=[intake.reference])).status_code == 403
