"""The project speaks in its own words: no run of prose from the English seeds is copied.

Facts carry over (field names, enums, routes), so only prose counts: the titles, summaries and
descriptions of the contracts and the text of the docs, and only runs of eight or more plain
words (an identifier such as `pmpro_edit_members` or a number breaks a run).
"""
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.samples.corpus import SEEDS_DIR

ROOT = Path(__file__).resolve().parent.parent
RUN = 8
PLAIN = re.compile(r"^[(\"'“‘]*([A-Za-z][a-z']*)[.,;:!?)\"'”’]*$")
PROSE_KEYS = {"title", "summary", "description"}


def shingles(text: str) -> set[tuple[str, ...]]:
    found, run = set(), []
    for token in text.split() + [""]:
        match = PLAIN.match(token)
        if match:
            run.append(match.group(1).lower())
            continue
        found |= {tuple(run[i:i + RUN]) for i in range(len(run) - RUN + 1)}
        run = []
    return found


def prose(doc) -> str:
    if isinstance(doc, dict):
        return " | ".join(
            (v if k in PROSE_KEYS and isinstance(v, str) else prose(v)) for k, v in doc.items()
        )
    if isinstance(doc, list):
        return " | ".join(prose(v) for v in doc)
    return ""


def our_prose():
    for path in sorted((ROOT / "schemas").rglob("*.json")):
        yield path, prose(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "schemas").rglob("*.yaml")):
        yield path, prose(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = re.sub(r"```.*?```|`[^`]*`", " | ", path.read_text(encoding="utf-8"), flags=re.S)
        yield path, text


@pytest.mark.needs_seeds
def test_no_prose_copied_from_english_seeds():
    seeds = set()
    for number in ("000", "002", "004"):
        for path in SEEDS_DIR.glob(f"{number}_*.txt"):
            seeds |= shingles(path.read_text(encoding="utf-8"))
    copied = {}
    for path, text in our_prose():
        common = shingles(text) & seeds
        if common:
            copied[str(path.relative_to(ROOT))] = [" ".join(s) for s in sorted(common)[:3]]
    assert not copied, copied
