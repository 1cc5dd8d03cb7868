"""Stop generating requests for an operation once more of them show nothing new.

An operation's generated requests (test_schema.py) end at ``--max-examples``, or earlier once
``QUIET`` in a row added no new kind of answer: no (mode, status, error code or JSON type of the
body) not seen before for that operation. Measured on the mock (2026-12-08, 25 examples, 141
operations): 126 operations showed every kind of answer they would show within their first 10
requests, and the rule sends 36% fewer requests; what it leaves out is almost all a few
negative requests to list operations answering 200 like the positive ones. The documented
statuses are reached on purpose by test_statuses.py and test_effects.py, not by chance here, and
every request sent still gets every check.

Hypothesis has no public way for a test to say "enough": its engine asks ``should_generate_more``
before each new example, and that is where the answer is given (as for ``max_examples``).
"""
from __future__ import annotations

QUIET = 10


class _State:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.seen: set = set()
        self.quiet = 0
        self.saturated = False


STATE = _State()


def kind(negative: bool, response) -> tuple:
    """What kind of answer this was: mode, status and the body's error code or JSON type."""
    try:
        body = response.json()
    except ValueError:
        body = response.content[:0]
    what = body.get("code") if isinstance(body, dict) and isinstance(body.get("code"), str) else type(body).__name__
    return negative, response.status_code, what


def saw(answer: tuple) -> None:
    if answer in STATE.seen:
        STATE.quiet += 1
        STATE.saturated = STATE.quiet >= QUIET
    else:
        STATE.seen.add(answer)
        STATE.quiet = 0


def _install() -> None:
    try:
        from hypothesis.internal.conjecture.engine import ConjectureRunner
    except ImportError:  # pragma: no cover - another hypothesis: every example runs
        return
    original = ConjectureRunner.should_generate_more
    if getattr(original, "conformance_saturation", False):
        return

    def should_generate_more(self) -> bool:
        return not STATE.saturated and original(self)

    should_generate_more.conformance_saturation = True
    ConjectureRunner.should_generate_more = should_generate_more


_install()
