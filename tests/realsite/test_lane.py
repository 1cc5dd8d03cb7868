"""The lane says plainly, and passes, when it cannot run here."""
import os
import subprocess
import sys
from pathlib import Path

from realsite import lane

ROOT = Path(__file__).resolve().parents[2]


def test_no_archives_is_a_plain_skip(tmp_path):
    done = subprocess.run([sys.executable, "-m", "realsite", "run", "--pmpro-archive", str(tmp_path / "none.zip"),
                           "--abilities-archive", str(tmp_path / "none.tar.gz")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED, cannot run here: no plugin archives" in done.stdout
    assert "PMPRO_ARCHIVE" in done.stdout


def test_not_root_is_a_plain_skip(tmp_path, monkeypatch):
    archives = [tmp_path / "pmpro.zip", tmp_path / "abilities.zip"]
    for path in archives:
        path.write_bytes(b"PK")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert lane.cannot_run(*archives).startswith("not root")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lane.cannot_run(*archives) is None or "apt-get" in lane.cannot_run(*archives)
