"""The queue's filters and search (django-filter), shared by the queue page and the export."""

from __future__ import annotations

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from intake import validators
from intake.catalog import TRACK_RANK
from intake.choices import (
    FLAG_FIELDS,
    OPEN_STATUSES,
    Escalation,
    Flag,
    Status,
    Track,
)
from intake.references import normalise_reference, partial_reference

OPEN = "open"
ALL = "all"
NEEDS_REVIEW = "needs_review"
STATUS_CHOICES = [(OPEN, _("Open")), (ALL, _("All statuses")), *Status.choices]
FLAG_CHOICES = [*Flag.choices, (NEEDS_REVIEW, _("Needs clinician review"))]
RANK_TRACK = {rank: track for track, rank in TRACK_RANK.items()}
# Characters people put in phone numbers; stripped on both sides before comparing digits.
_PHONE_PUNCTUATION = (" ", "-", "(", ")", ".", "+", "/")


def _phone_digits(expression="phone"):
    for char in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(char), Value(""), output_field=CharField())
    return expression


def _with_compact_reference(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        compact_reference=Replace("reference", Value("-"), Value(""), output_field=CharField())
    )


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=200,
        validators=[validators.validate_readable_text],
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Reference, name or phone")}
        ),
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label=None, label=_("Status")
    )
    track = django_filters.ChoiceFilter(
        choices=Track.choices, label=_("Track"), empty_label=_("Any track")
    )
    escalation = django_filters.ChoiceFilter(
        choices=Escalation.choices, label=_("Escalation"), empty_label=_("Any")
    )
    flag = django_filters.ChoiceFilter(
        choices=FLAG_CHOICES, method="filter_flag", label=_("Flag"), empty_label=_("Any flag")
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=_("Assigned to me"), widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=forms.CheckboxInput
    )
    submitted = django_filters.DateFromToRangeFilter(
        field_name="submitted_at",
        label=_("Submitted between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, data=None, *args, now=None, **kwargs):
        # The moment "overdue" is judged at: the view's, so that one page reads one clock.
        self.now = now
        # The queue opens on the open statuses; "all" is an explicit choice.
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        for name, field in self.form.fields.items():
            if name in ("mine", "overdue"):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ALL:
            return queryset
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NEEDS_REVIEW:
            return queryset.filter(needs_review=True)
        if value == Flag.PRIORITY_POPULATION:
            return queryset.filter(priority=True)
        # Denormalised from the current decision by apply_queue_fields.
        return queryset.filter(**{FLAG_FIELDS[value]: True})

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value or self.request is None:
            return queryset
        return queryset.filter(assigned_to=self.request.user)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value or self.now is None:
            return queryset
        # contact_due_at is null on closed intakes and where no attempt is due (indexed).
        return queryset.filter(contact_due_at__lt=self.now)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        code = normalise_reference(value)
        if code and re.search(r"[\d-]", value):
            # Typed like a reference (names have no digits or dashes): one index lookup.
            return queryset.filter(reference=code)
        part = partial_reference(value)
        if part and re.search(r"[\d-]", value):
            # Part of a reference ("HNA5", "hna5-x", "a5x7"): any case, with or without dash.
            return _with_compact_reference(queryset).filter(compact_reference__contains=part)
        terms = Q()
        for word in value.split():
            terms &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if code:
            # An eight-letter surname also reads as a reference code, so try both.
            terms |= Q(reference=code)

        digits = re.sub(r"\D", "", value)
        if len(digits) >= 4 and not re.search(r"[^\d\s\-().+/]", value):
            queryset = queryset.annotate(phone_digits=_phone_digits())
            terms |= Q(phone_digits__contains=digits)
        return queryset.filter(terms)

    def counted(self, *ignoring: str) -> tuple[QuerySet, bool]:
        """What the facet counts count: these filters but ``ignoring`` (each facet shows where
        its own filter would lead), and whether any of them narrows the intakes, so that the
        rows are a subset (an unreadable filter counts as set: its page is empty).

        The same as a second filter set over the data without ``ignoring`` would give (fields
        are cleaned one by one, so its form would hold these cleaned values and errors), with
        no second form to build and validate on every queue page.
        """
        self.is_valid()
        queryset = self.queryset.all()
        narrows = any(name not in ignoring for name in self.form.errors)
        for name, value in self.form.cleaned_data.items():
            if name in ignoring:
                continue
            queryset = self.filters[name].filter(queryset, value)
            if value in (None, "", False, [], ()):
                continue
            if isinstance(value, slice) and value.start is None and value.stop is None:
                continue  # an empty date range
            narrows = True
        return queryset, narrows

    def chosen_statuses(self) -> tuple[str, ...] | None:
        """The statuses the status filter lets through; None for all of them."""
        value = self.form.cleaned_data.get("status") if self.is_valid() else OPEN
        if value == ALL:
            return None
        return tuple(OPEN_STATUSES) if value in (OPEN, None, "") else (value,)

    def chosen_track(self) -> str | None:
        return (self.form.cleaned_data.get("track") or None) if self.is_valid() else None


@dataclass(frozen=True)
class Facets:
    tracks: dict[str, int]
    statuses: dict[str, int]
    total: int


def fold_facets(
    matrix: dict[tuple[str, int], int], *, statuses: tuple[str, ...] | None, track: str | None
) -> Facets:
    """Both facets and the total from one GROUP BY status, track_rank over the other filters.

    The track counts honour the status filter and the status counts honour the track filter,
    so each facet shows where its own filter would lead; the total honours both.
    """
    rank = TRACK_RANK.get(track) if track else None
    tracks = dict.fromkeys(Track.values, 0)
    by_status = dict.fromkeys(Status.values, 0)
    total = 0
    for (status, track_rank), n in matrix.items():
        status_ok = statuses is None or status in statuses
        track_ok = rank is None or track_rank == rank
        if status_ok:
            tracks[RANK_TRACK[track_rank]] += n
        if track_ok:
            by_status[status] = by_status.get(status, 0) + n
        if status_ok and track_ok:
            total += n
    return Facets(tracks=tracks, statuses=by_status, total=total)
