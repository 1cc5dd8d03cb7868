import os
from collections import Counter

import pytest

from tests.samples.corpus import MANIFEST, SEEDS_DIR, load_manifest


def seeds_present() -> bool:
    return any(SEEDS_DIR.glob("[0-9][0-9][0-9]_*.txt"))


# Modules whose every test is exhaustive (module-level pytestmark). Building their schemathesis
# tests takes seconds of CPU in every xdist worker, so `make test` (-m "not exhaustive") does not
# collect them at all rather than collect and deselect.
WHOLLY_EXHAUSTIVE = ("server/test_fuzz.py", "mock/test_every_boundary.py")


def pytest_ignore_collect(collection_path, config):
    if config.getoption("markexpr", "").replace(" ", "") == "notexhaustive" and \
            collection_path.as_posix().endswith(WHOLLY_EXHAUSTIVE):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """A clone without ../shared skips what reads the vendor seeds, saying so; CI (CI=true) has
    them and runs those tests, so there a missing seed fails instead of passing unseen."""
    _mark_stores(items)
    if seeds_present() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="seeds not present")
    for item in items:
        if item.get_closest_marker("needs_seeds"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """Say how many samples each seed gave, so a run shows the corpus is complete."""
    if not MANIFEST.exists():
        return
    counts = Counter(entry["seed"] for entry in load_manifest())
    terminalreporter.write_sep("-", "sample corpus")
    for seed, count in sorted(counts.items()):
        terminalreporter.write_line(f"{seed}: {count} samples")


# -- the two stores -----------------------------------------------------------------------------
# The mock's behavioural tests run on SQLite and on PostgreSQL (tests/postgres.py starts a real
# server once per test process). `make test` runs PG_QUICK on both stores: a real server on
# PostgreSQL restarted (test_multi_instance runs two instances of two workers and their webhooks
# on it); the rest of the PostgreSQL runs are marked exhaustive (`make test-exhaustive`, CI).
PG_QUICK = ("tests/server/test_persistence.py::test_restart_keeps_created_member", "tests/server/test_multi_instance.py")


def _mark_stores(items):
    exhaustive = pytest.mark.exhaustive
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("store_kind") == "postgresql" and \
                not any(part in item.nodeid for part in PG_QUICK):
            item.add_marker(exhaustive)


@pytest.fixture(scope="session")
def postgres_server():
    from tests import postgres
    try:
        server = postgres.start()
    except postgres.Unavailable as exc:
        if os.environ.get("CI"):   # CI installs PostgreSQL (.ci/run): there, not having it is a failure
            raise
        pytest.skip(f"PostgreSQL cannot run here: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=("sqlite", "postgresql"))
def store_kind(request):
    return request.param


@pytest.fixture
def new_db(store_kind, request):
    """A new, empty store's location per call: SQLite in memory, or a new PostgreSQL database."""
    if store_kind == "sqlite":
        yield lambda: ":memory:"
        return
    from mock_server import pg
    server = request.getfixturevalue("postgres_server")
    made = []

    def new():
        made.append(server.database())
        return made[-1]
    yield new
    pg.close_thread()
    for url in made:
        server.drop(url)


@pytest.fixture
def site_db(store_kind, tmp_path, new_db):
    """Where a served site lives: a SQLite file, or a new PostgreSQL database."""
    return str(tmp_path / "site.sqlite3") if store_kind == "sqlite" else new_db()
