"""Issue 10's staff workspace fixes, each found by trying the pages as a new user would."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.choices import Status
from intake.models import AuditEvent, IntakeEvent
from intake.services.intakes import intake_submit
from intake.services.staff import intake_assign, intake_status_change
from intake.staff.answer_sections import birth_date_and_age
from tests.conftest import make_document

OPIOIDS_DAILY = [{"substance": "opioids", "frequency": "daily", "route": "oral"}]


def page(intake):
    return reverse("staff:intake", args=[intake.reference])


def post(client, intake, name, **fields):
    data = {f"{name}-{key}": value for key, value in fields.items()}
    data.setdefault(f"{name}-version", intake.version)
    return client.post(reverse(f"staff:intake_{name}", args=[intake.reference]), data)


# 2. An error summary at the top, linked to the field (focused by static/js/staff.js).
def test_an_override_without_a_reason_says_so_at_the_top(client, clinician, submit):
    intake = submit(substances=OPIOIDS_DAILY)
    client.force_login(clinician)
    response = post(client, intake, "review", action="override", track="inpatient", reason="")
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    assert 'id="error-summary"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert 'href="#id_review-reason"' in summary.group(0)
    assert "Give a reason for the override." in summary.group(0)
    # The summary comes before the page's content, and the field it links to exists.
    assert html.index("error-summary") < html.index('id="actions"')
    assert 'id="id_review-reason"' in html
    assert "js/staff.js" in html


def test_a_radio_field_error_links_to_its_first_option(client, coordinator, submit):
    intake = submit()
    client.force_login(coordinator)
    response = post(client, intake, "contact", channel="phone")
    html = response.content.decode()
    assert 'href="#id_contact-outcome_0"' in html
    assert 'id="id_contact-outcome_0"' in html


# 3. The current status is the default; submitting it unchanged changes nothing.
def test_the_status_control_defaults_to_the_current_status(client, coordinator, submit):
    intake = submit()
    intake_status_change(intake=intake, actor=coordinator, status="contacted", expected_version=1)
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    select = re.search(r'<select name="status-status".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="contacted" selected>Contacted \(now\)</option>', select)
    assert '<option value="admitted">' in select  # still offered, never preselected
    response = post(client, intake, "status", status="contacted")
    assert response.status_code == 302
    intake.refresh_from_db()
    assert (intake.status, intake.version) == (Status.CONTACTED, 2)
    assert not IntakeEvent.objects.filter(intake=intake, new_value="admitted").exists()
    assert "nothing was changed" in client.get(page(intake)).content.decode()


# 4. Part of a reference, in any case, with or without the dash.
@pytest.mark.parametrize(
    "query", ["HNA5", "hna5", "hna5k7m2", "hna5-k7m2", "-K7M2", "a5k7", "hna5-k", "5K7"]
)
def test_search_by_part_of_a_reference(client, coordinator, submit, query):
    contact = {**make_document()["contact"], "reference": "HNA5-K7M2"}
    submit(contact=contact)
    submit(contact={**contact, "reference": "QRST-VWXY", "last_name": "Hna"})
    client.force_login(coordinator)
    html = client.get(reverse("staff:queue"), {"q": query}).content.decode()
    assert "HNA5-K7M2" in html
    assert "QRST-VWXY" not in html


def test_a_name_is_still_searched_as_a_name(client, coordinator, submit):
    contact = {**make_document()["contact"], "reference": "HNA5-K7M2"}
    submit(contact={**contact, "last_name": "Hnatyshyn"})
    submit(contact={**contact, "reference": "QRST-VWXY", "last_name": "Rivers"})
    client.force_login(coordinator)
    html = client.get(reverse("staff:queue"), {"q": "hnat"}).content.decode()
    assert "HNA5-K7M2" in html and "QRST-VWXY" not in html


# 5. After an override the form no longer offers to confirm the engine's track as if nothing
#    had happened.
def test_after_an_override_the_review_form_shows_what_was_done(client, clinician, submit):
    intake = submit(substances=OPIOIDS_DAILY)
    assert intake.track == "detox"
    client.force_login(clinician)
    assert "Confirm Detox" in client.get(page(intake)).content.decode()
    post(client, intake, "review", action="override", track="inpatient", reason="Homeless now.")
    html = client.get(page(intake)).content.decode()
    assert "Confirm Detox" not in html
    assert "Undo the override: back to Detox" in html
    assert "Bob overrode it" in html
    track_select = re.search(r'<select name="review-track".*?</select>', html, re.S).group(0)
    assert 'value="inpatient"' not in track_select and 'value="detox"' not in track_select
    intake.refresh_from_db()
    post(client, intake, "review", action="confirm")
    html = client.get(page(intake)).content.decode()
    assert "Bob confirmed it." in html
    assert "Confirm Detox" not in html


# 6. The timeline names people by their full names, as the rest of the page does.
def test_the_timeline_shows_full_names(client, coordinator, clinician, submit):
    intake = submit()
    intake_assign(intake=intake, actor=coordinator, assignee=clinician, expected_version=1)
    intake_assign(intake=intake, actor=coordinator, assignee=coordinator, expected_version=2)
    coordinator.first_name, coordinator.last_name = "Alice", "Moreno"
    coordinator.save()
    client.force_login(clinician)
    html = client.get(page(intake)).content.decode()
    assert "Assigned: nobody → Bob" in html
    assert "Assigned: Bob → Alice Moreno" in html
    assert "→ alice" not in html and "→ bob" not in html


# 7. The age beside the date of birth; one date and time format, in the center's time zone.
def test_age_beside_the_date_of_birth(submit):
    intake = submit()  # born 1990-05-01
    assert birth_date_and_age(intake, today=datetime.date(2026, 4, 30)) == "05/01/1990 (age 35)"
    assert birth_date_and_age(intake, today=datetime.date(2026, 5, 1)) == "05/01/1990 (age 36)"


def test_one_date_and_time_format_in_the_centers_zone(client, coordinator, db):
    utc = datetime.datetime(2026, 3, 2, 14, 5, tzinfo=datetime.UTC)  # 9:05 a.m. in New York
    intake = intake_submit(
        document=make_document(submitted_at=utc.isoformat()), consent=None, now=utc
    )
    client.force_login(coordinator)
    html = client.get(page(intake)).content.decode()
    assert "03/02/1990" not in html
    assert "05/01/1990 (age " in html
    assert "03/02/2026 9:05 a.m." in html  # submitted, in the header and on the timeline
    assert "14:05" not in html and "2:05 p.m." not in html
    queue = client.get(reverse("staff:queue"), {"status": "all"}).content.decode()
    assert 'title="03/02/2026 9:05 a.m."' in queue


# 9. An imported (or demo) intake's "Submitted" event carries the submission time.
def test_the_submitted_event_carries_the_submission_time(db):
    when = timezone.now() - datetime.timedelta(days=14)
    intake = intake_submit(document=make_document(submitted_at=when.isoformat()), consent=None)
    event = IntakeEvent.objects.get(intake=intake, kind="submitted")
    assert event.created_at == intake.submitted_at == when


def test_the_timeline_sorts_by_when_things_happened(client, coordinator, db):
    when = timezone.now() - datetime.timedelta(days=14)
    intake = intake_submit(document=make_document(submitted_at=when.isoformat()), consent=None)
    intake_status_change(
        intake=intake,
        actor=coordinator,
        status="in_review",
        expected_version=1,
        now=when + datetime.timedelta(days=1),
    )
    kinds = list(
        IntakeEvent.objects.filter(intake=intake)
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["submitted", "status"]


# 10. Coordinators may export what they can see, with the Part 2 notice, audited.
def test_a_coordinator_exports_the_queue_with_the_notice(client, coordinator, submit):
    submit()
    client.force_login(coordinator)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert "Export these as CSV" in queue
    response = client.get(reverse("staff:export"), {"status": "all"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "42 CFR Part 2" in rows[0][0] or "redisclosure" in rows[0][0].lower()
    assert len(rows) == 5  # notice, text, blank, header, one intake
    record = AuditEvent.objects.get(action="export")
    assert (record.actor, record.detail.startswith("1 rows")) == (coordinator, True)
    # The printable summary stays with the administrators.
    intake = submit()
    assert client.get(reverse("staff:intake_print", args=[intake.reference])).status_code == 403
