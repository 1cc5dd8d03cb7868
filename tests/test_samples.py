"""Every sample lifted from the vendor seeds validates against its contract."""
from collections import Counter

import pytest

from membermock import contracts
from tests.samples import extract
from tests.samples.corpus import SAMPLES_DIR, load_manifest

MANIFEST = load_manifest()


@pytest.mark.needs_seeds
def test_corpus_is_what_extraction_gives():
    """The corpus is produced by the cleaning code, never edited by hand (`make samples`)."""
    assert extract.main(["--check"]) == 0


def test_every_seed_contributes_samples():
    per_seed = Counter(entry["file"].split("/")[0] for entry in MANIFEST)
    assert set(per_seed) == set(extract.SEEDS), per_seed


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_sample_validates(entry):
    import json

    payload = json.loads((SAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
    found = contracts.problems(entry["schema"], payload)
    assert not found, "\n".join(map(str, found))
