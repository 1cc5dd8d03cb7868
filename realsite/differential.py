"""Send the request list to the real site and to the mock, compare, and tabulate.

Each request goes to both sides, one after the other, so both see the same sequence of writes.
A difference is *explained* when ``docs/realsite.md`` lists the request, under "Differences, by
design", with every aspect that differs and the reason; anything else is unexplained, and the
lane fails on it.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path

import requests as http

from realsite import compare
from realsite.requests import NO_BODY, Req, resolve

DOC = Path(__file__).resolve().parents[1] / "docs" / "realsite.md"
SECTION = "## Differences, by design"
WRONG_PASSWORD = "wrong pass word wron gpas swor"


@dataclass
class Side:
    """One server under comparison and how to speak to it."""

    name: str
    base_url: str
    admin: tuple[str, str]          # (login, application password)
    subscriber: tuple[str, str]
    context: dict                   # ids of the seeded data (the same on both sides)
    created: dict = field(default_factory=dict)
    session: http.Session = field(default_factory=http.Session)

    def auth(self, who: str) -> dict:
        pair = {"admin": self.admin, "subscriber": self.subscriber, "anonymous": None,
                "wrong-password": (self.admin[0], WRONG_PASSWORD),
                "unknown-user": ("no-such-user", self.admin[1])}[who]
        if pair is None:
            return {}
        token = base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def send(self, req: Req) -> http.Response:
        context = {**self.context, "created": self.created}
        path, query = resolve(req.path, context), resolve(req.query, context)
        if req.rest_route:
            url, query = self.base_url.rstrip("/") + "/", {"rest_route": path.removeprefix("/wp-json"), **query}
        else:
            url = self.base_url.rstrip("/") + path
        kw: dict = {"params": query, "headers": self.auth(req.who), "timeout": 60, "allow_redirects": False}
        if req.json is not NO_BODY:
            kw["json"] = resolve(req.json, context)
        elif req.form is not None:
            kw["data"] = resolve(req.form, context)
        elif req.raw is not None:
            kw["data"] = req.raw.encode()
            kw["headers"]["Content-Type"] = "application/json"
        response = self.session.request(req.method, url, **kw)
        for name, pointer in req.capture:
            try:
                self.created[name] = _pointer(response.json(), pointer)
            except (ValueError, KeyError, IndexError, TypeError):
                self.created[name] = f"<nothing at {pointer}>"
        return response

    def answer(self, req: Req) -> compare.Answer:
        return compare.answer_of(self.send(req), self.base_url)


class Recorded:
    """The real site's answers from an earlier run (``python -m realsite run --record DIR``)."""

    name = "real (recorded)"

    def __init__(self, answers: list[dict]):
        self.answers = {a["name"]: a for a in answers}

    def answer(self, req: Req) -> compare.Answer:
        a = self.answers[req.name]
        return compare.Answer(a["status"], a["content_type"], a["body"], a["is_json"], a["headers"])


def _pointer(doc, pointer: str):
    for part in [p for p in pointer.split("/") if p]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


@dataclass
class Row:
    req: Req
    real: compare.Answer
    mock: compare.Answer
    diffs: dict
    reason: str | None = None       # set when docs/realsite.md explains every differing aspect

    @property
    def verdict(self) -> str:
        if not self.diffs:
            return "identical"
        return "explained" if self.reason else "UNEXPLAINED"


def run(real: Side, mock: Side, reqs: list[Req], explained: dict | None = None) -> list[Row]:
    explained = known() if explained is None else explained
    rows = []
    for req in reqs:
        a, b = real.answer(req), mock.answer(req)
        diffs = compare.differences(a, b)
        row = Row(req, a, b, diffs)
        aspects, reason = explained.get(req.name, ((), None))
        if diffs and reason and set(diffs) <= set(aspects):
            row.reason = reason
        rows.append(row)
    return rows


def known(doc: Path = DOC) -> dict[str, tuple[tuple[str, ...], str]]:
    """request name -> (aspects, reason) from the table under "Differences, by design"."""
    if not doc.exists():
        return {}
    text = doc.read_text(encoding="utf-8")
    if SECTION not in text:
        return {}
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        aspects = tuple(a.strip() for a in cells[1].split(",") if a.strip())
        for name in re.findall(r"`([^`]+)`", cells[0]):
            out[name] = (aspects, cells[2])
    return out


def summary(rows: list[Row]) -> dict:
    return {"requests": len(rows), "identical": sum(not r.diffs for r in rows),
            "differing": sum(bool(r.diffs) for r in rows),
            "explained": sum(r.verdict == "explained" for r in rows),
            "unexplained": sum(r.verdict == "UNEXPLAINED" for r in rows)}


def table(rows: list[Row]) -> str:
    s = summary(rows)
    lines = ["| requests | identical | differing | of which explained | unexplained |",
             "|---:|---:|---:|---:|---:|",
             f"| {s['requests']} | {s['identical']} | {s['differing']} | {s['explained']} | {s['unexplained']} |", ""]
    differing = [r for r in rows if r.diffs]
    if differing:
        lines += ["| request | real | mock | differs | verdict |", "|---|---|---|---|---|"]
        for r in differing:
            what = "; ".join(f"{k}: {v}" for k, v in r.diffs.items()).replace("|", "\\|")
            lines.append(f"| `{r.req.name}` ({r.req.label}) | {r.real.status} | {r.mock.status} | {what} | {r.verdict} |")
    return "\n".join(lines)


def answer_record(name: str, a: compare.Answer) -> dict:
    return {"name": name, "status": a.status, "content_type": a.content_type, "headers": a.headers,
            "is_json": a.is_json, "body": a.body}


def record(row: Row) -> dict:
    """One request and both answers, for the run's JSON record."""
    side = lambda a: {k: v for k, v in answer_record(row.req.name, a).items() if k != "name"}
    return {"name": row.req.name, "request": row.req.label, "who": row.req.who, "verdict": row.verdict,
            "differs": row.diffs, "reason": row.reason, "real": side(row.real), "mock": side(row.mock)}


def full_table(rows: list[Row]) -> str:
    """Every request with both statuses: the record a run leaves behind."""
    lines = ["| # | request | who | real | mock | verdict |", "|---:|---|---|---|---|---|"]
    for n, r in enumerate(rows, 1):
        lines.append(f"| {n} | `{r.req.name}` ({r.req.label}) | {r.req.who} | {r.real.status} | {r.mock.status} | {r.verdict} |")
    return "\n".join(lines)
