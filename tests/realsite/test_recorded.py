"""The differential, offline: the real site's recorded answers against a live `membermock serve`.

`python -m realsite run --record tests/realsite/recorded` (as root, with the plugin archives)
saves the real site's data (as a scenario) and its answer to every request of the list. Here the
mock is started from that scenario and sent the same list, so every `make test`, with no root and
no WordPress, checks the mock still answers as the real plugins did: every difference must be one
docs/realsite.md explains, as in the lane itself.
"""
import json
from pathlib import Path

import pytest

from realsite import differential, lane
from realsite.requests import all_requests
from tests.server.harness import running

RECORDED = Path(__file__).parent / "recorded"


def _load(name):
    path = RECORDED / name
    if not path.exists():
        pytest.skip(f"no recording ({path}); make one with python -m realsite run --record {RECORDED}")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_mock_answers_as_the_recorded_real_site(tmp_path):
    snap, ids, answers = _load("scenario.json"), _load("ids.json"), _load("real-answers.json")
    reqs = all_requests()
    stale = sorted({r.name for r in reqs} ^ {a["name"] for a in answers})
    assert not stale, f"the request list changed since the recording; re-record ({stale[:5]})"
    with running(tmp_path / "mock.sqlite3", extra=["--scenario", str(RECORDED / "scenario.json")]) as server:
        mock = lane.side("mock", server.base, snap, ids)
        rows = differential.run(differential.Recorded(answers), mock, reqs)
    summary = differential.summary(rows)
    print(f"\nrecorded differential: {summary}")
    unexplained = [f"{r.req.name}: {r.diffs}" for r in rows if r.verdict == "UNEXPLAINED"]
    assert not unexplained, "\n".join(unexplained)
    assert summary["identical"] >= len(rows) - len(differential.known())
