"""Contact attempts on the staff pages: the form, the queue's clock, Overdue, My follow-ups."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.choices import Status
from intake.models import AuditEvent, ContactAttempt, Intake
from intake.services.followup import ERRORS, contact_attempt_add
from intake.services.intakes import intake_submit
from intake.services.staff import intake_assign, intake_status_change
from tests.conftest import make_document

QUEUE = reverse("staff:queue")
FOLLOWUPS = reverse("staff:followups")
MIN = datetime.timedelta(minutes=1)
HIGH_SUICIDE_RISK = {"cssrs": {"q1": True, "q2": True, "q4": True}}


def submitted(name="Rivers", ago=datetime.timedelta(0), **changes):
    """An outpatient intake (24 h target) submitted ``ago`` before now, named ``name``."""
    contact = {**make_document()["contact"], **changes.pop("contact", {}), "last_name": name}
    when = timezone.now() - ago
    doc = make_document(submitted_at=when.isoformat(), contact=contact, **changes)
    return intake_submit(document=doc, consent=None)


def page(intake):
    return reverse("staff:intake", args=[intake.reference])


def post_contact(client, intake, **fields):
    data = {f"contact-{key}": value for key, value in fields.items()}
    data.setdefault("contact-version", intake.version)
    return client.post(reverse("staff:intake_contact", args=[intake.reference]), data)


def log(intake, actor, **fields):
    fields = {"channel": "phone", "outcome": "no_answer", **fields}
    return contact_attempt_add(
        intake=intake, actor=actor, expected_version=intake.version, **fields
    )


def text(html: str) -> str:
    """What a reader sees: the page's text without its tags."""
    return re.sub(r"<[^>]+>", "", html)


def names(response) -> list[str]:
    return re.findall(r'class="person-name">Dana ([A-Za-z]+)<', response.content.decode())


# --- The form on the intake page ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_preferred_channel_is_preselected(client, coordinator):
    intake = submitted(contact={"preferred_contact": "email"})
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    assert re.search(r'<option value="email" selected>', html)
    assert "Voicemail is not safe" not in html  # they said a voicemail is fine


@pytest.mark.django_db
def test_logging_an_attempt_from_the_page(client, coordinator):
    intake = submitted()
    client.force_login(coordinator)
    response = post_contact(
        client, intake, channel="phone", outcome="no_answer", next_attempt="1h", note="Rang."
    )
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.note) == ("phone", "no_answer", "Rang.")
    assert attempt.next_due_at - attempt.created_at == 60 * MIN
    intake.refresh_from_db()
    assert intake.contact_due_at == attempt.next_due_at
    html = client.get(page(intake)).content.decode()
    assert "Contact attempt logged." in html
    assert "Contact attempt: Phone call, No answer" in html  # the timeline
    assert 'id="attempts"' in html and "Rang." in html  # the attempts card
    assert "due in 1 h" in text(html)


@pytest.mark.django_db
def test_a_voicemail_where_not_safe_warns_and_needs_a_reason(client, coordinator):
    intake = submitted(contact={"voicemail_ok": False})
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    assert "Voicemail is not safe for this person." in html
    response = post_contact(client, intake, channel="voicemail", outcome="left_voicemail")
    assert response.status_code == 400
    assert str(ERRORS["voicemail_reason"]) in response.content.decode()
    assert not ContactAttempt.objects.exists()
    response = post_contact(
        client,
        intake,
        channel="voicemail",
        outcome="left_voicemail",
        voicemail_reason="Emergency: no other number works",
    )
    assert response.status_code == 302
    assert ContactAttempt.objects.get().voicemail_reason == "Emergency: no other number works"


@pytest.mark.django_db
def test_reached_changes_the_status_only_when_confirmed(client, coordinator):
    intake = submitted()
    client.force_login(coordinator)
    post_contact(client, intake, channel="phone", outcome="reached", next_attempt="none")
    intake.refresh_from_db()
    assert (intake.status, intake.contact_due_at) == (Status.NEW, None)
    other = submitted("Other")
    post_contact(client, other, channel="phone", outcome="reached", confirm_status="on")
    other.refresh_from_db()
    assert other.status == Status.CONTACTED
    declined = submitted("Declines")
    post_contact(client, declined, channel="phone", outcome="declined", confirm_status="on")
    declined.refresh_from_db()
    assert (declined.status, declined.contact_due_at) == (Status.DECLINED, None)


@pytest.mark.django_db
def test_a_chosen_time_is_required_and_read_in_the_centers_zone(client, coordinator):
    intake = submitted()
    client.force_login(coordinator)
    response = post_contact(client, intake, channel="text", outcome="no_answer", next_attempt="at")
    assert response.status_code == 400
    assert "Choose the time of the next attempt." in response.content.decode()
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    local = tomorrow.replace(hour=9, minute=30, second=0, microsecond=0)
    response = post_contact(
        client,
        intake,
        channel="text",
        outcome="no_answer",
        next_attempt="at",
        next_at=local.strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 302
    assert ContactAttempt.objects.get().next_due_at == local


@pytest.mark.django_db
def test_bad_input_gets_a_message_not_a_500(client, coordinator):
    intake = submitted()
    client.force_login(coordinator)
    response = post_contact(client, intake, channel="pigeon", outcome="<script>x</script>")
    assert response.status_code == 400
    assert "<script>x</script>" not in response.content.decode()
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_attempts_are_in_the_print_view_the_csv_and_the_audit(client, administrator):
    intake = submitted()
    log(intake, administrator, note="Left a text", next_due_at=timezone.now() + 60 * MIN)
    client.force_login(administrator)
    printed = client.get(reverse("staff:intake_print", args=[intake.reference])).content.decode()
    assert "Contact attempts" in printed and "Left a text" in printed
    assert "Contact attempt: Phone call, No answer" in printed
    response = client.get(reverse("staff:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[3]
    row = dict(zip(header, rows[4], strict=True))
    assert row["Contact attempts"] == "1"
    assert row["Last attempt"].startswith("Phone call: No answer, ")
    assert row["Next contact due"] and row["First contact attempt"]
    assert AuditEvent.objects.filter(action="contact", intake_reference=intake.reference).exists()


# --- The queue's clock and the Overdue filter ----------------------------------------------------


@pytest.mark.django_db
def test_the_queue_shows_due_and_overdue_in_words(client, coordinator):
    submitted("Late", ago=datetime.timedelta(hours=25, minutes=5, seconds=30))
    submitted("Fresh", ago=datetime.timedelta(hours=23, minutes=48, seconds=30))
    client.force_login(coordinator)
    html = client.get(QUEUE).content.decode()
    assert "overdue by 1 h 6 min" in text(html)
    assert "due in 12 min" in text(html)
    # Not colour alone: the overdue row says so in words and with a sign.
    assert re.search(r'class="due due-overdue">.*?⚠ overdue by', html)


@pytest.mark.django_db
def test_the_overdue_filter(client, coordinator):
    submitted("Late", ago=datetime.timedelta(hours=30))
    submitted("Fresh", ago=datetime.timedelta(hours=1))
    closed = submitted("Closedlate", ago=datetime.timedelta(hours=30))
    intake_status_change(intake=closed, actor=coordinator, status="closed", expected_version=1)
    tried = submitted("Tried", ago=datetime.timedelta(hours=30))
    log(tried, coordinator, next_due_at=timezone.now() + 60 * MIN)
    crisis = submitted("Crisis", ago=datetime.timedelta(minutes=31), screening=HIGH_SUICIDE_RISK)
    client.force_login(coordinator)
    assert set(names(client.get(QUEUE, {"overdue": "on", "status": "all"}))) == {
        "Late",
        "Crisis",
    }
    # The queue keeps ROUTING.md's order: crisis first.
    assert names(client.get(QUEUE, {"overdue": "on"})) == ["Crisis", "Late"]
    assert "2 of 2" in client.get(QUEUE, {"overdue": "on"}).content.decode()
    assert crisis.escalation == "crisis"


@pytest.mark.django_db
def test_my_followups_lists_only_mine_due_today_soonest_first(client, coordinator, clinician):
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=0, microsecond=0)
    later_today = min(now + 2 * MIN, end_of_today)
    overdue = submitted("Overdue", ago=datetime.timedelta(hours=30))
    soon = submitted("Soon")
    tomorrow = submitted("Tomorrow")
    others = submitted("Others", ago=datetime.timedelta(hours=30))
    unassigned = submitted("Unassigned", ago=datetime.timedelta(hours=30))
    for intake in (overdue, soon, tomorrow):
        intake_assign(intake=intake, actor=coordinator, assignee=coordinator, expected_version=1)
    intake_assign(intake=others, actor=clinician, assignee=clinician, expected_version=1)
    log(soon, coordinator, next_due_at=later_today)
    log(tomorrow, coordinator, next_due_at=end_of_today + 2 * MIN)
    client.force_login(coordinator)
    response = client.get(FOLLOWUPS)
    assert response.status_code == 200
    assert names(response) == ["Overdue", "Soon"]
    assert "1 is overdue." in response.content.decode()
    client.force_login(clinician)
    assert names(client.get(FOLLOWUPS)) == ["Others"]
    assert unassigned.assigned_to is None


# --- Query counts -----------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_queries_stay_flat_with_many_attempts(client, coordinator):
    few = submitted("Few")
    many = submitted("Many")
    log(few, coordinator)
    for n in range(30):
        many.refresh_from_db()
        log(many, coordinator, note=f"try {n}", next_due_at=timezone.now() + 60 * MIN)
    client.force_login(coordinator)
    _queries(client, page(few))  # warm up
    assert _queries(client, page(few)) == _queries(client, page(many))
    queue_before = _queries(client, QUEUE)
    for intake in Intake.objects.all():
        for _n in range(5):
            intake.refresh_from_db()
            log(intake, coordinator, next_due_at=timezone.now() + 60 * MIN)
    assert _queries(client, QUEUE) == queue_before
    export_few = _queries(client, reverse("staff:export"))
    for intake in Intake.objects.all():
        intake.refresh_from_db()
        log(intake, coordinator, next_due_at=timezone.now() + 60 * MIN)
    assert _queries(client, reverse("staff:export")) == export_few
    late = [submitted(f"Late{letter}", ago=datetime.timedelta(hours=30)) for letter in "abcde"]
    intake_assign(intake=late[0], actor=coordinator, assignee=coordinator, expected_version=1)
    followups_one = _queries(client, FOLLOWUPS)
    earlier = timezone.now() - datetime.timedelta(hours=3)
    for intake in late[1:]:
        intake_assign(intake=intake, actor=coordinator, assignee=coordinator, expected_version=1)
        for n in range(3):  # attempts made earlier today, the next one due an hour ago
            log(intake, coordinator, now=earlier + n * MIN, next_due_at=earlier + 2 * 60 * MIN)
    assert len(names(client.get(FOLLOWUPS))) == 5
    assert _queries(client, FOLLOWUPS) == followups_one
