"""Scenario files: a whole site in the plugins' own terms, loaded in one go and exported back.

A scenario maps symbolic names to objects, per collection (``users``, ``memberpress.memberships``,
``pmpro.levels`` ...); an object refers to another as ``"@name"``. Each API module declares its
collections (``<api>/scenario.py``: store kind, contract, id sequence, which fields are references
and how a described object becomes a stored one), so this module knows no plugin.

Loading runs in one store transaction: ids are handed out first (so references may point
forwards), then every object is resolved, checked against its contract with all fields
optional, built with the plugin's defaults and stored. Any problem refuses the whole file,
naming the file, the JSON path and the rule, and the site keeps what it had.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable

import yaml

from membermock import contracts
from mock_server import wp

SCENARIO_META = "scenario"          # the last scenario loaded, so a reset returns to it
API_SECTIONS = {"memberpress": "mock_server.memberpress.scenario", "pmpro": "mock_server.pmpro.scenario",
                "wc_memberships": "mock_server.abilities.scenario"}
_REF = re.compile(r"^@(.+)$")


@dataclass(frozen=True)
class Collection:
    """One kind of stored object as a scenario names it.

    ``refs`` maps a field to the collection its ids name (``"users"``, ``"pmpro.levels"``): a
    dotted path reaches into nested objects, a list holds several ids, and a path ending in
    ``{}`` means the keys of a mapping. ``keyed_by`` makes the scenario key itself a reference
    (a member's MemberPress data is keyed by its user); such objects take that object's id.
    """

    name: str
    kind: str
    contract: str | None = None                    # an object contract, every field optional ...
    control_schema: str | None = None              # ... or a schema of the control document
    sequence: str | None = None
    refs: dict[str, str] = field(default_factory=dict)
    keyed_by: str | None = None
    text_ids: bool = False                         # MemberPress rows keep their ids as strings ...
    text_refs: bool = False                        # ... and the ids they point at
    build: Callable[..., dict] | None = None       # (site, db, fields, id) -> stored object
    show: Callable[[dict], dict] | None = None     # stored object -> scenario fields
    symbol: Callable[[dict], str] | None = None    # the name an export gives an object

    def validator(self):
        if self.contract:
            return contracts.partial_validator(self.contract)
        return contracts.control_validator(self.control_schema, partial=True)


class ScenarioError(ValueError):
    """The file is refused as a whole; ``problems`` are (JSON path, rule, message)."""

    def __init__(self, problems: list[tuple[str, str, str]], source: str = "scenario"):
        self.problems, self.source = problems, source
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {first[0]}: {first[2]} [{first[1]}]{more}")

    def response(self):
        return wp.error("mock_invalid_scenario", str(self), 400,
                        problems=[{"file": self.source, "path": p, "rule": r, "message": m}
                                  for p, r, m in self.problems])


# -- the collections ---------------------------------------------------------------------------

def collections() -> list[tuple[str, Collection]]:
    """(section, collection) in load order: users, then each API's own order."""
    from mock_server.site import USER
    out = [("", Collection("users", USER, control_schema="User", sequence="users", build=_build_user,
                           symbol=lambda u: u["user_login"]))]
    for section, module in API_SECTIONS.items():
        out += [(section, c) for c in import_module(module).COLLECTIONS]
    return out


def _path(section: str, collection: Collection) -> str:
    return f"{section}.{collection.name}" if section else collection.name


def _build_user(site, db, fields: dict, id_: int) -> dict:
    login = fields.get("user_login") or fields["_key"]
    extra = {k: v for k, v in fields.items() if k not in ("_key", "id", "user_login")}
    user = {"id": id_, "user_login": login, "user_email": f"{login}@example.com", "user_nicename": login.lower(),
            "display_name": login, "first_name": "", "last_name": "", "user_url": "", "description": "",
            "user_registered": "2024-01-01 00:00:00", "roles": ["subscriber"], "app_password": None}
    user.update(extra)
    return user


# -- parsing ------------------------------------------------------------------------------------

def parse(text: str | bytes, source: str = "scenario") -> dict:
    """A scenario document from YAML or JSON text (JSON is YAML, so one parser reads both)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ScenarioError([("$", "syntax", f"not YAML or JSON ({where}): {getattr(exc, 'problem', exc)}")],
                            source) from None
    if not isinstance(doc, dict):
        raise ScenarioError([("$", "type", "a scenario is a mapping of collections")], source)
    return doc


def _check_shape(doc: dict, source: str) -> None:
    problems = [(p.path, p.rule, p.message) for p in contracts.problems_of(contracts.control_validator("Scenario"), doc)]
    known = {section: {c.name for s, c in collections() if s == section} for section in API_SECTIONS}
    for section, names in known.items():
        for name in (doc.get(section) or {}) if isinstance(doc.get(section), dict) else ():
            if name not in names:
                problems.append((f"$.{section}.{name}", "collection",
                                 f"unknown collection; {section} has {', '.join(sorted(names))}"))
    if problems:
        raise ScenarioError(problems, source)


# -- loading ------------------------------------------------------------------------------------

def load(site, doc, source: str = "scenario") -> dict[str, int]:
    """Replace the site's data with the scenario; all or nothing. Returns objects per collection."""
    from mock_server.app import api_modules
    from mock_server.seeding import SEEDED, seed_into
    from mock_server.webhooks import hooks, outbox

    if isinstance(doc, (str, bytes)):
        doc = parse(doc, source)
    _check_shape(doc, source)
    settings = doc.get("site") or {}
    store = site.store
    keep_hooks = "webhooks" not in (doc.get("memberpress") or {})
    hooks_before = store.all(outbox.HOOKS) if keep_hooks else []
    with store.transaction() as db:
        store.wipe(db)
        if "seed" in settings:
            seed_into(site, db, api_modules(), settings["seed"])
        loaded = _load_objects(site, db, doc, source)
        for hook in hooks_before:   # a file that says nothing of webhooks leaves the subscriptions be
            store.put(db, outbox.HOOKS, hook)
        for name, value in (settings.get("sequences") or {}).items():
            _raise_sequence(db, name, value)
        hooks.install(site, db)
        store.set_meta(db, SEEDED, settings.get("seed", "scenario"))
        store.set_meta(db, SCENARIO_META, {"doc": doc, "source": source})
    return loaded


def _load_objects(site, db, doc: dict, source: str) -> dict[str, int]:
    store = site.store
    entries = []                     # (section, collection, key, raw object)
    for section, collection in collections():
        body = doc.get(section, {}).get(collection.name) if section else doc.get(collection.name)
        body = dict(body or {})
        if collection.name == "users" and not site.user_by("user_login", "admin") and not any(
                key == "admin" or (raw or {}).get("user_login") == "admin" for key, raw in body.items()):
            # A site always has its administrator (id 1 unless the file says otherwise), so the
            # site's credentials keep working whatever the file holds.
            body = {"admin": {"roles": ["administrator"], "app_password": site.config.admin_app_password,
                              "user_email": "admin@example.com", "display_name": "Site Admin"}, **body}
        for key, raw in body.items():
            entries.append((section, collection, str(key), raw))
    symbols: dict[str, dict[str, int]] = {}
    problems: list[tuple[str, str, str]] = []
    ids = {}
    for section, collection, key, raw in entries:           # 1. every object gets its id
        if collection.keyed_by:
            continue
        given = raw.get("id")
        if given is not None and _int(given) is None:
            problems.append((f"$.{_path(section, collection)}.{key}.id", "type", f"{given!r} is not an id"))
            continue
        id_ = _int(given) if given is not None else store.next_id(db, collection.sequence)
        ids[(section, collection.name, key)] = id_
        symbols.setdefault(_path(section, collection), {})[key] = id_
    counts: dict[str, int] = {}
    seen_ids: dict[str, set] = {}
    for section, collection, key, raw in entries:           # 2. resolve, check, build, store
        where = f"$.{_path(section, collection)}.{key}"
        fields = dict(raw)
        if collection.keyed_by:
            owner = symbols.get(collection.keyed_by, {}).get(key.lstrip("@"))
            if owner is None:
                owner = _int(key)
            if owner is None:
                problems.append((where, "reference", f"{key!r} names no object in {collection.keyed_by}"))
                continue
            id_ = owner
        else:
            id_ = ids.get((section, collection.name, key))
            if id_ is None:
                continue
        for ref_path, target in collection.refs.items():
            _resolve(fields, ref_path.split("."), target, symbols, where, problems, collection.text_refs)
        fields["id"] = str(id_) if collection.text_ids else id_
        before = len(problems)
        for problem in contracts.problems_of(collection.validator(), fields):
            problems.append((where + problem.path[1:], problem.rule, problem.message))
        if id_ in seen_ids.setdefault(collection.kind, set()):
            problems.append((where + ".id", "unique", f"id {id_} is used twice in {_path(section, collection)}"))
        seen_ids[collection.kind].add(id_)
        if len(problems) > before:
            continue
        try:
            obj = collection.build(site, db, {**fields, "_key": key}, id_) if collection.build else fields
        except (KeyError, ValueError, TypeError) as exc:
            problems.append((where, "build", f"cannot be stored: {exc}"))
            continue
        store.put(db, collection.kind, obj)
        if collection.sequence:
            _raise_sequence(db, collection.sequence, id_)
        counts[_path(section, collection)] = counts.get(_path(section, collection), 0) + 1
    if problems:
        raise ScenarioError(problems, source)
    return counts


def _resolve(node, parts: list[str], target: str, symbols, where: str, problems, text: bool) -> None:
    """Replace "@name" references under ``parts`` with ids, in place."""
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if head.endswith("{}"):
        mapping = node.get(head[:-2])
        if isinstance(mapping, dict):
            node[head[:-2]] = {str(_ref(k, target, symbols, f"{where}.{head[:-2]}", problems, text)): v
                               for k, v in mapping.items()}
        return
    if head not in node:
        return
    value = node[head]
    if rest:
        for child in (value if isinstance(value, list) else [value]):
            _resolve(child, rest, target, symbols, f"{where}.{head}", problems, text)
    elif isinstance(value, list):
        node[head] = [_ref(v, target, symbols, f"{where}.{head}[{i}]", problems, text) for i, v in enumerate(value)]
    else:
        node[head] = _ref(value, target, symbols, f"{where}.{head}", problems, text)


def _ref(value, target: str, symbols, where: str, problems, text: bool):
    match = _REF.match(value) if isinstance(value, str) else None
    if not match:
        return value
    found = symbols.get(target, {}).get(match.group(1))
    if found is None:
        problems.append((where, "reference", f"{value!r} names no object in {target}"))
        return value
    return str(found) if text else found


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number >= 1 else None


def _raise_sequence(db, name: str, value: int) -> None:
    """Sequences behave like AUTO_INCREMENT after an import: never below the highest id used."""
    db.execute("INSERT INTO sequences (name, last) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last = "
               "max(sequences.last, excluded.last)", (name, int(value)))


# -- exporting ----------------------------------------------------------------------------------

def export(site) -> dict:
    """The site as a scenario that loads back into the same objects, ids and sequences."""
    store = site.store
    names: dict[str, dict[Any, str]] = {}
    stored: list[tuple[str, Collection, list[dict]]] = []
    for section, collection in collections():
        objects = store.all(collection.kind)
        stored.append((section, collection, objects))
        if not collection.keyed_by:
            singular = collection.name[:-1] if collection.name.endswith("s") else collection.name
            naming = collection.symbol or (lambda obj, s=singular: f"{s}-{obj['id']}")
            names[_path(section, collection)] = {str(obj["id"]): naming(obj) for obj in objects}
    doc: dict = {"site": {"sequences": dict(store.db.execute("SELECT name, last FROM sequences ORDER BY name"))}}
    for section, collection, objects in stored:
        if not objects:
            continue
        out = {}
        for obj in objects:
            fields = collection.show(obj) if collection.show else dict(obj)
            for ref_path, target in collection.refs.items():
                _unresolve(fields, ref_path.split("."), names.get(target, {}))
            if collection.keyed_by:
                key = names.get(collection.keyed_by, {}).get(str(obj["id"]), str(obj["id"]))
                fields.pop("id", None)
            else:
                key = names[_path(section, collection)][str(obj["id"])]
            out[key] = fields
        if section:
            doc.setdefault(section, {})[collection.name] = out
        else:
            doc[collection.name] = out
    return doc


def _unresolve(node, parts: list[str], names: dict) -> None:
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if head.endswith("{}"):
        mapping = node.get(head[:-2])
        if isinstance(mapping, dict):
            node[head[:-2]] = {_name(k, names): v for k, v in mapping.items()}
        return
    if head not in node:
        return
    if rest:
        value = node[head]
        for child in (value if isinstance(value, list) else [value]):
            _unresolve(child, rest, names)
        return
    value = node[head]
    node[head] = [_name(v, names) for v in value] if isinstance(value, list) else _name(value, names)


def _name(value, names: dict):
    if isinstance(value, bool) or value is None:
        return value
    name = names.get(str(value))
    return f"@{name}" if name is not None else value


def dumps(doc: dict, as_yaml: bool) -> str:
    if as_yaml:
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return json.dumps(doc, ensure_ascii=False, indent=1)
