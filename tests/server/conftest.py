import pytest

from tests.server.harness import running


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("site") / "site.sqlite3", workers=2) as srv:
        yield srv
