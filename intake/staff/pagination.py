"""Page numbers for the queue without a COUNT(*) of its own.

The queue already runs one GROUP BY per facet (tracks, statuses); the track facet's sum is the
number of rows the filters match, so it doubles as the total and the page itself is one
LIMIT/OFFSET query on the queue-order index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PER_PAGE = 50


@dataclass(frozen=True)
class QueuePage:
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


def page_number(raw: str | None, *, total: int, per_page: int = PER_PAGE) -> int:
    """A page number from the query string, clamped to the pages that exist."""
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    last = max(1, math.ceil(total / per_page))
    return min(max(number, 1), last)


def paginate(queryset, *, raw_page: str | None, total: int, per_page: int = PER_PAGE) -> QueuePage:
    """One page, as a "deferred join": the page's ids first, walking only the queue-order
    index (cheap even far down the queue), then those rows with their joins."""
    number = page_number(raw_page, total=total, per_page=per_page)
    offset = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page])
    rows = queryset.filter(pk__in=ids).in_bulk() if ids else {}
    items = [rows[pk] for pk in ids if pk in rows]
    return QueuePage(items=items, number=number, total=total, per_page=per_page)
