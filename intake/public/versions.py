"""What a step GET works out from a draft's answers, remembered per version of the draft.

A step GET routed the whole draft (the emergency alert, 0.1-0.2 ms) and checked every earlier
step's answers (whether the step may open, the Back link) each time, for answers that change
only when a step is saved; and a save moves the draft's ``updated_at`` (auto_now), so
(id, updated_at) names one version of its answers. The POST that saves a step works the new
version's emergency out already: the page it redirects to finds it here (in this process).

Privacy: keys are a draft's id, a time and a name; values are step ids, rule and symptom codes
(what the callers compute), never an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from intake.models import Draft

T = TypeVar("T")

_MEMO: dict[tuple, object] = {}
_MEMO_MAX = 10_000  # a few entries a person in the last minutes; cleared when full


def per_version(draft: Draft, what: str, compute: Callable[[], T]) -> T:
    """``compute()`` (a pure function of ``draft``'s answers and completed steps), once per
    version of ``draft`` in this process."""
    if draft.updated_at is None:  # not saved: no version to name
        return compute()
    key = (draft.pk, draft.updated_at, what)
    try:
        return _MEMO[key]  # type: ignore[return-value]
    except KeyError:
        pass
    value = compute()
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = value
    return value


def forget() -> None:
    _MEMO.clear()
