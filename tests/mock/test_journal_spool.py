"""The journal on a SQLite file: entries pass through each worker's spool file on their way in."""
import os
import signal

from mock_server import journal_spool
from mock_server.config import Config
from mock_server.app import create_app
from mock_server.journal import Journal
from tests.mock.conftest import ContractClient


def row(path: str, at: float = 1.0) -> list:
    return [at, "other", "GET", path, "", {"Host": "x"}, None, 404, 0.1, None]


def test_a_file_site_lists_what_each_worker_spooled(tmp_path):
    mock = ContractClient(create_app(Config(db=str(tmp_path / "site.sqlite3"), seed=1)))
    mock.client.get("/wp-json/nothing/1")
    spooled = list(tmp_path.glob("site.journal.sqlite3-spool-*"))
    assert [p.name for p in spooled] == [f"site.journal.sqlite3-spool-{os.getpid()}-0"]
    assert b"/wp-json/nothing/1" in spooled[0].read_bytes()
    [entry] = mock.client.get("/__mock__/requests").get_json()
    assert entry["path"] == "/wp-json/nothing/1" and entry["headers"]["Host"] == "localhost"
    mock.client.get("/wp-json/nothing/2")
    assert [e["path"] for e in mock.client.get("/__mock__/requests").get_json()] == [
        "/wp-json/nothing/1", "/wp-json/nothing/2"]   # each entry is moved in once
    assert mock.client.get("/__mock__/requests/count").get_json() == {"count": 2}
    assert mock.client.delete("/__mock__/requests").get_json() == {"cleared": 2}
    mock.client.get("/wp-json/nothing/3")
    assert mock.client.delete("/__mock__/requests").get_json() == {"cleared": 1}   # spooled, not yet moved
    assert mock.client.get("/__mock__/requests").get_json() == []


def test_another_process_entries_are_read_and_its_file_removed_once_it_is_gone(tmp_path):
    path = str(tmp_path / "j.journal.sqlite3")
    journal = Journal(path, 100)
    child = os.fork()
    if child == 0:   # a second worker: its own file, then it dies without draining
        try:
            Journal(path, 100).record(row("/from/child", at=2.0))
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    journal.record(row("/from/parent", at=1.0))
    assert sorted(p.name for p in tmp_path.glob("*-spool-*")) == sorted(
        [f"j.journal.sqlite3-spool-{child}-0", f"j.journal.sqlite3-spool-{os.getpid()}-0"])
    assert [e["path"] for e in journal.entries({})] == ["/from/parent", "/from/child"]
    assert [p.name for p in tmp_path.glob("*-spool-*")] == [f"j.journal.sqlite3-spool-{os.getpid()}-0"]


def test_a_torn_last_line_is_left_until_it_is_complete(tmp_path):
    path = str(tmp_path / "j.journal.sqlite3")
    journal = Journal(path, 100)
    journal.record(row("/whole"))
    with open(f"{path}-spool-{os.getpid()}-0", "ab") as spool:
        spool.write(b'[2.0,"other","GET","/torn"')
    assert [e["path"] for e in journal.entries({})] == ["/whole"]
    with open(f"{path}-spool-{os.getpid()}-0", "ab") as spool:
        spool.write(b',"",{},null,404,0.1,null]\n')
    assert [e["path"] for e in journal.entries({})] == ["/whole", "/torn"]


def test_a_killed_worker_torn_line_is_dropped_with_its_file(tmp_path):
    path = str(tmp_path / "j.journal.sqlite3")
    journal = Journal(path, 100)
    child = os.fork()
    if child == 0:
        Journal(path, 100).record(row("/before/kill"))
        with open(f"{path}-spool-{os.getpid()}-0", "ab") as spool:
            spool.write(b'[3.0,"other","GET","/half')
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(child, 0)
    assert [e["path"] for e in journal.entries({})] == ["/before/kill"]
    assert list(tmp_path.glob("*-spool-*")) == []


def test_a_worker_moves_to_new_files_and_deletes_old_ones_nobody_read(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_spool, "SEGMENT", 10)
    path = str(tmp_path / "j.journal.sqlite3")
    journal = Journal(path, 25)            # keeps 25 // 10 + 2 = 4 files: every entry of the latest 25
    for n in range(65):
        journal.record(row(f"/n/{n}", at=float(n)))
    pid = os.getpid()
    assert sorted(p.name for p in tmp_path.glob("*-spool-*")) == [f"j.journal.sqlite3-spool-{pid}-{n}" for n in (3, 4, 5, 6)]
    assert [e["path"] for e in journal.entries({})] == [f"/n/{n}" for n in range(40, 65)]
    # read to the end: the finished files go, the one still written stays
    assert [p.name for p in tmp_path.glob("*-spool-*")] == [f"j.journal.sqlite3-spool-{pid}-6"]
    for n in range(65, 72):
        journal.record(row(f"/n/{n}", at=float(n)))
    assert [e["path"] for e in journal.entries({})] == [f"/n/{n}" for n in range(47, 72)]
    assert sorted(p.name for p in tmp_path.glob("*-spool-*")) == [f"j.journal.sqlite3-spool-{pid}-7"]
