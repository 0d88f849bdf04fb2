"""Print view and CSV export: the 42 CFR Part 2 notice, formula neutralising, the audit."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import AuditEvent
from intake.staff.notices import PART2_NOTICE_PARAGRAPHS, part2_notice_text
from intake.staff.views_exports import neutralise
from tests.conftest import make_document

EXPORT = reverse("staff:export")
NOTICE_START = "This record which has been disclosed to you is protected by Federal confidentiality"


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_notice_is_the_current_2_32_statement():
    text = part2_notice_text()
    assert text.startswith(NOTICE_START)
    assert "42 CFR 2.12(c)(5)" in text and "42 CFR 2.64 or 2.65" in text
    assert "45 CFR part 164, subparts A and E" in text
    assert text.endswith("(see 42 CFR 2.31).")
    assert len(PART2_NOTICE_PARAGRAPHS) == 5


def test_print_view_carries_the_notice_and_is_audited(client, administrator, submit):
    intake = submit(symptoms=["coma"])
    client.force_login(administrator)
    response = client.get(
        reverse("staff:intake_print", args=[intake.reference]), REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(NOTICE_START) == 2  # at the top and at the foot of the record
    assert intake.reference in html and "Dana Rivers" in html
    assert "E1" in html  # the recommendation with its rules
    record = AuditEvent.objects.get(action="print")
    assert (record.intake_reference, record.actor, record.ip_address) == (
        intake.reference,
        administrator,
        "198.51.100.4",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("555-0100", "555-0100"),
        ("Dana", "Dana"),
        (None, ""),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_of_the_filtered_queue(client, administrator, submit):
    contact = {
        **make_document()["contact"],
        "first_name": "=cmd|' /C calc'!A0",
        "last_name": "@Evil",
        "phone": "+1 555 0100",
    }
    evil = submit(contact=contact, substances=[{"substance": "opioids", "frequency": "daily"}])
    submit()  # outpatient, filtered out below
    client.force_login(administrator)
    response = client.get(EXPORT, {"track": "detox"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="intakes-')
    rows = csv_rows(response)
    assert rows[0] == ["Notice prohibiting redisclosure (42 CFR part 2)"]
    assert rows[1][0].startswith(NOTICE_START)
    assert rows[2] == []
    header, data = rows[3], rows[4:]
    assert header[:5] == ["Reference", "Submitted", "Status", "Escalation", "Track"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Reference"] == evil.reference
    assert row["First name"] == "'=cmd|' /C calc'!A0"
    assert row["Last name"] == "'@Evil"
    assert row["Phone"] == "'+1 555 0100"
    record = AuditEvent.objects.get(action="export")
    assert record.detail.startswith("1 rows")
    assert "track=detox" in record.detail
    assert record.ip_address == "203.0.113.9"


def test_export_audit_names_the_search_but_not_what_was_searched(client, administrator, submit):
    submit()
    client.force_login(administrator)
    b"".join(client.get(EXPORT, {"q": "Rivers"}).streaming_content)
    detail = AuditEvent.objects.get(action="export").detail
    assert "q" in detail and "Rivers" not in detail


def test_export_query_count_does_not_grow_with_rows(client, administrator, submit):
    client.force_login(administrator)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(EXPORT).streaming_content)
        return len(ctx.captured_queries)

    for _ in range(5):
        submit()
    count()
    few = count()
    for _ in range(45):
        submit()
    assert count() == few
