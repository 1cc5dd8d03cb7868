"""The real-site lane: build a real WordPress site, check it with the conformance suite, and
compare the mock with it request by request.

    python -m realsite [run]        build a site on free loopback ports, run both checks, stop it
    python -m realsite build DIR    only build and start a site (realsite/build-site.sh)
    python -m realsite diff DIR URL [--mock URL]
                                    differential against a running site (and mock, or one started here)
    python -m realsite conformance DIR URL
                                    the conformance suite (pmpro, wc-memberships) against a running site

``run`` says plainly, and exits 0, when it cannot run here: not root (apt-get, MariaDB), or no
plugin archives. It exits 1 when a check fails: a conformance failure, or a difference between
the mock and the real site that docs/realsite.md does not explain.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import requests as http

from realsite import abilities_php, differential, scenario
from realsite.requests import all_requests, coverage

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "realpeer"
DEFAULT_PMPRO = SHARED / "paid-memberships-pro.tar.gz"
DEFAULT_ABILITIES = SHARED / "abilities-api.tar.gz"
APIS = ("pmpro", "wc-memberships")


def log(message: str) -> None:
    print(f"[realsite] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cannot_run(pmpro: Path, abilities: Path) -> str | None:
    """Why this machine cannot run the lane, or None."""
    missing = [str(p) for p in (pmpro, abilities) if not p.is_file()]
    if missing:
        return (f"no plugin archives ({', '.join(missing)}); set PMPRO_ARCHIVE and ABILITIES_ARCHIVE to the "
                f"plugin zips from wordpress.org")
    if os.geteuid() != 0:
        return "not root: building the site installs Debian packages (apt-get) and runs its own MariaDB"
    if not shutil.which("apt-get") and not shutil.which("php"):
        return "no apt-get and no PHP: the lane needs Debian (12) or the packages build-site.sh lists"
    return None


# -- the real site -------------------------------------------------------------------------------

def build(directory: Path, pmpro: Path, abilities: Path, http_port: int, db_port: int) -> str:
    """Build and start a site in ``directory``; returns its base URL."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    plugin = directory.parent / f"{directory.name}-wc-abilities.php"
    plugin.write_text(abilities_php.render(), encoding="utf-8")
    env = {**os.environ, "HTTP_PORT": str(http_port), "DB_PORT": str(db_port), "PMPRO_ARCHIVE": str(pmpro),
           "ABILITIES_ARCHIVE": str(abilities), "WC_ABILITIES_PHP": str(plugin)}
    done = subprocess.run(["bash", str(HERE / "build-site.sh"), str(directory)], env=env,
                          capture_output=True, text=True)
    (directory.parent / f"{directory.name}-build.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"build-site.sh failed:\n{(done.stdout + done.stderr)[-3000:]}")
    log(done.stdout.strip().splitlines()[-1])
    return f"http://127.0.0.1:{http_port}"


def stop_site(directory: Path) -> None:
    stop = directory / "stop.sh"
    if stop.exists():
        subprocess.run(["bash", str(stop)], capture_output=True)


# -- the mock --------------------------------------------------------------------------------------

class Mock:
    """``membermock serve`` on a free port, seeded with the real site's scenario."""

    def __init__(self, workdir: Path, scenario_file: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "mock.log"
        self.args = [sys.executable, "-m", "membermock.cli", "serve", "--port", str(self.port),
                     "--db", str(workdir / "mock.sqlite3"), "--scenario", str(scenario_file)]
        self.proc = None

    def __enter__(self) -> "Mock":
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                         cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the mock exited: {self.log.read_text()[-2000:]}")
            try:
                if http.get(f"{self.base_url}/__mock__/health", timeout=2).status_code == 200:
                    return self
            except http.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the mock did not answer in 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# -- the two checks ------------------------------------------------------------------------------

def side(name: str, base_url: str, snapshot: dict, ids: dict) -> differential.Side:
    """One side of the comparison; both speak as the site's admin and its subscriber alice."""
    users = snapshot["users"]
    return differential.Side(name, base_url, ("admin", users["admin"]["app_password"]),
                             ("alice", users["alice"]["app_password"]), scenario.context(ids))


def run_differential(site: scenario.RealSite, workdir: Path, mock_url: str | None = None,
                     record: Path | None = None) -> list[differential.Row]:
    reqs = all_requests()
    gaps = coverage(reqs)
    if gaps:
        raise RuntimeError("the request list misses: " + ", ".join(gaps))
    snap = scenario.snapshot(site)
    scenario_file = workdir / "scenario.json"
    scenario_file.write_text(json.dumps(snap, indent=1, ensure_ascii=False), encoding="utf-8")
    real = side("real", site.base_url, snap, site.ids)
    if mock_url:
        rows = differential.run(real, side("mock", mock_url, snap, site.ids), reqs)
    else:
        with Mock(workdir, scenario_file) as mock:
            rows = differential.run(real, side("mock", mock.base_url, snap, site.ids), reqs)
    if record:
        save_recording(record, snap, site.ids, rows)
    (workdir / "differential.json").write_text(json.dumps([differential.record(r) for r in rows], indent=1,
                                                          ensure_ascii=False), encoding="utf-8")
    (workdir / "differential.md").write_text(differential.table(rows) + "\n\n" + differential.full_table(rows) + "\n",
                                             encoding="utf-8")
    return rows


def save_recording(folder: Path, snap: dict, ids: dict, rows: list[differential.Row]) -> None:
    """The real site's data and answers, for tests/realsite/test_recorded.py to replay against the
    mock in every `make test` (no root, no real site needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    dump = lambda name, doc: (folder / name).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
                                                        encoding="utf-8")
    dump("scenario.json", snap)
    dump("ids.json", ids)
    answers = [json.dumps(differential.answer_record(r.req.name, r.real), ensure_ascii=False) for r in rows]
    (folder / "real-answers.json").write_text("[\n" + ",\n".join(answers) + "\n]\n", encoding="utf-8")  # one a line
    log(f"recorded the real site's data and answers in {folder}")


def run_conformance(site: scenario.RealSite, workdir: Path, api: str, max_examples: int = 25) -> dict:
    """One API's conformance run against the real site; its outcome read from the JUnit file."""
    junit, report = workdir / f"conformance-{api}.xml", workdir / f"conformance-{api}.md"
    args = [sys.executable, "-m", "membermock.cli", "conformance", "--base-url", site.base_url, "--api", api,
            "--wp-user", "admin", "--wp-app-password", site.app_password("admin"),
            "--wp-subscriber", f"alice:{site.app_password('alice')}", "--allow-irreversible",
            "--max-examples", str(max_examples), "--junit-xml", str(junit), "--report", str(report)]
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    (workdir / f"conformance-{api}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    outcome = junit_outcome(junit) if junit.exists() else {"tests": 0, "failures": 0, "skipped": 0, "skips": [],
                                                           "failed": ["no JUnit file: " + done.stderr[-500:]]}
    return {**outcome, "api": api, "exit": done.returncode, "seconds": round(time.monotonic() - started)}


def junit_outcome(path: Path) -> dict:
    tests = failures = skipped = 0
    skips, failed = [], []
    for case in ET.parse(path).getroot().iter("testcase"):
        tests += 1
        name = f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
        for tag in ("failure", "error"):
            node = case.find(tag)
            if node is not None:
                failures += 1
                failed.append(f"{name}: {(node.get('message') or '').splitlines()[0][:300]}")
        node = case.find("skipped")
        if node is not None:
            skipped += 1
            skips.append(f"{name}: {(node.get('message') or '').removeprefix('Skipped: ')[:300]}")
    return {"tests": tests, "failures": failures, "skipped": skipped, "skips": skips, "failed": failed}


def conformance_lines(result: dict) -> list[str]:
    lines = [f"conformance {result['api']}: {result['tests']} tests, {result['failures']} failed, "
             f"{result['skipped']} skipped (exit {result['exit']}, {result['seconds']} s)"]
    lines += [f"  FAILED {f}" for f in result["failed"]]
    lines += [f"  skipped {s}" for s in result["skips"]]
    return lines


# -- the whole lane --------------------------------------------------------------------------------

def run(args) -> int:
    started = time.monotonic()
    pmpro = Path(args.pmpro_archive).expanduser()
    abilities = Path(args.abilities_archive).expanduser()
    reason = cannot_run(pmpro, abilities)
    if reason:
        log(f"SKIPPED, cannot run here: {reason}")
        return 0
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="membermock-realsite-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    directory = workdir / "site"
    http_port, db_port = args.http_port or free_port(), args.db_port or free_port()
    log(f"building the real site in {directory} (http :{http_port}, MariaDB :{db_port}) from {pmpro.name} "
        f"and {abilities.name}")
    try:
        base_url = build(directory, pmpro, abilities, http_port, db_port)
        built = time.monotonic()
        site = scenario.RealSite(directory, base_url)
        log("differential: the request list against the real site and the mock")
        rows = run_differential(site, workdir, record=Path(args.record).resolve() if args.record else None)
        results = []
        for api in APIS:
            log(f"conformance --api {api} against the real site")
            results.append(run_conformance(site, workdir, api, args.max_examples))
    finally:
        if not args.keep:
            stop_site(directory)
    lines = ["", "== real-site lane =="]
    lines += [line for r in results for line in conformance_lines(r)]
    s = differential.summary(rows)
    lines += [f"differential: {s['requests']} requests, {s['identical']} identical, {s['differing']} differing "
              f"({s['explained']} explained in docs/realsite.md, {s['unexplained']} unexplained)"]
    lines += [f"  UNEXPLAINED {r.req.name} ({r.req.label}): " + "; ".join(f"{k}: {v}" for k, v in r.diffs.items())
              for r in rows if r.verdict == "UNEXPLAINED"]
    lines += [f"time: {round(time.monotonic() - started)} s in all, of which building the site "
              f"{round(built - started)} s; details in {workdir}"]
    report = "\n".join(lines)
    print(report, flush=True)
    (workdir / "summary.txt").write_text(report + "\n\n" + differential.table(rows) + "\n", encoding="utf-8")
    ok = all(r["exit"] == 0 for r in results) and s["unexplained"] == 0
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m realsite", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command")
    r = sub.add_parser("run", help="build a site, run conformance and the differential (default)")
    for q in (p, r):
        q.add_argument("--pmpro-archive", default=os.environ.get("PMPRO_ARCHIVE", str(DEFAULT_PMPRO)))
        q.add_argument("--abilities-archive", default=os.environ.get("ABILITIES_ARCHIVE", str(DEFAULT_ABILITIES)))
        q.add_argument("--workdir", help="keep the site, logs and reports here (default: a new temporary folder)")
        q.add_argument("--http-port", type=int, default=int(os.environ.get("HTTP_PORT", 0)) or None)
        q.add_argument("--db-port", type=int, default=int(os.environ.get("DB_PORT", 0)) or None)
        q.add_argument("--max-examples", type=int, default=25, help="conformance: generated requests per operation")
        q.add_argument("--keep", action="store_true", help="leave the site running afterwards")
        q.add_argument("--record", metavar="DIR",
                       help="also save the real site's data and answers (tests/realsite/recorded) for the offline replay")
    b = sub.add_parser("build", help="only build and start a site")
    b.add_argument("dir")
    b.add_argument("--pmpro-archive", default=os.environ.get("PMPRO_ARCHIVE", str(DEFAULT_PMPRO)))
    b.add_argument("--abilities-archive", default=os.environ.get("ABILITIES_ARCHIVE", str(DEFAULT_ABILITIES)))
    b.add_argument("--http-port", type=int, required=True)
    b.add_argument("--db-port", type=int, required=True)
    d = sub.add_parser("diff", help="the differential against a running site")
    d.add_argument("dir")
    d.add_argument("url")
    d.add_argument("--mock", help="a running mock already seeded with the site's scenario")
    c = sub.add_parser("conformance", help="the conformance suite against a running site")
    c.add_argument("dir")
    c.add_argument("url")
    c.add_argument("--api", choices=APIS, action="append")
    c.add_argument("--max-examples", type=int, default=25)
    args = p.parse_args(argv)
    if args.command in (None, "run"):
        return run(args)
    if args.command == "build":
        print(build(Path(args.dir).resolve(), Path(args.pmpro_archive), Path(args.abilities_archive),
                    args.http_port, args.db_port))
        return 0
    site = scenario.RealSite(Path(args.dir), args.url)
    workdir = Path(tempfile.mkdtemp(prefix="membermock-realsite-"))
    if args.command == "diff":
        rows = run_differential(site, workdir, args.mock)
        print(differential.table(rows))
        print(f"(every request: {workdir / 'differential.md'})")
        return 0 if differential.summary(rows)["unexplained"] == 0 else 1
    results = [run_conformance(site, workdir, api, args.max_examples) for api in (args.api or APIS)]
    print("\n".join(line for r in results for line in conformance_lines(r)))
    return max(r["exit"] for r in results)
