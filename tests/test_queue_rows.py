"""Each queue row renders the same from Python (intake/staff/queue_rows.py) as from
templates/staff/_queue_row.html, the reference: every escalation and track, recommended,
confirmed and overridden, flags, minors, every place on the first-contact clock, every way of
being reached, assigned or not, in both languages, hostile values included."""

import datetime
import itertools
import re

import pytest
from django.template.loader import get_template
from django.utils import timezone, translation

from intake import followup
from intake.choices import Track
from intake.staff import presenters, queue_rows, selectors
from tests.test_staff_queue import CANNABIS, HIGH_SUICIDE_RISK, OPIOIDS_DAILY, imported

HOSTILE = "<script>alert('x')</script> & \"Ann\""

DUE_IN_MINUTES = [None, -3 * 60 - 7, -2 * 24 * 60, 0, 25, 26 * 60 + 1]
CONTACTS = [
    {"phone": "555-0100", "email": "", "preferred_contact": "phone"},
    {"phone": "", "email": "a&b@example.org", "preferred_contact": "email"},
    {"phone": "", "email": "", "preferred_contact": ""},
    {"phone": '<b>"555"</b>', "email": "x@example.org", "preferred_contact": "unknown<"},
]
STATES = ["recommended", "confirmed", "overridden"]


@pytest.fixture
def every_kind(db):
    """Every escalation and track, priority and medical flags, a minor needing review."""
    return [
        imported(0, "Outpat"),
        imported(1, "Inpat", living={"housing": "homeless"}),
        imported(2, "Crisis", screening=HIGH_SUICIDE_RISK),
        imported(3, "Detox", substances=[OPIOIDS_DAILY]),
        imported(4, "Emout", symptoms=["coma"]),
        imported(5, "Emdetox", symptoms=["coma"], substances=[OPIOIDS_DAILY]),
        imported(6, "Prio", substances=[OPIOIDS_DAILY], medical={"pregnant": True}),
        imported(
            7, "Inj", living={"housing": "homeless"}, substances=[{**CANNABIS, "route": "injected"}]
        ),
        imported(8, "Young", contact={"date_of_birth": "2012-01-01"}, symptoms=None),
    ]


def _reference(template, intake, now) -> str:
    row = {
        "intake": intake,
        "badges": presenters.badges(intake),
        "due": followup.due(due_at=intake.contact_due_at, now=now),
    }
    return template.render({"row": row, "intake": intake, "now": now})


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_kind_of_row_renders_as_the_template_does(
    language, every_kind, coordinator, django_assert_num_queries
):
    template = get_template("staff/_queue_row.html")
    now = timezone.now().replace(microsecond=0)
    intakes = list(selectors.queue_intakes().order_by("pk"))
    assert len(intakes) == len(every_kind)
    compared, seen = 0, set()
    with translation.override(language):
        words = queue_rows._Words()
        with django_assert_num_queries(0):  # a row reads only what the queue's query loaded
            for index, (intake, due, contact, state) in enumerate(
                itertools.product(intakes, DUE_IN_MINUTES, CONTACTS, STATES)
            ):
                engine_track = intake.current_decision.track
                intake.track_confirmed = state != "recommended"
                intake.track = engine_track
                if state == "overridden":
                    intake.track = next(t for t in Track.values if t != engine_track)
                intake.contact_due_at = (
                    None if due is None else now + datetime.timedelta(minutes=due, seconds=-20)
                )
                if due == 0:
                    intake.contact_due_at = now
                for field, value in contact.items():
                    setattr(intake, field, value)
                intake.language = "es" if index % 2 else "en"
                intake.assigned_to = coordinator if index % 3 else None
                intake.first_name = HOSTILE if index % 5 == 0 else "Dana"
                intake.submitted_at = now - datetime.timedelta(minutes=index * 97, seconds=30)
                html = queue_rows.render_row(intake, now, words)
                assert html == _reference(template, intake, now), (
                    intake.reference,
                    due,
                    contact,
                    state,
                )
                seen.update(re.findall(r'class="(badge [^"]+|due [^"]+)"', html))
                compared += 1
    assert compared == len(every_kind) * 6 * 4 * 3
    assert len([css for css in seen if css.startswith("badge ")]) >= 9  # every kind of badge
    assert {"due due-overdue", "due due-upcoming"} <= seen


@pytest.mark.django_db
def test_rows_escape_what_people_typed(every_kind):
    intake = selectors.queue_intakes().first()
    intake.first_name = HOSTILE
    intake.email, intake.phone = '"><img src=x onerror=alert(1)>', ""
    html = queue_rows.render_rows([intake], timezone.now())
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Ann&quot;" in html


def test_no_rows_no_html():
    assert queue_rows.render_rows([], timezone.now()) == ""
