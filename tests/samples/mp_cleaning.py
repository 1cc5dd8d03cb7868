"""Shared cleaning steps for the two machine-translated copies of the MemberPress REST page.

Seed 001 is German, seed 003 Portuguese. Both hold the same 37 operations in the same order,
each with a curl sample request and a sample response. This module finds those blocks and
offers small, named cleaning steps; ``seed_001.py`` and ``seed_003.py`` chain them and list the
step names in each ``Sample.transforms``.

Step names used in ``transforms``:

- ``parse-curl-command``: method, route, query string and ``-d key=value`` pairs of a curl sample
  become a payload dict (form values stay strings, as a form-encoded body delivers them).
- ``repair-garbled-continuations``: the translators turned some ``\\`` line continuations into
  ``\\d`` (trailing, or leading instead of ``-d``); trailing ones are dropped, leading ones read as
  ``-d``, and anything after a mid-line ``\\d`` (a garbled repeat of a neighbouring argument) is
  dropped and named in the sample note.
- ``strip-parenthetical-translations``: ``"key" (chave): "value" (valor)`` loses the parentheses.
- ``translate-literals``: ``falso``/``verdadeiro``/``nulo`` and ``falsch``/``wahr`` become JSON
  literals (only outside string literals).
- ``drop-period-after-string``: a sentence period the translation put after a closing quote.
- ``decimal-comma-to-point``: amounts such as ``"100,00"`` the translation localised.
- ``map-translated-keys``: explicit key tables below.
- ``map-translated-enum-values``: explicit per-field value tables below (free text stays).
- ``restore-structure-from-indentation``: seed 001 lost every line that held only a bracket or
  brace; the nesting is rebuilt from indentation, array items are split where a key repeats, and
  array values that sat on their own lines are lost (counted in the note).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

# --------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class Op:
    name: str            # sample name of the response; the request sample adds "-request"
    method: str          # method as the seed's curl shows it
    route: str           # route under /wp-json/mp/v1 as the seed's curl shows it
    root: str            # "object" or "array": shape of the sample response
    response_schema: str
    request_schema: str | None = None  # schema of the curl's payload, if it sends any


def _crud(singular: str, plural: str, get_id: str, upd_id: str, list_method: str = "GET"):
    obj = f"memberpress.{singular}"
    return [
        Op(f"{plural}-list", list_method, f"/{plural}", "array",
           f"memberpress.responses.{plural}-list", f"memberpress.requests.{plural}-list"),
        Op(f"{singular}-get", "GET", f"/{plural}/{get_id}", "object", obj),
        Op(f"{singular}-create", "POST", f"/{plural}", "object", obj,
           f"memberpress.requests.{singular}-create"),
        Op(f"{singular}-update", "POST", f"/{plural}/{upd_id}", "object", obj,
           f"memberpress.requests.{singular}-update"),
        Op(f"{singular}-delete", "DELETE", f"/{plural}/{upd_id}", "object",
           f"memberpress.responses.{singular}-delete"),
    ]


OPERATIONS: list[Op] = [
    Op("me", "GET", "/me", "object", "memberpress.responses.me"),
    Op("webhook-subscribe", "POST", "/webhooks/subscribe", "object",
       "memberpress.responses.webhook-subscribe", "memberpress.requests.webhook-subscribe"),
    Op("webhook-unsubscribe", "DELETE", "/webhooks/unsubscribe/:id", "object",
       "memberpress.responses.webhook-unsubscribe"),
    *_crud("subscription", "subscriptions", "59", "69"),
    Op("subscription-cancel", "POST", "/subscriptions/59/cancel", "object",
       "memberpress.responses.subscription-cancel"),
    Op("subscription-expire", "POST", "/subscriptions/69/expire", "object",
       "memberpress.responses.subscription-expire"),
    *_crud("member", "members", "46", "56"),
    # the page shows the rule list with -X POST; the route lists on GET (see docs/memberpress-rest.md)
    *_crud("rule", "rules", "227", "227", list_method="POST"),
    *_crud("membership", "memberships", "274", "274"),
    *_crud("coupon", "coupons", "275", "275"),
    *_crud("transaction", "transactions", "167", "199"),
    Op("transaction-refund", "POST", "/transactions/167/refund", "object",
       "memberpress.responses.transaction-refund"),
    Op("transaction-refund-and-cancel", "POST", "/transactions/199/refund_and_cancel", "object",
       "memberpress.responses.transaction-refund-and-cancel"),
]

# --------------------------------------------------------------------------- locating blocks

_HEADING = re.compile(r"^[^\s\"{}\[\]]")  # a prose line at column 0 ends a JSON block


def curl_lines(lines: list[str]) -> list[int]:
    """0-based indexes of the lines that start a curl sample."""
    return [i for i, line in enumerate(lines) if line.lstrip().startswith("$ curl")]


def response_blocks(lines: list[str], marker: str) -> list[tuple[int, int]]:
    """(first, last) 0-based line indexes of each sample response, blank edges trimmed."""
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() != marker:
            continue
        j = i + 1
        while j < len(lines) and not (lines[j].strip() and _HEADING.match(lines[j])):
            j += 1
        first, last = i + 1, j - 1
        while first <= last and not lines[first].strip():
            first += 1
        while last >= first and not lines[last].strip():
            last -= 1
        blocks.append((first, last))
    return blocks


def curl_block(lines: list[str], start: int) -> tuple[int, list[str]]:
    """The curl command lines from ``start`` up to the first blank line; returns (last index, lines)."""
    j = start
    while j + 1 < len(lines) and lines[j + 1].strip():
        j += 1
    return j, lines[start:j + 1]


# --------------------------------------------------------------------------- curl parsing

_ROUTE = re.compile(r"/wp-json/mp/v1(/[^\"\s?]*)(?:\?([^\"\s]*))?")
_PAIR = re.compile(r'-d\s+([^=]+?)=("([^"]*)"|\S+)')


@dataclass
class CurlSample:
    method: str
    route: str
    query: dict
    form: dict
    dropped: list[str]   # garbled mid-line fragments that were dropped


def repair_continuations(command: list[str]) -> tuple[list[str], list[str]]:
    """Undo the ``\\d`` garbling of line continuations (step ``repair-garbled-continuations``)."""
    fixed, dropped = [], []
    for line in command:
        text = line.strip()
        if text.startswith("\\d "):            # a '-d' that became '\d'
            text = "-d " + text[3:]
        head, sep, tail = text.partition(" \\d")
        if sep:                                 # trailing '\d' or '\d <garbled repeat>'
            if tail.strip():
                dropped.append(tail.strip())
            text = head + " \\"
        fixed.append(text)
    return fixed, dropped


def parse_curl(command: list[str]) -> CurlSample:
    """Step ``parse-curl-command``: method, route, query and form pairs of a curl sample."""
    text = " ".join(command)
    method = re.search(r"-X\s+([A-Z]+)", text)
    route = _ROUTE.search(text)
    if not route:
        raise ValueError(f"no mp/v1 route in {command[0]!r}")
    form = {}
    for line in command[1:]:
        for key, raw, quoted in _PAIR.findall(line):
            form[key.strip()] = quoted if raw.startswith('"') else raw.rstrip("\\")
    query = dict(parse_qsl(route.group(2) or "", keep_blank_values=True))
    return CurlSample(method.group(1) if method else "GET", route.group(1), query, form, [])


# --------------------------------------------------------------------------- text steps

_STRING = r'"(?:[^"\\]|\\.)*"'
_PAREN_AFTER_STRING = re.compile(rf"({_STRING})\s*\([^()]*\)")


def strip_parenthetical_translations(line: str) -> str:
    """``"status": "publish" (publicar),`` -> ``"status": "publish",`` (also in curl lines)."""
    return _PAREN_AFTER_STRING.sub(r"\1", line)


def _outside_strings(line: str, fn) -> str:
    parts = re.split(rf"({_STRING})", line)
    return "".join(p if i % 2 else fn(p) for i, p in enumerate(parts))


PT_LITERALS = {"falso": "false", "verdadeiro": "true", "nulo": "null"}
DE_LITERALS = {"falsch": "false", "wahr": "true"}


def translate_literals(line: str, table: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(table) + r")\b")
    return _outside_strings(line, lambda s: pattern.sub(lambda m: table[m.group(1)], s))


def drop_period_after_string(line: str) -> str:
    """``"... item".`` at a line end -> ``"... item"``."""
    return re.sub(rf"({_STRING})\.\s*$", r"\1", line)


_DECIMAL_COMMA = re.compile(r'^-?[0-9]+,[0-9]{2,3}$')


# --------------------------------------------------------------------------- key / value tables

PT_KEYS = {  # seed 003: keys the translation replaced outright
    "cupom": "coupon",
    "excerto": "excerpt",
    "membro": "member",
    "nome de usuário": "username",
}

DE_KEYS = {  # seed 001
    "Erfolg": "success",
    "Daten": "data",
    "Nachricht": "message",
    "Gutschein": "coupon",
    "gutschein": "coupon",
    "Mitgliedschaft": "membership",
    "Mitglied": "member",
    "Abonnement": "subscription",
    "benutzername": "username",
    "Antwort": "response",
    "Status": "status",
    "Zeitraum": "period",
    "periode_art": "period_type",
    "auszug": "excerpt",
    "probe_betrag": "trial_amount",
    "preisgestaltung_show_preis": "pricing_show_price",
    "gleichzeitige_Abonnements": "simultaneous_subscriptions",
    "gespeichert": "saved",
    "adresse": "address",
    "profil": "profile",
    "Betrag": "amount",
    "gesamt": "total",
    "steuer_satz": "tax_rate",
    "anteilig": "prorated",
    "rabatt_type": "discount_type",
    "rabatt_Betrag": "discount_amount",
    "abonnement_zahlungs_index": "subscription_payment_index",
    "abonnement_zahlungsindex": "subscription_payment_index",
}

_DE_UNITS = {"Tage": "days", "Wochen": "weeks", "Monate": "months", "Jahre": "years",
             "Lebensdauer": "lifetime"}
_DE_DEFAULT = {"Standard": "default", "standard": "default"}

DE_VALUES = {  # field -> {translated value: English value}
    "period_type": _DE_UNITS,
    "expire_unit": _DE_UNITS,
    "drip_unit": _DE_UNITS,
    "expires_unit": _DE_UNITS,
    "expire_type": {"keine": "none", "fest": "fixed"},
    "register_price_action": {"Standard": "default"},
    "thank_you_page_type": {"Nachricht": "message"},
    "unauth_excerpt_type": _DE_DEFAULT,
    "unauth_message_type": _DE_DEFAULT,
    "unauth_login": _DE_DEFAULT,
    "discount_type": {"Prozent": "percent", "Dollar": "dollar"},
    "discount_mode": {"erste-Zahlung": "first-payment"},
    "status": {
        "veröffentlichen": "publish",
        "aktiv": "active",
        "abgebrochen": "cancelled",
        "ausstehend": "pending",
        "schwebend": "pending",
        "vollständig": "complete",
        "bestätigt": "confirmed",
        "zurückerstattet": "refunded",
    },
    "capabilities": {
        "Rückerstattungen bearbeiten": "process-refunds",
        "Abonnements kündigen": "cancel-subscriptions",
        "Abonnements aktualisieren": "update-subscriptions",
        "Abonnements aussetzen": "suspend-subscriptions",
        "Abonnements wieder aufnehmen": "resume-subscriptions",
    },
}

PT_VALUES = {
    "drip_unit": {"dias": "days"},
    "expires_unit": {"dias": "days"},
    "drip_after": {"registros": "registers"},
    "expires_after": {"registros": "registers"},
    "capabilities": {"suspender-assinaturas": "suspend-subscriptions"},
}


class Log:
    """Collects which steps changed something, in first-use order, for ``Sample.transforms``."""

    def __init__(self):
        self.steps: list[str] = []
        self.notes: list[str] = []

    def used(self, step: str):
        if step not in self.steps:
            self.steps.append(step)

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)


def clean_text_lines(lines: list[str], *, portuguese: bool, log: Log) -> list[str]:
    """Line-level steps shared by both seeds (which ones apply depends on the language)."""
    out = []
    for line in lines:
        new = line
        if portuguese:
            stripped = strip_parenthetical_translations(new)
            if stripped != new:
                log.used("strip-parenthetical-translations")
            new = stripped
        lit = translate_literals(new, PT_LITERALS if portuguese else DE_LITERALS)
        if lit != new:
            log.used("translate-literals")
        new = lit
        dot = drop_period_after_string(new)
        if dot != new:
            log.used("drop-period-after-string")
        out.append(dot)
    return out


def map_translations(value, *, keys: dict, values: dict, log: Log, field: str | None = None):
    """Walk a parsed payload: rename translated keys, map back translated enum values and
    localised decimal commas (steps ``map-translated-keys``, ``map-translated-enum-values``,
    ``decimal-comma-to-point``)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            name = keys.get(k, k)
            if name != k:
                log.used("map-translated-keys")
            out[name] = map_translations(v, keys=keys, values=values, log=log, field=name)
        return out
    if isinstance(value, list):
        return [map_translations(v, keys=keys, values=values, log=log, field=field) for v in value]
    if isinstance(value, str):
        table = values.get(field or "", {})
        if value in table:
            log.used("map-translated-enum-values")
            return table[value]
        if _DECIMAL_COMMA.match(value):
            log.used("decimal-comma-to-point")
            return value.replace(",", ".")
    return value


# --------------------------------------------------------------------------- indentation parser

_PAIR_LINE = re.compile(rf"^({_STRING})\s*:\s*(.*?)\s*,?\s*$")


@dataclass
class _Entry:
    indent: int
    key: str | None
    text: str        # value text (after the colon) or the whole line for array items


def _entries(lines: list[str], keys: dict) -> list[_Entry]:
    found = []
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        body = line.strip()
        m = _PAIR_LINE.match(body)
        if m:
            key = json.loads(m.group(1))
            found.append(_Entry(indent, keys.get(key, key), m.group(2)))
        else:
            found.append(_Entry(indent, None, body.rstrip(",").strip()))
    return found


def _raw_key(line: str):
    m = _PAIR_LINE.match(line.strip())
    return json.loads(m.group(1)) if m else None


class Restorer:
    """Step ``restore-structure-from-indentation`` for seed 001.

    Lines that held only ``{``, ``}``, ``[`` or ``]`` are missing from the seed. Each entry's
    indentation says which container it belongs to; an entry that is shallower than the open
    container closes it; ``"key": value`` lines directly inside an array are an object whose
    braces were dropped, and a key that repeats inside such an object starts the next item.
    """

    def __init__(self, lines: list[str], keys: dict):
        # keys are translated first, so that a repeated key is recognised across languages
        self.items = _entries(lines, keys)
        self.pos = 0
        self.empty_arrays = 0   # arrays that got no item lines: their items, if any, are lost
        self.split_items = 0
        self.one_line = False
        self.off_grid = 0       # lines indented unlike their siblings (the vendor page's own slips)
        self.reindented = self._reindent_author_fields()

    # the vendor page itself outdents most fields of an "author" object to the parent's level
    # (seed 003 shows the author's closing brace after them); with that brace gone in 001 only
    # these user-field names say where the author ends (step ``reindent-author-fields``)
    AUTHOR_FIELDS = {"email", "username", "nicename", "url", "message", "registered_at",
                     "first_name", "last_name", "display_name"}

    def _reindent_author_fields(self) -> int:
        moved = 0
        for i, e in enumerate(self.items):
            if e.key != "author" or e.text != "{" or i + 1 >= len(self.items):
                continue
            child = self.items[i + 1].indent
            for f in self.items[i + 1:]:
                if e.indent <= f.indent < child and f.key in self.AUTHOR_FIELDS:
                    f.indent = child
                    moved += 1
                elif f.indent != child:
                    break
        return moved

    def parse(self, root: str):
        if len(self.items) == 1 and self.items[0].key is None:
            self.one_line = True
            return json.loads(self.items[0].text)           # a one-line sample, intact
        first = self.items[0]
        if first.key is None and first.text in ("{", "["):  # the opener survived
            self.pos = 1
            root = "object" if first.text == "{" else "array"
            value = self._object(first.indent) if root == "object" else self._array(first.indent)
        elif root == "object":
            value = self._object(first.indent - 1)
        else:
            value = self._array(-1)
        self._skip_closers(-1)
        if self.pos != len(self.items):
            raise ValueError(f"unparsed line: {self.items[self.pos]}")
        return value

    def _skip_closers(self, indent: int):
        while self.pos < len(self.items):
            e = self.items[self.pos]
            if e.key is None and e.text in ("}", "]") and e.indent >= indent:
                self.pos += 1
            else:
                break

    def _value(self, e: _Entry):
        text = e.text
        if text in ("{", "["):
            return self._object(e.indent) if text == "{" else self._array(e.indent)
        return json.loads(text)

    def _object(self, parent: int, split: bool = False):
        obj = {}
        child = None
        while self.pos < len(self.items):
            e = self.items[self.pos]
            if e.indent <= parent:
                break
            child = e.indent if child is None else child
            if e.indent != child:
                self.off_grid += 1
            if e.key is None:
                if e.text in ("}", "]"):
                    self.pos += 1
                    break
                raise ValueError(f"array item inside an object: {e}")
            if split and e.key in obj:
                self.split_items += 1
                break
            self.pos += 1
            obj[e.key] = self._value(e)
        return obj

    def _array(self, parent: int):
        arr = []
        start = self.pos
        while self.pos < len(self.items):
            e = self.items[self.pos]
            if e.indent <= parent:
                break
            if e.key is None:
                if e.text in ("}", "]"):
                    self.pos += 1
                    break
                self.pos += 1
                arr.append(self._value(e))
            else:  # an object whose braces were dropped
                arr.append(self._object(e.indent - 1, split=True))
        if self.pos == start:
            self.empty_arrays += 1
        return arr


def restore_from_indentation(lines: list[str], root: str, keys: dict, log: Log):
    r = Restorer(lines, keys)
    if any(e.key != k for e, k in zip(r.items, (_raw_key(l) for l in lines if l.strip()))):
        log.used("map-translated-keys")
    if r.reindented:
        log.used("reindent-author-fields")
    value = r.parse(root)
    if r.one_line:
        return value
    log.used("restore-structure-from-indentation")
    log.note("seed 001 lost every bracket-only line and some array-item lines; those items "
             f"are lost ({r.empty_arrays} array(s) came out empty)")
    if r.split_items:
        log.note(f"array items split on a repeated key {r.split_items} time(s)")
    if r.off_grid:
        log.note(f"{r.off_grid} line(s) sit off their siblings' indentation and joined the "
                 "nearest open object, so nesting there can differ from seed 003")
    return value


# --------------------------------------------------------------------------- the driver

@dataclass(frozen=True)
class Language:
    marker: str                 # the heading that precedes each sample response
    portuguese: bool
    keys: dict
    values: dict


GERMAN = Language("Beispielhafte Antwort", False, DE_KEYS, DE_VALUES)
PORTUGUESE = Language("Resposta de amostra", True, PT_KEYS, PT_VALUES)


def extract_samples(lines: list[str], lang: Language, sample_cls):
    """Yield one request sample (when the curl sends a payload) and one response sample per
    operation, in seed order."""
    curls = curl_lines(lines)
    blocks = response_blocks(lines, lang.marker)
    if not (len(curls) == len(blocks) == len(OPERATIONS)):
        raise ValueError(f"expected {len(OPERATIONS)} operations, found {len(curls)} curl "
                         f"samples and {len(blocks)} responses")
    for op, curl_at, (first, last) in zip(OPERATIONS, curls, blocks):
        request = _request_sample(op, lines, curl_at, lang, sample_cls)
        if request is not None:
            yield request
        yield _response_sample(op, lines, first, last, lang, sample_cls)


def _request_sample(op: Op, lines, start: int, lang: Language, sample_cls):
    end, command = curl_block(lines, start)
    log = Log()
    log.used("parse-curl-command")
    repaired, dropped = repair_continuations(command)
    if repaired != [c.strip() for c in command]:
        log.used("repair-garbled-continuations")
    if lang.portuguese:
        stripped = [strip_parenthetical_translations(c) for c in repaired]
        if stripped != repaired:
            log.used("strip-parenthetical-translations")
        repaired = stripped
    curl = parse_curl(repaired)
    if (curl.method, curl.route) != (op.method, op.route):
        raise ValueError(f"line {start + 1}: expected {op.method} {op.route}, "
                         f"found {curl.method} {curl.route}")
    if op.request_schema is None:
        if curl.form or curl.query:
            raise ValueError(f"line {start + 1}: unexpected payload for {op.name}")
        return None
    payload = curl.query if op.name.endswith("-list") else curl.form
    if not payload:
        raise ValueError(f"line {start + 1}: no payload for {op.name}")
    payload = map_translations(payload, keys=lang.keys, values=lang.values, log=log)
    if dropped:
        log.note("dropped garbled fragments after a mid-line '\\d': "
                 + "; ".join(repr(d) for d in dropped))
    if op.name == "rules-list":
        log.note("the page sends this list query with -X POST; the list route answers GET")
    return sample_cls(f"{op.name}-request", op.request_schema, start + 1, end + 1, payload,
                      log.steps, "; ".join(log.notes))


def _response_sample(op: Op, lines, first: int, last: int, lang: Language, sample_cls):
    log = Log()
    text = clean_text_lines(lines[first:last + 1], portuguese=lang.portuguese, log=log)
    if lang.portuguese:
        payload = json.loads("\n".join(text))
    else:
        payload = restore_from_indentation(text, op.root, lang.keys, log)
    payload = map_translations(payload, keys=lang.keys, values=lang.values, log=log)
    return sample_cls(op.name, op.response_schema, first + 1, last + 1, payload,
                      log.steps, "; ".join(log.notes))
