"""The name search is served by an index on PostgreSQL, so it stays fast at 100,000 intakes."""

import pytest
from django.db import connection

from intake.staff import selectors
from intake.staff.filters import QueueFilter

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


def test_name_search_uses_the_trigram_indexes(db, rf, submit, clinician):
    submit()
    request = rf.get("/staff/", {"q": "Garcia", "status": "all"})
    request.user = clinician
    queryset = QueueFilter(request.GET, queryset=selectors.queue_intakes(), request=request).qs
    with connection.cursor() as cursor:
        # A handful of rows make a sequential scan cheapest; ask what plan an index allows.
        cursor.execute("SET LOCAL enable_seqscan = off")
    # Unordered, so that the queue-order index is no alternative to reading by name.
    plan = queryset.order_by().values("pk").explain()
    assert "intake_last_name_trgm" in plan
    assert "intake_first_name_trgm" in plan
