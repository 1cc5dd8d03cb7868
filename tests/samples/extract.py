"""Rebuild the sample corpus from ../shared/seeds: ``python -m tests.samples.extract``.

With ``--check`` it writes nothing and exits 1 if the committed corpus differs from what
extraction gives now, so hand edits to the corpus are caught.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from .corpus import MANIFEST, SAMPLES_DIR, dump, seed_lines, seed_path

SEEDS = ["000", "001", "002", "003", "004"]


def build() -> dict[Path, str]:
    """Every corpus file and its text, keyed by path."""
    out: dict[Path, str] = {}
    manifest = []
    for number in SEEDS:
        module = importlib.import_module(f"tests.samples.seed_{number}")
        seen = set()
        for sample in module.extract(seed_lines(number)):
            if sample.name in seen:
                raise ValueError(f"seed {number}: duplicate sample name {sample.name}")
            seen.add(sample.name)
            path = SAMPLES_DIR / number / f"{sample.name}.json"
            out[path] = dump(sample.payload)
            manifest.append({
                "file": f"{number}/{sample.name}.json",
                "schema": sample.schema,
                "seed": seed_path(number).name,
                "lines": [sample.start, sample.end],
                "transforms": sample.transforms,
                **({"note": sample.note} if sample.note else {}),
            })
    out[MANIFEST] = dump(manifest)
    return out


def existing() -> dict[Path, str]:
    files = {p: p.read_text(encoding="utf-8") for p in SAMPLES_DIR.glob("[0-9][0-9][0-9]/*.json")}
    if MANIFEST.exists():
        files[MANIFEST] = MANIFEST.read_text(encoding="utf-8")
    return files


def main(argv: list[str]) -> int:
    wanted = build()
    have = existing()
    stale = sorted(str(p.relative_to(SAMPLES_DIR)) for p in wanted.keys() | have.keys()
                   if wanted.get(p) != have.get(p))
    if "--check" in argv:
        for name in stale:
            print(f"out of date: {name}")
        return 1 if stale else 0
    for path in have.keys() - wanted.keys():
        path.unlink()
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"{len(wanted) - 1} samples written, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
