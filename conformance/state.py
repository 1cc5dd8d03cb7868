"""The one Target of a run, set up by conftest before collection (test modules read it at import)."""
from __future__ import annotations

from conformance.target import Options, Target

_TARGET: Target | None = None


def start(target: Target) -> None:
    global _TARGET
    _TARGET = target


def target() -> Target:
    global _TARGET
    if _TARGET is None:  # imported outside a pytest run (e.g. by a linter): an inert target
        _TARGET = Target(Options())
    return _TARGET
