"""CSRF tokens drawn by intake.csrf: Django's tokens, each random string from one read."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _does_token_match,
    _unmask_cipher_token,
)
from django.template import RequestContext, Template
from django.test import Client, RequestFactory

from intake import csrf

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_each_character_has_the_same_number_of_bytes_and_the_rest_are_dropped():
    kept = bytes(range(256)).translate(csrf._TABLE, csrf._REJECTED).decode("ascii")
    assert len(kept) == 248
    assert Counter(kept) == dict.fromkeys(CSRF_ALLOWED_CHARS, 4)
    assert bytes(range(248, 256)) == csrf._REJECTED


def test_a_string_is_32_allowed_characters_from_one_read(monkeypatch):
    reads = []
    real = csrf.os.urandom

    def urandom(n):
        reads.append(n)
        return real(n)

    monkeypatch.setattr(csrf.os, "urandom", urandom)
    value = csrf.random_string()
    assert len(value) == 32 and set(value) <= set(CSRF_ALLOWED_CHARS)
    assert len(reads) == 1


def test_dropped_bytes_are_read_again(monkeypatch):
    reads = iter([bytes([255] * 20 + list(range(20))), bytes(range(40, 80))])
    monkeypatch.setattr(csrf.os, "urandom", lambda n: next(reads))
    expected = "".join(CSRF_ALLOWED_CHARS[b % 62] for b in [*range(20), *range(40, 52)])
    assert csrf.random_string() == expected


def test_the_characters_are_spread_evenly():
    counts = Counter("".join(csrf.random_string() for _ in range(2000)))  # 64,000 characters
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 64_000 / 62  # about 1,032 each; a 5-sigma band is about +-160
    assert all(abs(count - expected) < 200 for count in counts.values()), counts
    assert len({csrf.random_string() for _ in range(1000)}) == 1000


def test_a_token_is_djangos_mask_and_cipher():
    secret = csrf.random_string()
    tokens = {csrf.mask_cipher_secret(secret) for _ in range(50)}
    assert len(tokens) == 50  # a new mask each time
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
        assert _does_token_match(token, secret)
    assert not _does_token_match(csrf.mask_cipher_secret(secret), csrf.random_string())


def test_get_token_flags_the_request_as_djangos_does():
    request = RequestFactory().get("/")
    token = csrf.get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(token) == secret

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    assert _unmask_cipher_token(csrf.get_token(request)) == secret
    assert request.META["CSRF_COOKIE"] == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_templates_take_their_token_here_and_only_when_they_use_it(monkeypatch):
    calls = []
    real = csrf.get_token
    monkeypatch.setattr(csrf, "get_token", lambda request: calls.append(1) or real(request))

    request = RequestFactory().get("/")
    Template("no form").render(RequestContext(request, {}))
    assert "CSRF_COOKIE" not in request.META and not calls

    html = Template("{% csrf_token %}").render(RequestContext(request, {}))
    token = TOKEN.search(html).group(1)
    assert calls == [1]
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


@pytest.mark.django_db
def test_a_first_visit_gets_a_cookie_its_form_token_matches_and_posts_are_checked():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/intake/start/")
    cookie = page.cookies["csrftoken"]
    assert len(cookie.value) == 32 and set(cookie.value) <= set(CSRF_ALLOWED_CHARS)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    token = TOKEN.search(page.content.decode()).group(1)
    assert _unmask_cipher_token(token) == cookie.value

    assert browser.post("/intake/start/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    forged = csrf.mask_cipher_secret(csrf.random_string())
    assert browser.post("/intake/start/", {"csrfmiddlewaretoken": forged}).status_code == 403
    assert browser.post("/intake/start/", {"csrfmiddlewaretoken": token}).status_code == 302

    # The next page keeps the same secret, renews the cookie, and masks it anew.
    again = browser.get("/intake/start/")
    assert again.cookies["csrftoken"].value == cookie.value
    assert TOKEN.search(again.content.decode()).group(1) != token

    # A wizard step is served from its frame (intake/public/frame.py): its token too.
    step = browser.get("/intake/step/about/")
    step_token = TOKEN.search(step.content.decode()).group(1)
    assert step_token not in (token, cookie.value)
    assert _unmask_cipher_token(step_token) == cookie.value
    assert browser.post("/intake/step/about/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    answered = browser.post("/intake/step/about/", {"csrfmiddlewaretoken": step_token})
    assert answered.status_code == 200  # checked and shown again with what is missing
