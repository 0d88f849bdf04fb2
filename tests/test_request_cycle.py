"""The work every request pays before and after its view (config.settings.MIDDLEWARE): what
the middleware skips on a patient's page, and that it still does the same for everyone."""

from __future__ import annotations

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage as DjangoCookieStorage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from intake import message_storage
from intake.middleware import (
    ContentSecurityPolicyMiddleware,
    LocaleMiddleware,
    MessageMiddleware,
    signed_in,
)

QUEUE = reverse("staff:queue")


# --- the user: built only when the session names one --------------------------------------


@pytest.fixture
def users_built(monkeypatch):
    """How many times AuthenticationMiddleware's lazy user was built."""
    from django.contrib.auth import middleware as auth_middleware

    built = []
    real = auth_middleware.get_user
    monkeypatch.setattr(
        auth_middleware, "get_user", lambda request: built.append(1) or real(request)
    )
    return built


@pytest.mark.django_db
def test_patient_pages_build_no_user(client, users_built):
    assert client.get("/").status_code == 200
    assert client.post("/intake/start/").status_code == 302  # a draft and its session
    assert client.get("/intake/step/about/").status_code == 200
    assert client.get("/").status_code == 200  # with the patient's session cookie
    assert users_built == []


@pytest.mark.django_db
def test_staff_pages_still_build_theirs(client, coordinator, users_built):
    client.force_login(coordinator)
    assert client.get(QUEUE).status_code == 200
    assert users_built


def _request(session: dict | None, user=None):
    request = RequestFactory().get("/")
    if session is not None:
        store = SessionBase()
        store.update(session)
        request.session = store
    calls = []
    request.user = user or SimpleLazyObject(lambda: calls.append(1) or AnonymousUser())
    return request, calls


def test_signed_in_asks_for_no_user_when_the_session_names_none():
    request, calls = _request({"intake_draft": 1})
    assert signed_in(request) is False
    assert calls == []


def test_signed_in_builds_the_user_when_the_session_names_one():
    request, calls = _request({SESSION_KEY: "1"})
    assert signed_in(request) is False  # the lazy user says anonymous (a stale session)
    assert calls == [1]


def test_signed_in_asks_a_user_the_request_already_holds(coordinator):
    request, _calls = _request({}, user=coordinator)  # as login() leaves it
    assert signed_in(request) is True
    request, calls = _request(None)  # no session at all: the user decides
    assert signed_in(request) is False and calls == [1]


# --- messages: Django's storage, the cookie signer made when used ---------------------------


def _messages_request(cookies: dict | None = None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    request.session = SessionBase()
    MessageMiddleware(lambda request: HttpResponse()).process_request(request)
    return request


def test_a_page_without_messages_makes_no_signer():
    request = _messages_request()
    assert isinstance(request._messages, message_storage.FallbackStorage)
    assert list(request._messages) == []
    cookie_storage = request._messages.storages[0]
    assert "signer" not in vars(cookie_storage)


def test_messages_go_through_djangos_cookie_both_ways():
    request = _messages_request()
    messages.info(request, "Saved.")
    response = MessageMiddleware(lambda request: HttpResponse()).process_response(
        request, HttpResponse()
    )
    cookie = response.cookies["messages"].value
    # Django's own CookieStorage reads what this one wrote, and the other way round.
    djangos = DjangoCookieStorage(RequestFactory().get("/"))
    djangos.request.COOKIES["messages"] = cookie
    assert [str(m) for m in djangos] == ["Saved."]
    written = djangos._encode([messages.storage.base.Message(messages.INFO, "Back.")])
    assert [str(m) for m in _messages_request({"messages": written})._messages] == ["Back."]
    forged = cookie[:-3] + "abc"
    assert list(_messages_request({"messages": forged})._messages) == []


def test_the_message_storage_follows_the_setting():
    name = "django.contrib.messages.storage.session.SessionStorage"
    with override_settings(MESSAGE_STORAGE=name):
        request = _messages_request()
        assert type(request._messages).__name__ == "SessionStorage"
    assert isinstance(_messages_request()._messages, message_storage.FallbackStorage)


# --- Content-Security-Policy: excluded prefixes go through django-csp -----------------------


def test_an_excluded_prefix_gets_no_policy():
    policy = {"EXCLUDE_URL_PREFIXES": ["/skip/"], "DIRECTIVES": {"default-src": ["'self'"]}}
    view = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        for path, expected in (("/skip/this", False), ("/other", True)):
            request = RequestFactory().get(path)
            view.process_request(request)
            response = view.process_response(request, HttpResponse("ok"))
            assert ("Content-Security-Policy" in response) is expected, path


# --- the language: Django's choice for patients, English for staff --------------------------


@pytest.mark.parametrize(
    "url, cookie, accept, expected",
    [
        ("/", None, "es-MX,es;q=0.9", "es"),
        ("/intake/start/", "es", "en", "es"),
        ("/privacy/", None, "fr, de", "en"),
        ("/staff/login/", "es", "es", "en"),
        ("/admin/", None, "es", "en"),
    ],
)
def test_the_language_of_each_page(url, cookie, accept, expected):
    request = RequestFactory().get(url, HTTP_ACCEPT_LANGUAGE=accept)
    if cookie:
        request.COOKIES["django_language"] = cookie
    seen = []

    def view(request):
        seen.append((translation.get_language(), request.LANGUAGE_CODE))
        return HttpResponse()

    with translation.override(None):
        response = LocaleMiddleware(view)(request)
    assert seen == [(expected, expected)]
    assert response["Content-Language"] == expected
    assert response["Vary"] == "Accept-Language"


def _hello(request):
    return HttpResponse()


urlpatterns = i18n_patterns(path("hello/", _hello), path("staff/hello/", _hello))


def test_with_i18n_patterns_it_is_djangos_and_staff_stay_english():
    request = RequestFactory().get("/hello/", HTTP_ACCEPT_LANGUAGE="es")
    request.urlconf = __name__
    with translation.override(None):
        response = LocaleMiddleware(lambda request: HttpResponseNotFound())(request)
    assert response.status_code == 302 and response["Location"] == "/es/hello/"

    request = RequestFactory().get("/staff/hello/", HTTP_ACCEPT_LANGUAGE="es")
    request.urlconf = __name__
    with translation.override(None):
        LocaleMiddleware(lambda request: HttpResponse())(request)
        assert request.LANGUAGE_CODE == "en"
