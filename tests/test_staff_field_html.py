"""Each field of the intake page's action forms renders the same from Python
(intake/staff/field_html.py) as through crispy's ``|as_crispy_field``, the reference: every
field of every form, empty, filled, with errors and with hostile input. "The same" is the same
elements, attributes (in order) and text: the template's indentation is left out."""

from html.parser import HTMLParser

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.utils import translation

from intake.staff.forms import AssignForm, ContactForm, NoteForm, ReviewForm, StatusForm

HOSTILE = "<script>alert('x')</script> & \"quoted\"\n  second line"


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][:2] == ("start", "textarea"):
            self.tokens.append(("text", data))  # a textarea's content, whitespace and all
        elif data.strip():
            self.tokens.append(("text", " ".join(data.split())))


def tokens(html: str) -> list[tuple]:
    parser = _Tokens()
    parser.feed(str(html))
    parser.close()
    return parser.tokens


def _forms(intake, data=None):
    """Every action form of the intake page, bound to ``data`` (prefixed) when given."""
    for cls in (ContactForm, AssignForm, StatusForm, ReviewForm, NoteForm):
        if data is None:
            yield cls(intake=intake)
        else:
            prefixed = {f"{cls.prefix}-{key}": value for key, value in data.items()}
            form = cls(prefixed, intake=intake)
            form.is_valid()
            yield form


FILLED = {
    "version": "1",
    "channel": "phone",
    "outcome": "reached",
    "next_attempt": "at",
    "next_at": "2026-03-02T10:30",
    "note": HOSTILE,
    "voicemail_reason": HOSTILE,
    "confirm_status": "on",
    "assignee": "",
    "status": "in_review",
    "action": "override",
    "track": "outpatient",
    "reason": HOSTILE,
    "text": HOSTILE,
}
BAD = {
    "version": "x",
    "channel": "pigeon",
    "outcome": "",
    "next_attempt": "at",
    "next_at": "yesterday<b>",
    "voicemail_reason": "",
    "assignee": "99999",
    "status": "nonsense",
    "action": "override",
    "track": "",
    "reason": "",
    "text": "",
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("voicemail_ok", [True, False])
@pytest.mark.parametrize("data", [None, FILLED, BAD], ids=["empty", "filled", "errors"])
def test_every_action_field_renders_as_crispy_does(
    language, voicemail_ok, data, submit, coordinator
):
    intake = submit()
    intake.voicemail_ok = voicemail_ok
    compared, errors = 0, 0
    with translation.override(language):
        for form, reference_form in zip(_forms(intake, data), _forms(intake, data), strict=True):
            for name in form.fields:
                ours = form.html[name]
                crispy = as_crispy_field(reference_form[name])
                assert tokens(ours) == tokens(crispy), (type(form).__name__, name)
                compared += 1
                errors += bool(form[name].errors)
    assert compared >= 14
    if data is BAD:
        assert errors >= 6  # the error paths were compared too


@pytest.mark.django_db
def test_values_are_escaped(submit):
    intake = submit()
    form = NoteForm({"note-version": "1", "note-text": HOSTILE}, intake=intake)
    html = form.html["text"]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
