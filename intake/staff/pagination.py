"""Page numbers for the queue without a COUNT(*) of its own.

The queue already runs one GROUP BY per facet (tracks, statuses); the track facet's sum is the
number of rows the filters match, so it doubles as the total and the page itself is one
short LIMIT/OFFSET query for ids (from whichever end of the queue is nearer) and one fetch, or,
for the first and the last page, one joined LIMIT query. Either way a page's query count does
not depend on how many intakes there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, IntegerField, Value

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


# Up to this many rows matching a search, a page's ids are sorted from the matches rather than
# found by walking the queue-order index (see _unindexed_order).
SORT_MATCHES_UP_TO = 5000


def _unindexed_order(queryset):
    """The queue order, written so that no index can serve it.

    A selective filter (a name search: 1,700 matches in 100,000) is answered best by finding
    the matches (trigram indexes) and sorting them; but with ORDER BY ... LIMIT 50 PostgreSQL
    prefers to walk the queue-order index, expecting matches spread evenly, and when they sit
    at its far end it discards tens of thousands of rows first (72 ms at 100,000 intakes). The
    facet counts have already told us exactly how many rows match, so when they are few we sort
    them: "+ 0" makes the first sort key an expression that no index provides. Same order.
    """
    first, *rest = queryset.query.order_by or queryset.model._meta.ordering
    column = first.lstrip("-")
    key = ExpressionWrapper(F(column) + Value(0), output_field=IntegerField())
    # Only the first key need be an expression: then no index gives the order at all.
    keys = [key.desc() if first.startswith("-") else key.asc(), *rest]
    return queryset.order_by(*keys)


def paginate(
    queryset,
    *,
    raw_page: str | None,
    total: int,
    per_page: int = PER_PAGE,
    selective: bool = False,
) -> QueuePage:
    """One page, as a "deferred join": the page's ids first, walking only the queue-order
    index, then those rows with their joins (a page at either end, which skips no rows, is
    one joined query instead; a search always takes the two steps).

    ``total`` (from the facet counts) lets the ids query stay short wherever the page is:
    - past the middle, it counts from the far end (the same order reversed, a short OFFSET),
      so the deepest page costs what the first does;
    - when a ``selective`` filter (a search) leaves few rows, it sorts the matches instead of
      walking the index.
    """
    number = page_number(raw_page, total=total, per_page=per_page)
    offset = (number - 1) * per_page
    size = max(0, min(per_page, total - offset))
    few = selective and total <= SORT_MATCHES_UP_TO
    ordered = _unindexed_order(queryset) if few else queryset
    from_end = total - offset - size
    if not selective and offset == 0:
        # The first page skips nothing: the joined rows in one query, straight off the index.
        items = list(queryset[:per_page])
    elif not selective and size and from_end == 0:
        # The last page, likewise, from the far end.
        items = list(queryset.reverse()[:size])
        items.reverse()
    else:
        if size and from_end < offset:
            ids = list(ordered.reverse().values_list("pk", flat=True)[from_end : from_end + size])
            ids.reverse()
        else:
            ids = list(ordered.values_list("pk", flat=True)[offset : offset + per_page])
        rows = queryset.filter(pk__in=ids).in_bulk() if ids else {}
        items = [rows[pk] for pk in ids if pk in rows]
    return QueuePage(items=items, number=number, total=total, per_page=per_page)
