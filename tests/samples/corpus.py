"""The sample corpus: payloads lifted from the vendor seeds, cleaned by small named steps.

Each seed has a module ``seed_NNN.py`` exposing ``extract(lines) -> Iterable[Sample]``.
``lines`` are the seed's lines (1-based positions are ``index + 1``). A sample records where
it came from and which cleaning steps touched it, so a reviewer can diff the payload against
the seed text. ``extract.py`` writes ``tests/samples/NNN/<name>.json`` (the bare payload, so
``membermock validate`` works on it directly) and ``manifest.json`` (the provenance).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SEEDS_DIR = SAMPLES_DIR.parents[2] / "shared" / "seeds"
MANIFEST = SAMPLES_DIR / "manifest.json"


@dataclass
class Sample:
    name: str                 # file stem, unique within its seed
    schema: str               # contract name, as in `membermock validate --list`
    start: int                # first seed line of the sample (1-based)
    end: int                  # last seed line of the sample (1-based, inclusive)
    payload: object
    transforms: list[str] = field(default_factory=list)  # cleaning steps applied, in order
    note: str = ""            # anything a reviewer should know (e.g. what the seed garbled)


def seed_path(number: str) -> Path:
    matches = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
    if len(matches) != 1:
        raise FileNotFoundError(f"seed {number} not found in {SEEDS_DIR}")
    return matches[0]


def seed_lines(number: str) -> list[str]:
    return seed_path(number).read_text(encoding="utf-8").splitlines()


def block_end(lines: list[str], start: int) -> int:
    """Index of the line that closes the JSON value opening on ``lines[start]``.

    Counts brackets outside string literals; returns the last index if the seed never
    closes the value (a caller then repairs and says so in its transforms).
    """
    depth = 0
    for i in range(start, len(lines)):
        in_string = escaped = False
        for ch in lines[i]:
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
        if depth <= 0 and i >= start and any(c in lines[i] for c in "}]"):
            return i
    return len(lines) - 1


def dump(payload) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def load_manifest() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))
