"""A wizard page's frame: its template rendered once per key, the per-request parts filled in.

Most of a step page is the same for everyone who opens that step in that language: the shell,
the title, the progress bar, the buttons, the fixed wording. Rendering it through the template
took about half of the page's Python time (the template tree walked for its blocks, a context
built with the context processors, some 190 nodes and their includes), every request, for the
same text. So each page's template is rendered once per *key* with markers where the parts of
one request go, split at the markers, and kept in this process; a request joins the pieces with
its own parts:

- ``csrf``: the CSRF token (``{% csrf_token %}``), taken with intake.csrf.get_token as the
  ``csrf`` context processor takes it, new for each request;
- ``path``: ``request.get_full_path`` (the language form's ``next``);
- ``nonce``: ``request.csp_nonce``, should a page take one;
- the view's own slots: the questions with their answers, the review summary, the Back link.

The template stays the page's source: the frame *is* its rendering, with the template's own
escaping (a marker the template escaped is filled escaped, one it printed as safe is filled as
is). tests/test_frame.py renders pages both ways, every step, both languages, with and without
an emergency, and finds them equal.

Privacy: a frame is built by ``build(key)``, from its key alone, never from a request's answers
or a form holding them; keys and frames hold no answer, name, token or nonce (the markers stand
in for them). The context processors run on the request that builds a frame, as they do for any
page: they give the language and the center's name and phone, the same for everyone.

A page with messages to show renders through its template as before (rare on these pages).
Under tests, Django's ``template_rendered`` signal is sent with the full context, as a template
render sends it, so ``response.context`` still works.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.test.signals import template_rendered
from django.utils.autoreload import file_changed
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from intake.csrf import get_token

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no template or translation has them
_OWN = ("csrf", "path", "nonce")  # the slots framed() fills itself
_MARKER = re.compile(f"{_OPEN}(<|&lt;)(\\w+)(>|&gt;){_CLOSE}")


def marker(name: str) -> str:
    """A slot's stand-in, as plain text: the template escapes it (to ``&lt;name&gt;``) when it
    would escape the value, and leaves it as is when it prints the value as safe."""
    return f"{_OPEN}<{name}>{_CLOSE}"


def safe_marker(name: str) -> SafeString:
    """The stand-in of HTML the view has already made (the questions, the summary)."""
    # Our own marker: nothing from a request in it.
    return mark_safe(marker(name))  # noqa: S308  # nosec B308 B703


class _FrameRequest:
    """``request`` as the frame's template sees it: only what a page may show of the request,
    as markers."""

    def get_full_path(self) -> str:
        return marker("path")

    @property
    def csp_nonce(self) -> str:
        return marker("nonce")


class Frame:
    """The template's text between slots: ``pieces[0] slot0 pieces[1] slot1 ... pieces[n]``."""

    __slots__ = ("own", "pieces", "slots")

    def __init__(self, html: str, names: set[str] | None = None):
        parts = _MARKER.split(html)
        # re.split with 3 groups: text, (open, name, close), text, ...
        self.pieces: list[str] = parts[0::4]
        self.slots: list[tuple[str, bool]] = []
        for start, name, end in zip(parts[1::4], parts[2::4], parts[3::4], strict=True):
            escaped = start == "&lt;"
            if escaped != (end == "&gt;"):
                raise ValueError(f"slot {name!r} half escaped")
            self.slots.append((name, escaped))
        if any(_OPEN in piece or _CLOSE in piece for piece in self.pieces):
            raise ValueError("a slot the template changed (a filter on it?)")
        used = {name for name, _escaped in self.slots}
        if names is not None and used - names:
            raise ValueError(f"slots nobody fills: {sorted(used - names)}")
        self.own = used & set(_OWN)

    def fill(self, values: dict[str, Any]) -> str:
        pieces = self.pieces
        out = [pieces[0]]
        for index, (name, escaped) in enumerate(self.slots, 1):
            value = values[name]
            out.append(conditional_escape(value) if escaped else str(value))
            out.append(pieces[index])
        return "".join(out)


_FRAMES: dict[tuple, Frame] = {}
_FRAMES_MAX = 500  # steps x languages x a few states, and a review frame per day


def framed(
    request: HttpRequest,
    template_name: str,
    context: dict,
    *,
    key: Hashable,
    build: Callable[[Any], dict],
    slots: dict[str, Any],
    status: int | None = None,
) -> HttpResponse:
    """``render(request, template_name, context)``, from the frame for ``key``.

    ``build(key)`` gives the frame's context (what the page shows the same for everyone with
    that key); ``slots`` the request's own parts by name, which ``build`` places with
    ``marker(name)`` or ``safe_marker(name)``. ``context`` is the page's whole context, used
    when the page renders through its template and for the test client."""
    messages = get_messages(request)
    if messages:  # shown once, then gone: the template renders them (and marks them seen)
        return render(request, template_name, context, status=status)
    for _message in messages:  # as the template's loop does: marks the (empty) storage used
        pass
    language = get_language()
    full_key = (template_name, language, settings.CENTER_NAME, settings.CENTER_PHONE, key)
    frame = _FRAMES.get(full_key)
    if frame is None:
        frame = _build(request, template_name, build(key), slots)
        if len(_FRAMES) >= _FRAMES_MAX:
            _FRAMES.clear()
        _FRAMES[full_key] = frame
    values = dict(slots)
    own = frame.own
    if "csrf" in own:  # as {% csrf_token %} asks: only a page with a form takes a token
        values["csrf"] = get_token(request)
    if "path" in own:
        values["path"] = request.get_full_path()
    if "nonce" in own:
        values["nonce"] = request.csp_nonce
    if template_rendered.receivers:  # under tests: what the test client reads as .context
        template = get_template(template_name).template
        template_rendered.send(sender=template, template=template, context=Context(context))
    return HttpResponse(frame.fill(values), status=status)


def _build(request: HttpRequest, template_name: str, frame_context: dict, slots: dict) -> Frame:
    own = {"csrf_token": marker("csrf"), "request": _FrameRequest(), "messages": ()}
    missing = [name for name in slots if name not in frame_context]
    if missing:
        raise ValueError(f"the frame's context places no marker for {missing}")
    template = get_template(template_name)
    if template_rendered.receivers:
        # Under tests, build without telling the test client: it reads the page's own context.
        with _quiet():
            html = template.render({**frame_context, **own}, request)
    else:
        html = template.render({**frame_context, **own}, request)
    return Frame(html, {*slots, *_OWN})


class _quiet:
    """Hold back template_rendered while a frame is built (tests only)."""

    def __enter__(self):
        self.receivers = template_rendered.receivers
        template_rendered.receivers = []
        template_rendered.sender_receivers_cache.clear()

    def __exit__(self, *exc):
        template_rendered.receivers = self.receivers
        template_rendered.sender_receivers_cache.clear()


def forgotten_on_change(cache: dict) -> Callable[[], None]:
    """Empty ``cache`` when a setting changes (tests) and when a template or translation is
    edited under runserver (frames, compiled questions and summaries are renderings of them);
    returns the function that empties it."""

    def forget() -> None:
        cache.clear()

    def on_settings(**kwargs) -> None:
        forget()

    def on_edit(sender, file_path, **kwargs) -> None:
        if file_path.suffix != ".py":
            forget()

    setting_changed.connect(on_settings, weak=False)
    file_changed.connect(on_edit, weak=False)
    return forget


forget = forgotten_on_change(_FRAMES)
