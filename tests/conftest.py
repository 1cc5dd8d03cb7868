from collections import Counter

from tests.samples.corpus import MANIFEST, load_manifest


def pytest_terminal_summary(terminalreporter):
    """Say how many samples each seed gave, so a run shows the corpus is complete."""
    if not MANIFEST.exists():
        return
    counts = Counter(entry["seed"] for entry in load_manifest())
    terminalreporter.write_sep("-", "sample corpus")
    for seed, count in sorted(counts.items()):
        terminalreporter.write_line(f"{seed}: {count} samples")
