"""`membermock validate` as QA runs it: a real process, real files, exit codes."""
import json
import shutil
import subprocess
import sys
from pathlib import Path


from tests.samples.corpus import SAMPLES_DIR, load_manifest

EXE = shutil.which("membermock") or str(Path(sys.executable).with_name("membermock"))
EVENT_SAMPLES = [SAMPLES_DIR / e["file"] for e in load_manifest() if e["schema"].startswith("memberpress.events.")]


def run(*args):
    return subprocess.run([EXE, "validate", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_list_names_the_contracts():
    out = run("--list")
    assert out.returncode == 0
    names = out.stdout.split()
    assert {"memberpress.event", "memberpress.member", "pmpro.level", "wc.plan"} <= set(names)
    assert not any(n.startswith("common.") for n in names)


def test_all_38_event_samples_validate_as_memberpress_event():
    assert len(EVENT_SAMPLES) == 38
    out = run("memberpress.event", *EVENT_SAMPLES)
    assert out.returncode == 0, out.stdout
    assert "38 of 38 valid" in out.stderr


def test_event_whose_data_does_not_match_is_rejected(tmp_path):
    by_event = {json.loads(p.read_text())["event"]: json.loads(p.read_text()) for p in EVENT_SAMPLES}
    forged = dict(by_event["member-added"], data=by_event["transaction-completed"]["data"])
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(forged))
    out = run("memberpress.event", bad)
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if line.startswith(str(bad))]
    assert lines, out.stdout
    assert any("$.data" in line and "[" in line for line in lines), out.stdout


def test_unreadable_json_and_unknown_kind(tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    out = run("memberpress.member", junk)
    assert out.returncode == 1 and "not readable JSON" in out.stdout
    out = run("no.such.kind", junk)
    assert out.returncode == 2 and "--list" in out.stderr
