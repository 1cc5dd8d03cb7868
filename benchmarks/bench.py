"""`make bench`: the mock and its peers, side by side, every row measured in the same run.

Run: .venv/bin/python benchmarks/bench.py [--seconds 3] [--rounds 2] [--workers 2] [--only NAME,...]
                                          [--workloads NAME,...] [--out bench-results]

Every server is started once; then, round after round, each workload is loaded against each
server in turn with wrk (``-t2 -c16``), so the machine's other load falls on every row alike.
Each row reports the median over rounds of requests/s and of the p50/p99 latencies. The
servers, all on 127.0.0.1:

- membermock: ``membermock serve --workers N`` (its production settings: gunicorn's sync
  workers, N of them); membermock (granian): the same app under granian, the server measured
  against it (faster on reads, but without the socket the drop and reset faults need, and slower
  to deliver webhooks under load: docs/performance.md);
- raw WSGI: a bare WSGI callable returning the mock's answer as fixed bytes, under gunicorn (the
  limit of the mock's server) and granian;
- minimal Flask: the smallest Flask app returning the same bytes, under gunicorn and granian;
- Prism static / dynamic: ``prism mock [-d]`` on a self-contained copy of the same OpenAPI
  document (``benchmarks/bundle.py``);
- WireMock: the standalone jar of the ``wiremock`` npm package on Debian's headless JRE, one
  stub per workload answering the mock's bytes.

Output: a table on screen, ``OUT/bench.json`` and ``OUT/bench.png``. Figures depend on the
machine; the ratios to the mock's row are what compares.
"""
from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import bundle  # noqa: E402
from mock_server.serve import WORKER_SETTINGS  # noqa: E402
from tests.server.harness import ADMIN_PASSWORD, API_KEY, free_port  # noqa: E402

CACHE = ROOT / ".bench"
NPM_BIN = CACHE / "npm" / "node_modules" / ".bin"
BIN = Path(sys.executable).parent
MP = {"MEMBERPRESS-API-KEY": API_KEY}
ADMIN = {"Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()}


@dataclasses.dataclass
class Workload:
    name: str
    label: str
    api: str                 # which OpenAPI document serves it (for Prism)
    method: str
    path: str                # with the query
    headers: dict
    body: dict | None = None

    @property
    def route(self) -> str:
        return self.path.split("?")[0]


def workloads(mock_base: str) -> list[Workload]:
    """The five requests, with ids read from the seeded mock (the busiest member of the first 100)."""
    get = lambda path, headers: requests.get(mock_base + path, headers=headers, timeout=30).json()  # noqa: E731
    members = get("/wp-json/mp/v1/members?per_page=100", MP)
    member = max(members, key=lambda m: len(m["recent_transactions"]) + len(m["active_memberships"]))
    membership = get("/wp-json/mp/v1/memberships?per_page=1", MP)[0]["id"]
    plan_id = get("/wp-json/wp-abilities/v1/abilities/woocommerce-memberships/plans-list/run", ADMIN)[0]["id"]
    return [
        Workload("get_member", "GET one member", "memberpress", "GET", f"/wp-json/mp/v1/members/{member['id']}", MP),
        Workload("list_members", "GET a list of 10", "memberpress", "GET", "/wp-json/mp/v1/members?per_page=10", MP),
        Workload("post_transaction", "POST a transaction", "memberpress", "POST", "/wp-json/mp/v1/transactions",
                 {**MP, "Content-Type": "application/json"},
                 {"member": member["id"], "membership": membership, "amount": "19.00", "total": "19.00",
                  "status": "complete", "gateway": "manual"}),
        Workload("pmpro_access", "PMPro has_membership_access", "pmpro", "GET",
                 f"/wp-json/pmpro/v1/has_membership_access?post_id=1&user_id={member['id']}", ADMIN),
        Workload("ability_run", "abilities run (plans-get)", "wc-memberships", "GET",
                 f"/wp-json/wp-abilities/v1/abilities/woocommerce-memberships/plans-get/run?input={plan_id}", ADMIN),
    ]


# -- servers ------------------------------------------------------------------------------------

class Process:
    """A server process in its own process group, stopped with its children."""

    def __init__(self, name: str, args: list[str], port: int, env=None, cwd=ROOT, ready_path="/"):
        self.name, self.args, self.port, self.env, self.cwd, self.ready_path = name, args, port, env, cwd, ready_path
        self.base = f"http://127.0.0.1:{port}"
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name.split()[0]}-", suffix=".log", delete=False)

    def start(self, timeout: float = 240) -> "Process":
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, env={**os.environ, **(self.env or {})},
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                requests.get(self.base + self.ready_path, timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Server:
    """One row of the table: how to start it and which URL serves a workload."""

    def __init__(self, name: str, processes: dict[str, Process], headers: bool = True):
        self.name, self.processes, self.send_headers = name, processes, headers

    def target(self, w: Workload) -> tuple[str, dict] | None:
        process = self.processes.get(w.api) or self.processes.get("*")
        if process is None:
            return None
        return process.base + w.path, (w.headers if self.send_headers else
                                       {k: v for k, v in w.headers.items() if k == "Content-Type"})


def capture(mock_base: str, loads: list[Workload]) -> dict:
    """The mock's answer to each workload: what the fixed-bytes references and WireMock return."""
    out = {}
    for w in loads:
        r = requests.request(w.method, mock_base + w.path, headers=w.headers, json=w.body, timeout=30)
        if r.status_code >= 300:
            raise RuntimeError(f"the mock answered {r.status_code} to {w.label}: {r.text[:200]}")
        out[f"{w.method} {w.route}"] = {"status": r.status_code, "body": r.text}
    return out


def wiremock_root(folder: Path, loads: list[Workload], answers: dict) -> Path:
    mappings = folder / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    for w in loads:
        answer = answers[f"{w.method} {w.route}"]
        stub = {"request": {"method": w.method, "urlPath": w.route},
                "response": {"status": answer["status"], "body": answer["body"],
                             "headers": {"Content-Type": "application/json"}}}
        (mappings / f"{w.name}.json").write_text(json.dumps(stub), encoding="utf-8")
    return folder


def start_servers(args, work: Path) -> tuple[list[Server], list[Workload], list[Process]]:
    from mock_server.app import prepare
    from mock_server.config import Config

    started: list[Process] = []

    def run(process: Process) -> Process:
        started.append(process)
        return process.start()

    n = str(args.workers)
    mock_db = work / "mock.sqlite3"
    port = free_port()
    mock = run(Process("membermock", [str(BIN / "membermock"), "serve", "--port", str(port), "--db", str(mock_db),
                                      "--workers", n, "--mp-api-key", API_KEY, "--admin-app-password", ADMIN_PASSWORD],
                       port, ready_path="/__mock__/health"))
    loads = [w for w in workloads(mock.base) if not args.workloads or w.name in args.workloads]
    answers = capture(mock.base, loads)
    bodies = work / "bodies.json"
    bodies.write_text(json.dumps(answers), encoding="utf-8")
    env = {"BENCH_BODIES": str(bodies), "PYTHONPATH": str(ROOT)}

    servers = [Server("membermock", {"*": mock})]
    want = lambda name: not args.only or name in args.only  # noqa: E731

    if want("membermock (granian)"):
        config = Config(db=str(work / "granian.sqlite3"), mp_api_key=API_KEY, admin_app_password=ADMIN_PASSWORD)
        prepare(config)  # seeded once, before the workers start, as serve does
        port = free_port()
        p = run(Process("membermock (granian)", [str(BIN / "granian"), "--interface", "wsgi", "--workers", n,
                                                 "--blocking-threads", "1", "--port", str(port), "--no-ws",
                                                 "--log-level", "warning", "--factory", "mock_server.wsgi:app"], port,
                        env={"MEMBERMOCK_CONFIG": json.dumps(dataclasses.asdict(config))},
                        ready_path="/__mock__/health"))
        servers.append(Server("membermock (granian)", {"*": p}))
    for name, target, server in (("raw WSGI (gunicorn)", "benchmarks.reference_apps:raw", "gunicorn"),
                                 ("raw WSGI (granian)", "benchmarks.reference_apps:raw", "granian"),
                                 ("minimal Flask (gunicorn)", "benchmarks.reference_apps:flask_app", "gunicorn"),
                                 ("minimal Flask (granian)", "benchmarks.reference_apps:flask_app", "granian")):
        if not want(name):
            continue
        port = free_port()
        if server == "granian":
            argv = [str(BIN / "granian"), "--interface", "wsgi", "--workers", n, "--blocking-threads", "1",
                    "--port", str(port), "--no-ws", "--log-level", "warning", target]
        else:
            argv = [str(BIN / "gunicorn"), "-w", n, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                    "-k", WORKER_SETTINGS["worker_class"], "--threads", str(WORKER_SETTINGS["threads"]),
                    "--keep-alive", str(WORKER_SETTINGS["keepalive"]), target]
        servers.append(Server(name, {"*": run(Process(name, argv, port, env=env))}))
    if want("WireMock"):
        jar = next((CACHE / "npm" / "node_modules" / "wiremock").rglob("wiremock-standalone-*.jar"), None)
        if jar is None:
            print("WireMock: jar not found (make bench installs it); row skipped", file=sys.stderr)
        else:
            port = free_port()
            root = wiremock_root(work / "wiremock", loads, answers)
            p = run(Process("WireMock", ["java", "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1",
                                         "--root-dir", str(root), "--disable-banner", "--no-request-journal"],
                            port, ready_path="/__admin/health"))
            servers.append(Server("WireMock", {"*": p}))
    for dynamic in (False, True):
        name = "Prism dynamic" if dynamic else "Prism static"
        if not want(name):
            continue
        if not (NPM_BIN / "prism").exists():
            print(f"{name}: prism not found (make bench installs it); row skipped", file=sys.stderr)
            continue
        processes = {}
        for api in sorted({w.api for w in loads}):
            doc = bundle.write(api, work / f"{api}.json")
            port = free_port()
            processes[api] = run(Process(f"{name} {api}", [str(NPM_BIN / "prism"), "mock", "-h", "127.0.0.1", "-p",
                                                          str(port), *(["-d"] if dynamic else []), "--errors", "false",
                                                          "-v", "silent", str(doc)], port))
        servers.append(Server(name, processes))
    return servers, loads, started


# -- load ---------------------------------------------------------------------------------------

def lua(w: Workload, headers: dict, folder: Path) -> Path:
    lines = [f'wrk.method = "{w.method}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    if w.body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(w.body))}")
    path = folder / f"{w.name}-{abs(hash(tuple(headers.items())))}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ms(text: str) -> float | None:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not found:
        return None
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}[unit]


def wrk(url: str, script: Path, seconds: float) -> dict:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--timeout", "10s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        return {"rps": 0.0, "p50_ms": None, "p99_ms": None, "non2xx": None, "errors": out[-300:]}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50, p99 = re.search(r"50%\s+(\S+)", out), re.search(r"99%\s+(\S+)", out)
    return {"rps": float(found.group(1)), "p50_ms": _ms(p50.group(1)) if p50 else None,
            "p99_ms": _ms(p99.group(1)) if p99 else None,
            "non2xx": int(bad.group(1)) if bad else 0, "errors": errors.group(1) if errors else None}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def measure(servers: list[Server], loads: list[Workload], args, work: Path) -> dict:
    runs: dict = {w.name: {s.name: [] for s in servers} for w in loads}
    for round_no in range(1, args.rounds + 1):
        for w in loads:
            for s in servers:
                target = s.target(w)
                if target is None:
                    continue
                url, headers = target
                for _ in range(1):  # warm: JIT (WireMock), caches (membermock), connections
                    wrk(url, lua(w, headers, work), 1)
                r = wrk(url, lua(w, headers, work), args.seconds)
                runs[w.name][s.name].append(r)
                print(f"  round {round_no}  {w.name:17s} {s.name:26s} {r['rps']:10.0f} req/s", flush=True)
    results = {}
    for w in loads:
        rows = {}
        for name, rs in runs[w.name].items():
            if rs:
                rows[name] = {"rps": median([r["rps"] for r in rs]), "p50_ms": median([r["p50_ms"] for r in rs]),
                              "p99_ms": median([r["p99_ms"] for r in rs]),
                              "non2xx": sum(r["non2xx"] or 0 for r in rs), "rounds": [r["rps"] for r in rs]}
        results[w.name] = {"label": w.label, "request": f"{w.method} {w.path}", "servers": rows}
    return results


# -- report -------------------------------------------------------------------------------------

TARGETS = [("minimal Flask (gunicorn)", 0.8), ("WireMock", 1.2), ("Prism dynamic", 30.0)]


def table(results: dict) -> str:
    lines = []
    for name, w in results.items():
        rows = w["servers"]
        mock = rows.get("membermock", {}).get("rps") or 0
        lines.append(f"\n{w['label']}  ({w['request']})")
        lines.append(f"  {'server':26s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s} {'mock/this':>10s}")
        for server, r in sorted(rows.items(), key=lambda kv: -kv[1]["rps"]):
            ratio = f"{mock / r['rps']:.2f}x" if r["rps"] >= 1 else "-"
            p50 = f"{r['p50_ms']:.2f}" if r["p50_ms"] is not None else "-"
            p99 = f"{r['p99_ms']:.2f}" if r["p99_ms"] is not None else "-"
            lines.append(f"  {server:26s} {r['rps']:9.0f} {p50:>8s} {p99:>8s} {r['non2xx']:>8d} {ratio:>10s}")
    get = results.get("get_member", {}).get("servers", {})
    if "membermock" in get:
        lines.append("\nTargets for GET one member (membermock / peer, same run):")
        for peer, goal in TARGETS:
            if peer not in get:
                continue
            if not get[peer]["rps"]:  # not one answer within the run's seconds
                lines.append(f"  vs {peer:26s} {'inf':>7s}   (goal >= {goal}x: met; it completed no request)")
                continue
            ratio = get["membermock"]["rps"] / get[peer]["rps"]
            lines.append(f"  vs {peer:26s} {ratio:7.2f}x  (goal >= {goal}x: {'met' if ratio >= goal else 'NOT met'})")
    return "\n".join(lines)


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    servers = sorted({s for w in results.values() for s in w["servers"]},
                     key=lambda s: -(results[names[0]]["servers"].get(s, {}).get("rps") or 0))
    width = 0.8 / max(len(servers), 1)
    fig, ax = plt.subplots(figsize=(13, 6))
    for i, server in enumerate(servers):
        values = [results[n]["servers"].get(server, {}).get("rps") or 0 for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=server)
    ax.set_xticks([x + width * (len(servers) - 1) / 2 for x in range(len(names))])
    ax.set_xticklabels([results[n]["label"] for n in names])
    ax.set_yscale("log")
    ax.set_ylabel("requests/s (log scale)")
    ax.set_title("membermock and its peers, same run, wrk -t2 -c16")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.07))
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", type=lambda s: [x.strip() for x in s.split(",") if x.strip()], default=[],
                        help="servers besides membermock, by row name")
    parser.add_argument("--workloads", type=lambda s: [x.strip() for x in s.split(",")], default=[])
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found (make bench installs it)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="membermock-bench-"))
    started: list[Process] = []
    try:
        print("starting servers ...", flush=True)
        servers, loads, started = start_servers(args, work)
        print(f"{len(servers)} servers, {len(loads)} workloads, {args.rounds} round(s) of {args.seconds:g} s each",
              flush=True)
        results = measure(servers, loads, args, work)
    finally:
        for process in reversed(started):
            process.stop()
    report = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
              "settings": {"seconds": args.seconds, "rounds": args.rounds, "workers": args.workers,
                           "wrk": "-t2 -c16"}, "workloads": results}
    (out / "bench.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    text = table(results)
    print(text)
    (out / "bench.txt").write_text(text + "\n", encoding="utf-8")
    chart(results, out / "bench.png")
    print(f"\nwritten: {out / 'bench.json'}, {out / 'bench.txt'}, {out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
