"""The shell every page pays for: base.html's cached fragments and the middleware's fast paths.

The fragments (CACHES["template_fragments"]) hold only what is the same for everyone, per
language and center: these tests warm them in one language and read the page in the other,
change the center's name, and check that the CSRF token, the path in the language form and the
CSP nonce are still each request's own.
"""

from __future__ import annotations

import re

import pytest
from csp.constants import NONCE
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.views.decorators.cache import never_cache

from intake.middleware import NEVER_CACHE, ContentSecurityPolicyMiddleware, NoStoreMiddleware

ENGLISH = ["Skip to main content", "Help now:", "Privacy notice", "Questions?",
           "to do this alone."]  # fmt: skip
SPANISH = ["Ir al contenido principal", "Ayuda ya:", "Aviso de privacidad", "¿Preguntas?",
           "No tiene que pasar por esto a solas."]  # fmt: skip


def landing(language: str, path: str = "/") -> str:
    return Client(HTTP_ACCEPT_LANGUAGE=language).get(path).content.decode()


def test_the_fragments_live_in_this_process_in_every_mode():
    fragments = settings.CACHES["template_fragments"]
    assert fragments["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert fragments["TIMEOUT"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("first, then", [("en", "es"), ("es", "en")])
def test_each_language_reads_its_own_shell_whatever_was_cached_first(first, then):
    expected = {"en": (ENGLISH, SPANISH), "es": (SPANISH, ENGLISH)}
    for language in (first, then, first):
        page = landing(language)
        wanted, unwanted = expected[language]
        assert f'<html lang="{language}">' in page
        for text in wanted:
            assert text in page, (language, text)
        for text in unwanted:
            assert text not in page, (language, text)
        current = re.search(r'class="language-current" lang="(\w+)"', page).group(1)
        assert current == language
    # The crisis banner's Spanish-only line stays with the Spanish page.
    assert "(marque 2 para español)" in landing("es")
    assert "(marque 2 para español)" not in landing("en")
    assert "(press 2 for Spanish)" not in landing("en")


@pytest.mark.django_db
def test_the_csrf_token_and_the_path_are_each_requests_own():
    first, second = landing("en", "/?from=a"), landing("en", "/privacy/")
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
              for page in (first, second)]  # fmt: skip
    assert tokens[0] != tokens[1]
    assert 'name="next" value="/?from=a"' in first
    assert 'name="next" value="/privacy/"' in second


@pytest.mark.django_db
def test_the_shell_follows_the_centers_name_and_phone():
    landing("en")  # warm
    with override_settings(CENTER_NAME="Harbor & Hill", CENTER_PHONE="(617) 555-0199"):
        page = landing("en")
        assert "Harbor &amp; Hill" in page
        assert "Call (617) 555-0199" in page
        assert 'href="tel:+16175550199"' in page
    page = landing("en")
    assert "Harbor" not in page
    assert settings.CENTER_NAME.replace("&", "&amp;") in page


@pytest.mark.django_db
def test_changed_settings_empty_the_fragments():
    landing("en")
    fragments = caches["template_fragments"]
    assert fragments._cache  # the shell's fragments were kept
    with override_settings(CENTER_PHONE="(617) 555-0100"):
        assert not fragments._cache


@pytest.mark.django_db
def test_an_edited_template_empties_the_fragments(tmp_path):
    from django.utils.autoreload import file_changed

    landing("en")
    fragments = caches["template_fragments"]
    file_changed.send(sender=None, file_path=tmp_path / "views.py")
    assert fragments._cache  # code changes restart the process instead
    file_changed.send(sender=None, file_path=tmp_path / "base.html")
    assert not fragments._cache


# --- Content-Security-Policy ----------------------------------------------------------------


def _csp(view, path="/"):
    middleware = ContentSecurityPolicyMiddleware(view)
    request = RequestFactory().get(path)
    middleware.process_request(request)
    return request, middleware.process_response(request, view(request))


def test_the_policy_is_django_csps_own():
    _request, response = _csp(lambda request: HttpResponse("ok"))
    assert response["Content-Security-Policy"] == build_policy()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}})
def test_a_page_that_takes_a_nonce_gets_a_new_one_in_its_header_every_time():
    # No page takes one today; a policy that asks for nonces still gets one per request.
    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    nonces = []
    for _ in range(2):
        _request, response = _csp(view)
        nonce = re.search(r"nonce='([^']+)'", response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_nonce_asked_for_after_the_header_is_written_is_refused():
    from csp.exceptions import CSPNonceError

    request, _response = _csp(lambda request: HttpResponse("ok"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_policy_is_built_again():
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https:"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        _request, response = _csp(lambda request: HttpResponse("ok"))
        assert "img-src 'self' https:" in response["Content-Security-Policy"]
    _request, response = _csp(lambda request: HttpResponse("ok"))
    assert "https:" not in response["Content-Security-Policy"]


def test_a_view_with_its_own_policy_keeps_it():
    from csp.decorators import csp_update

    @csp_update({"img-src": "https://maps.example"})
    def view(request):
        return HttpResponse("ok")

    _request, response = _csp(view)
    assert "https://maps.example" in response["Content-Security-Policy"]


# --- Cache-Control: no-store ----------------------------------------------------------------


def _no_store(view):
    return NoStoreMiddleware(view)(RequestFactory().get("/"))


def test_every_page_is_never_cached():
    response = _no_store(lambda request: HttpResponse("ok"))
    assert response["Cache-Control"] == NEVER_CACHE
    assert response["Expires"]
    assert set(NEVER_CACHE.split(", ")) == {
        "max-age=0", "no-cache", "no-store", "must-revalidate", "private",
    }  # fmt: skip


def test_a_never_cache_view_and_a_public_response_are_left_as_they_are():
    response = _no_store(never_cache(lambda request: HttpResponse("ok")))
    assert response["Cache-Control"] == NEVER_CACHE

    def public(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "public, max-age=60"
        return response

    assert _no_store(public)["Cache-Control"] == "public, max-age=60"


def test_a_response_with_another_cache_control_is_made_private():
    def cached(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "max-age=60"
        return response

    directives = set(_no_store(cached)["Cache-Control"].split(", "))
    assert {"no-store", "private", "max-age=0"} <= directives
