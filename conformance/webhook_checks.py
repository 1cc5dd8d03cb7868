"""The rules one webhook delivery, or the deliveries of one change, must keep; plain functions over
what a listener received, so the suite's own run and a run the user drives share them.

Each function returns problems as strings, each naming its rule, and an empty list when the rule
holds. What a delivery must carry is read from the OpenAPI document's ``webhooks`` section (the
request body's media type, the header parameters) and the per-event JSON Schemas.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from conformance import contract
from membermock import contracts

API = "memberpress"
DELIVERY_ID = "X-Membermock-Delivery-Id"   # the mock's own: one per event and receiver, kept on retries
ATTEMPT = "X-Membermock-Attempt"


@dataclass
class Delivery:
    seq: int                      # arrival order at the listener
    headers: dict                 # lower-cased names
    raw: bytes
    body: object = None
    at: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def event(self) -> str | None:
        return self.body.get("event") if isinstance(self.body, dict) else None

    @property
    def data(self) -> dict:
        data = self.body.get("data") if isinstance(self.body, dict) else None
        return data if isinstance(data, dict) else {}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse(seq: int, headers, raw: bytes, at: float) -> Delivery:
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Delivery(seq, {k.lower(): v for k, v in headers.items()}, raw, body, at)


@cache
def events() -> tuple[str, ...]:
    """Every event the contract documents, in its order."""
    return tuple(contract.document(API).get("webhooks", {}))


@cache
def event_type(event: str) -> str:
    """member, subscription or transaction: what the event's payload is (its ``type`` const)."""
    return contracts.schema(f"memberpress.events.{event}")["properties"]["type"]["const"]


def _operation(event: str) -> dict:
    return contract.document(API)["webhooks"][event]["post"]


@cache
def media_types(event: str) -> tuple[str, ...]:
    return tuple(_operation(event)["requestBody"]["content"])


@cache
def header_rules(event: str) -> tuple[tuple[str, bool, dict], ...]:
    """(name, required, schema) of each header the contract documents for the event's delivery."""
    found = []
    for param in _operation(event).get("parameters", []):
        param = contract._resolve(API, param)
        if param.get("in") == "header":
            found.append((param["name"], bool(param.get("required")), param.get("schema") or {}))
    return tuple(found)


def payload_problems(d: Delivery) -> list[str]:
    if not isinstance(d.body, dict):
        return [f"rule 'payload conforms' broken: body is not a JSON object: {d.raw[:120]!r}"]
    if d.event not in events():
        return [f"rule 'payload conforms' broken: event {d.event!r} is none the contract documents"]
    found = contracts.problems(f"memberpress.events.{d.event}", d.body)
    return [f"rule 'payload conforms' broken (memberpress.events.{d.event}): {p}" for p in found[:5]]


def header_problems(d: Delivery) -> list[str]:
    if d.event not in events():
        return []
    out = []
    kind = (d.header("Content-Type") or "").split(";")[0].strip().lower()
    if kind not in media_types(d.event):
        out.append(f"rule 'delivery headers conform' broken: Content-Type {kind or 'missing'!r}, "
                   f"documented {', '.join(media_types(d.event))}")
    for name, required, schema in header_rules(d.event):
        value = d.header(name)
        if value is None:
            if required:
                out.append(f"rule 'delivery headers conform' broken: header {name} missing")
            continue
        if len(value) < schema.get("minLength", 0):
            out.append(f"rule 'delivery headers conform' broken: header {name} is empty")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"rule 'delivery headers conform' broken: header {name} {value!r} does not match "
                       f"{schema['pattern']!r}")
    return out


def key_problems(d: Delivery, key: str | None) -> list[str]:
    """The webhook key header equals the site's key, when the user told the suite what it is."""
    name = next((n for n, _, _ in header_rules(d.event)) if d.event in events() else (), None)
    if not key or not name or d.header(name) in (None, key):
        return []
    return [f"rule 'delivery headers conform' broken: header {name} is not the site's webhook key"]


def duplicates(deliveries: list[Delivery]) -> list[tuple[str | None, str]]:
    """A delivery the listener answered 2xx must not come again: with delivery ids, the same id
    twice at the same attempt (a retry after a 2xx has a higher attempt and is the sender's
    at-least-once, allowed); without them, the same body twice. (event, problem) pairs."""
    seen, out = {}, []
    for d in deliveries:
        ident = d.header(DELIVERY_ID)
        key = (ident, d.header(ATTEMPT)) if ident else d.raw
        if key in seen:
            what = f"delivery id {ident} attempt {d.header(ATTEMPT)}" if ident else "the same body"
            out.append((d.event, f"rule 'no duplicate delivery' broken: {d.event} arrived twice ({what}, "
                                 f"arrivals {seen[key]} and {d.seq})"))
        else:
            seen[key] = d.seq
    return out


def first_of(deliveries: list[Delivery]) -> list[Delivery]:
    """One delivery per delivery id (or per body), the first to arrive."""
    seen, out = set(), []
    for d in deliveries:
        key = d.header(DELIVERY_ID) or d.raw
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def ident(value) -> str | None:
    """An id as the plugins send it: a number, a numeric string or an object with an id."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or isinstance(value, bool):
        return None
    return str(value)


@cache
def references(kind: str) -> tuple[str, ...]:
    """The fields of an object that name another object (``id`` or the object itself), read
    from the object's contract: the properties written as "an id, or the object"."""
    props = contracts.schema(f"memberpress.{kind}").get("properties", {})
    return ("id",) + tuple(name for name, spec in props.items()
                           if isinstance(spec, dict) and spec.get("if", {}).get("type") == "object"
                           and "$ref" in spec.get("then", {}))


def id_problems(d: Delivery, stored: dict | None, wanted: str | None) -> list[str]:
    """The payload names the object acted on (``wanted``) and agrees with the REST read-back
    (``stored``) on every reference field both carry."""
    out = []
    got = ident(d.data.get("id"))
    if wanted is not None and got != str(wanted):
        out.append(f"rule 'payload ids match REST' broken: {d.event} data.id {got}, expected {wanted}")
    if stored is None:
        return out
    for name in references(event_type(d.event)):
        if name in d.data and name in stored and ident(d.data[name]) != ident(stored[name]):
            out.append(f"rule 'payload ids match REST' broken: {d.event} data.{name} {ident(d.data[name])}, "
                       f"REST says {ident(stored[name])}")
    return out


def order_problems(change: str, expected: list[str], arrived: list[str]) -> list[str]:
    """The events of one change arrive in the documented order (``arrived``: the expected ones
    that came, in arrival order)."""
    wanted = [e for e in expected if e in arrived]
    if arrived != wanted:
        return [f"rule 'order within one change' broken: {change}: arrived {' -> '.join(arrived)}, "
                f"documented {' -> '.join(wanted)}"]
    return []
