"""Hand-written near-misses: a valid payload with exactly one thing wrong.

A ``Miss`` starts from a valid base (a corpus sample, optionally a part of it picked by a JSON
pointer, or an inline payload), applies one change, and names the JSON Schema keyword that
must report it (``type``, ``required``, ``enum``, ``const``, ``pattern``, ``format``...).
Modules ``tests/near_misses/<api>.py`` hold a ``CASES`` list of them.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from tests.samples.corpus import SAMPLES_DIR

DELETE = object()  # value meaning "remove the key at path"


@dataclass(frozen=True)
class Miss:
    schema: str
    base: Any          # "004/member-added.json" or "004/member-added.json#/data", or a payload
    path: str          # JSON pointer, relative to the base, of the value to change
    value: Any         # the new value, or DELETE
    rule: str          # the keyword expected to fail
    why: str = ""      # what real-world mistake this stands for

    def payload(self):
        doc = self._base()
        return _apply(doc, self.path, self.value)

    def _base(self):
        if not isinstance(self.base, str):
            return copy.deepcopy(self.base)
        file, _, pointer = self.base.partition("#")
        doc = json.loads((SAMPLES_DIR / file).read_text(encoding="utf-8"))
        return _resolve(doc, pointer)

    def __str__(self):
        return f"{self.schema} {self.path} -> {self.rule}"


def _tokens(pointer: str):
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []


def _resolve(doc, pointer):
    for token in _tokens(pointer):
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def _apply(doc, pointer, value):
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent = _resolve(doc, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1])) if len(tokens) > 1 else doc
    last = tokens[-1]
    key = int(last) if isinstance(parent, list) else last
    if value is DELETE:
        del parent[key]
    else:
        parent[key] = value
    return doc
