"""Outcomes per test, operation and event, and the Markdown report with coverage.

Coverage is measured, not declared: an operation counts as exercised when a response to it was
seen on the wire during the run, and a status code when a response carried it; both are counted
out of what the OpenAPI documents declare.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance import contract

LABEL = re.compile(r"\[((?:GET|POST|PUT|PATCH|DELETE) [^\]]+)\]")


@dataclass
class Outcome:
    nodeid: str
    api: str | None
    operations: tuple[str, ...]
    events: tuple[str, ...]
    outcome: str = "passed"
    message: str = ""
    duration: float = 0.0
    properties: dict = field(default_factory=dict)   # what a test noted (``note``), e.g. an event's cause


@dataclass
class Run:
    started: float = field(default_factory=time.time)
    tests: dict = field(default_factory=dict)


RUN = Run()
NOTES = pytest.StashKey[dict]()


def note(item, key: str, value: str) -> None:
    """Something a test knows only as it runs (what caused a webhook event), for the report; kept
    out of the JUnit XML, whose xunit2 schema has no per-test properties."""
    item.stash.setdefault(NOTES, {})[key] = value


def _operations(item) -> tuple[str, ...]:
    found = []
    marker = item.get_closest_marker("covers")
    if marker:
        found.extend(marker.args)
    label = LABEL.search(item.name)
    if label and label.group(1) in contract.labels():
        found.append(contract.labels()[label.group(1)].op_id)
    return tuple(found)


def _message(rep) -> str:
    if rep.skipped and isinstance(rep.longrepr, tuple):
        return str(rep.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(rep.longrepr, "reprcrash", None)
    text = crash.message if crash else str(rep.longrepr or "")
    # Hypothesis wraps a failure it could not replay ("Flaky") in its repr; keep the message.
    flaky = re.match(r"""^Nonconformance\((['"])(.*)\1\)( \[single exception in \w+\])?$""", text.strip(), re.S)
    if flaky:
        text = flaky.group(2).replace("\\n", "\n").replace("\\'", "'")
    return text.strip().removeprefix("conformance.checking.Nonconformance: ")


def record(item, rep) -> None:
    if rep.when == "call" or rep.outcome != "passed":
        api_marker = item.get_closest_marker("api")
        event_marker = item.get_closest_marker("event")
        key = item.nodeid if item.name in item.nodeid else f"{item.nodeid.rsplit('::', 1)[0]}::{item.name}"
        entry = RUN.tests.get(key) or Outcome(
            key, api_marker.args[0] if api_marker else None, _operations(item),
            tuple(event_marker.args) if event_marker else ())
        if entry.outcome == "passed" or rep.outcome != "passed":
            entry.outcome = rep.outcome if not (rep.when == "teardown" and rep.outcome == "failed") else "error"
            if rep.outcome != "passed":
                entry.message = _message(rep)
        entry.duration += rep.duration
        entry.properties.update(item.stash.get(NOTES, {}))
        RUN.tests[key] = entry


def _verdict(outcomes: list[str]) -> str:
    if not outcomes:
        return "not tested"
    for word in ("failed", "error"):
        if word in outcomes:
            return "FAIL"
    if "passed" in outcomes:
        return "pass"
    return "skipped"


def coverage(target) -> dict:
    ops_total = ops_seen = codes_total = codes_seen = 0
    per_api = {}
    for api in target.options.apis:
        a = {"ops": 0, "ops_seen": 0, "codes": 0, "codes_seen": 0}
        for op in contract.operations(api):
            seen = target.ledger.statuses.get((api, op.op_id), set())
            a["ops"] += 1
            a["ops_seen"] += bool(seen)
            a["codes"] += len(op.statuses)
            a["codes_seen"] += len(seen & set(op.statuses))
        per_api[api] = a
        ops_total += a["ops"]; ops_seen += a["ops_seen"]
        codes_total += a["codes"]; codes_seen += a["codes_seen"]
    from conformance import coverage as why
    missing = why.unseen(target)
    for api, a in per_api.items():
        a["unaccounted"] = sum(1 for op, _, reason in missing if op.api == api and reason == why.UNACCOUNTED)
    return {"ops": ops_total, "ops_seen": ops_seen, "codes": codes_total, "codes_seen": codes_seen, "per_api": per_api,
            "unseen": missing, "unaccounted": sum(a["unaccounted"] for a in per_api.values())}


def _pct(a, b) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "0/0"


def summary_lines(target) -> list[str]:
    counts = {}
    for t in RUN.tests.values():
        counts[t.outcome] = counts.get(t.outcome, 0) + 1
    cov = coverage(target)
    left = [c for c in target.ledger.cleanups if not removed(c)]
    return [
        "conformance: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
        f"conformance coverage: operations {_pct(cov['ops_seen'], cov['ops'])}, "
        f"documented status codes {_pct(cov['codes_seen'], cov['codes'])}, "
        f"{cov['codes'] - cov['codes_seen'] - cov['unaccounted']} more accounted for, {cov['unaccounted']} unaccounted",
        f"conformance cleanup: {len(target.ledger.cleanups)} created object(s) removed or already gone, "
        f"{len(left)} could not be removed; {target.ledger.requests} requests in all",
    ]


def removed(cleanup) -> bool:
    """Deleted now (2xx) or already gone (another 4xx: 404, or MemberPress's 409 for an unknown
    webhook); refused (401/403/405), a 5xx or no answer means it may still be there."""
    code = cleanup.outcome
    return code.isdigit() and (code.startswith("2") or code.startswith("4") and code not in ("401", "403", "405"))


def _cell(text: str, limit: int = 300) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def write(target, path: str) -> None:
    tests = list(RUN.tests.values())
    cov = coverage(target)
    counts = {}
    for t in tests:
        counts[t.outcome] = counts.get(t.outcome, 0) + 1
    failed = [t for t in tests if t.outcome in ("failed", "error")]
    lines = [
        "# Conformance report",
        "",
        f"- Server: `{target.base_url}`",
        f"- APIs: {', '.join(target.options.apis)}; max examples {target.options.max_examples}"
        f"{'; read-only' if target.options.read_only else ''}",
        f"- Duration: {time.time() - RUN.started:.0f} s; {target.ledger.requests} requests to documented "
        f"operations ({', '.join(f'{m} {n}' for m, n in sorted(target.ledger.methods.items()))})",
        f"- Verdict: **{'DOES NOT CONFORM' if failed else 'conforms'}** — "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
        "",
        "## Coverage",
        "",
        "| API | operations exercised | documented status codes exercised | not seen, with a reason | unaccounted |",
        "|---|---|---|---|---|",
    ]
    for api, a in cov["per_api"].items():
        lines.append(f"| {api} | {_pct(a['ops_seen'], a['ops'])} | {_pct(a['codes_seen'], a['codes'])} "
                     f"| {a['codes'] - a['codes_seen'] - a['unaccounted']} | {a['unaccounted']} |")
    lines.append(f"| **all** | {_pct(cov['ops_seen'], cov['ops'])} | {_pct(cov['codes_seen'], cov['codes'])} "
                 f"| {cov['codes'] - cov['codes_seen'] - cov['unaccounted']} | {cov['unaccounted']} |")
    if cov["unseen"]:
        lines += ["", "## Documented statuses not seen", "", "| operation | status | reason |", "|---|---|---|"]
        for op, status, reason in cov["unseen"]:
            lines.append(f"| {op.op_id} | {status} | {reason} |")
    if failed:
        lines += ["", "## Failures", "", "| test | operation / event | rule and detail |", "|---|---|---|"]
        for t in failed:
            where = ", ".join(t.operations + t.events) or (t.api or "-")
            lines.append(f"| `{t.nodeid.split('::', 1)[-1]}` | {where} | {_cell(t.message, 600)} |")
    for api in target.options.apis:
        lines += ["", f"## {api}: operations", "",
                  "| operation | request | result | tests | status codes seen (documented) |", "|---|---|---|---|---|"]
        for op in contract.operations(api):
            mine = [t for t in tests if op.op_id in t.operations]
            seen = sorted(target.ledger.statuses.get((api, op.op_id), set()))
            shown = ", ".join(s if s in op.statuses else f"**{s}** (undocumented)" for s in seen) or "none"
            reasons = "; ".join(sorted({_cell(t.message, 120) for t in mine if t.outcome == "skipped"}))
            verdict = _verdict([t.outcome for t in mine])
            lines.append(f"| {op.op_id} | `{op.label}` | {verdict}{': ' + reasons if verdict == 'skipped' else ''} "
                         f"| {len(mine)} | {shown} ({', '.join(op.statuses)}) |")
    events = sorted({e for t in tests for e in t.events})
    if events:
        causes = {}
        for event in events:
            cause = " and ".join(sorted({t.properties.get("cause") for t in tests if event in t.events} - {None}))
            causes[cause or "not recorded"] = causes.get(cause or "not recorded", 0) + 1
        lines += ["", "## Webhook events", "",
                  f"{len(events)} events: " + ", ".join(f"{n} {k}" for k, n in sorted(causes.items())) + ".", "",
                  "| event | result | caused by | detail |", "|---|---|---|---|"]
        for event in events:
            mine = [t for t in tests if event in t.events]
            cause = "; ".join(sorted({t.properties["cause"] for t in mine if t.properties.get("cause")}))
            detail = "; ".join(sorted({_cell(t.message or t.properties.get("changes", ""), 300) for t in mine}
                                      - {""}))
            lines.append(f"| {event} | {_verdict([t.outcome for t in mine])} | {cause or '-'} | {detail} |")
    other = [t for t in tests if not t.operations and not t.events]
    if other:
        lines += ["", "## Other tests", "", "| test | result | detail |", "|---|---|---|"]
        for t in other:
            lines.append(f"| `{t.nodeid.split('::', 1)[-1]}` | {t.outcome} | {_cell(t.message, 200)} |")
    skipped = [t for t in tests if t.outcome == "skipped"]
    if skipped:
        reasons = {}
        for t in skipped:
            reasons.setdefault(t.message, []).append(t)
        lines += ["", "## Skipped", "", "| reason | tests |", "|---|---|"]
        for reason, ts in reasons.items():
            lines.append(f"| {_cell(reason, 200)} | {len(ts)} |")
    lines += ["", "## Cleanup", ""]
    if target.ledger.cleanups:
        gone = [c for c in target.ledger.cleanups if removed(c)]
        lines.append(f"{len(gone)} object(s) the run created were deleted or already gone.")
        left = [c for c in target.ledger.cleanups if not removed(c)]
        if left:
            lines += ["", "May still be on the server:", "", "| created by | removed with | answer |", "|---|---|---|"]
            for c in left:
                lines.append(f"| {c.source} | {c.target} {c.params or ''}{c.body if c.body is not None else ''} | {c.outcome} |")
    else:
        lines.append("Nothing was created.")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- one report from several processes (membermock conformance --api all runs one per shard) ---------

def dump(target, path: str) -> None:
    """What this process saw and did, for the parent that merges the shards' runs into one report."""
    import json
    from dataclasses import asdict

    ledger = target.ledger
    state = {"started": RUN.started, "requests": ledger.requests, "methods": ledger.methods,
             "statuses": [[api, op_id, sorted(codes)] for (api, op_id), codes in ledger.statuses.items()],
             "cleanups": [asdict(c) for c in ledger.cleanups],
             "tests": [asdict(t) for t in RUN.tests.values()]}
    Path(path).write_text(json.dumps(state), encoding="utf-8")


def merge(target, paths: list) -> None:
    """Load the shards' dumps into ``target``'s ledger and this process's RUN (for ``write``)."""
    import json

    from conformance.target import Cleanup

    ledger = target.ledger
    for path in paths:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        RUN.started = min(RUN.started, state["started"])
        ledger.requests += state["requests"]
        for method, n in state["methods"].items():
            ledger.methods[method] = ledger.methods.get(method, 0) + n
        for api, op_id, codes in state["statuses"]:
            ledger.statuses[(api, op_id)].update(codes)
        ledger.cleanups += [Cleanup(**c) for c in state["cleanups"]]
        for t in state["tests"]:
            RUN.tests[t["nodeid"]] = Outcome(**{**t, "operations": tuple(t["operations"]), "events": tuple(t["events"])})
