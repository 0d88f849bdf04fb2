"""The database throttle on new drafts and on resume attempts, per client address."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import Draft, RateLimit
from intake.services.drafts import draft_create, resume_url
from intake.services.throttle import throttle_hit, throttle_purge, window_start
from intake.templatetags.phone import tel

NOON = datetime.datetime(2026, 11, 25, 12, 10, tzinfo=datetime.UTC)


def hit(ident="203.0.113.5", scope="draft", limit=3, now=NOON):
    return throttle_hit(scope=scope, ident=ident, limit=limit, now=now)


def test_allows_up_to_the_limit_in_a_window(db):
    results = [hit() for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert results[-1].retry_after == 50 * 60


def test_a_new_window_starts_a_new_count(db):
    for _ in range(3):
        hit()
    assert not hit().allowed
    assert hit(now=NOON + datetime.timedelta(hours=1)).allowed


def test_addresses_and_scopes_are_counted_apart(db):
    for _ in range(3):
        hit()
    assert hit(ident="203.0.113.6").allowed
    assert hit(scope="resume").allowed
    assert not hit().allowed


def test_addresses_are_not_stored_in_the_clear(db):
    hit(ident="203.0.113.5")
    assert "203.0.113.5" not in RateLimit.objects.get().key


def test_one_row_per_key_and_window(db):
    for _ in range(5):
        hit()
    row = RateLimit.objects.get()
    assert row.count == 5 and row.window_start == window_start(NOON, datetime.timedelta(hours=1))


def test_a_lost_race_to_create_the_row_still_counts(db, monkeypatch):
    hit()  # the row exists, as if another instance had just created it
    real_update = QuerySet.update
    calls = []

    def update_missing_the_row_once(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return 0  # our UPDATE ran before the other instance's INSERT committed
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_missing_the_row_once)
    result = hit()
    assert result.count == 2 and RateLimit.objects.count() == 1


def test_a_limit_of_zero_turns_the_throttle_off(db):
    assert all(hit(limit=0).allowed for _ in range(10))
    assert not RateLimit.objects.exists()


def test_purge_keeps_recent_windows(db):
    hit(now=NOON - datetime.timedelta(days=2))
    hit(now=NOON)
    assert throttle_purge(now=NOON) == 1
    assert RateLimit.objects.count() == 1


def test_too_many_new_drafts_from_one_address_get_a_kind_429(db, settings):
    settings.INTAKE_THROTTLE_PER_HOUR = 2
    for _ in range(2):
        # A different browser each time: the count is per address, not per session.
        assert Client(REMOTE_ADDR="198.51.100.7").post(reverse("intake:start")).status_code == 302
    response = Client(REMOTE_ADDR="198.51.100.7").post(reverse("intake:start"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert f'href="tel:{tel(settings.CENTER_PHONE)}"' in html
    assert Draft.objects.count() == 2
    assert Client(REMOTE_ADDR="198.51.100.8").post(reverse("intake:start")).status_code == 302


def test_too_many_resume_attempts_get_a_429_even_with_a_good_link(db, settings):
    settings.RESUME_THROTTLE_PER_HOUR = 3
    _draft, token = draft_create()
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(3):
        assert guesser.get(resume_url(f"guess-{n}")).status_code == 404
    assert guesser.get(resume_url(token)).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.10").get(resume_url(token)).status_code == 302


def test_the_count_lives_in_the_database(db, settings):
    settings.INTAKE_THROTTLE_PER_HOUR = 1
    Client(REMOTE_ADDR="192.0.2.1").post(reverse("intake:start"))
    row = RateLimit.objects.get()
    assert row.count == 1 and row.window_start <= timezone.now()
