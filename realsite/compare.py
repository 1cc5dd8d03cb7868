"""Compare one answer of the real site with the mock's answer to the same request.

Four aspects, each a plain verdict: ``status``; ``content-type`` (the media type and charset);
``shape``, the JSON structure (object keys and value types, recursively; list items merged);
``values``, every JSON value except those that depend on when or where the site ran rather than
on its data: timestamps and dates, URLs on the site's own host, tokens, and generated codes
(``VOLATILE``). Both sides are normalised the same way first (the base URL becomes ``<site>``).
The paging headers (``X-WP-Total``, ``X-WP-TotalPages``) count as values.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

ASPECTS = ("status", "content-type", "shape", "values")
HEADERS = ("X-WP-Total", "X-WP-TotalPages")
# Keys whose values are the time of an action or a generated secret, not the site's data.
VOLATILE = {
    "startdate", "enddate", "timestamp", "start_date", "end_date", "modified", "date",
    "export_id", "download_url", "token", "_wpnonce",
}
_RULE_ID = re.compile(r"^rule_[0-9a-f]{13}$")


@dataclass
class Answer:
    status: int
    content_type: str
    body: object            # parsed JSON, or the text when it is not JSON ("" for no body)
    is_json: bool
    headers: dict = field(default_factory=dict)


def answer_of(response, base_url: str) -> Answer:
    text = response.text
    kind = _content_type(response.headers.get("Content-Type", ""))
    try:
        body, is_json = (json.loads(text), True) if text.strip() else ("", False)
    except ValueError:
        body, is_json = text, False
    body = _local(body, base_url.rstrip("/"))
    headers = {h: response.headers[h] for h in HEADERS if h in response.headers}
    return Answer(response.status_code, kind, body, is_json, headers)


def _content_type(raw: str) -> str:
    parts = [p.strip().lower() for p in raw.split(";") if p.strip()]
    return "; ".join(parts)


def _local(value, base: str):
    """The site's own URLs written relative to ``<site>`` so both sides read alike."""
    if isinstance(value, str):
        return value.replace(base, "<site>").replace(base.replace("/", "\\/"), "<site>")
    if isinstance(value, list):
        return [_local(v, base) for v in value]
    if isinstance(value, dict):
        return {_local(k, base): _local(v, base) for k, v in value.items()}
    return value


def kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape(value):
    """Keys and types: ``{"id": "string", "levels": ["object" shape...]}``; list items merged."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: dict = {}
        kinds = set()
        for item in value:
            s = shape(item)
            if isinstance(s, dict):
                for k, v in s.items():
                    merged.setdefault(k, v)
                kinds.add("object")
            else:
                kinds.add(s if isinstance(s, str) else "array")
        return ["list", sorted(kinds), merged] if value else ["list"]
    return kind(value)


def _values(value, key: str | None = None):
    """The value with volatile parts replaced by their type."""
    if isinstance(value, dict):
        return {k: _values(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_values(v, key) for v in value]
    if key in VOLATILE or (isinstance(value, str) and _RULE_ID.match(value)):
        return f"<{kind(value)}>"
    return value


def differences(real: Answer, mock: Answer) -> dict[str, str]:
    """aspect -> what differs (empty when the answers are the same)."""
    out = {}
    if real.status != mock.status:
        out["status"] = f"{real.status} vs {mock.status}"
    if real.content_type != mock.content_type:
        out["content-type"] = f"{real.content_type or '-'} vs {mock.content_type or '-'}"
    real_shape = shape(real.body) if real.is_json else ("text" if real.body else "empty")
    mock_shape = shape(mock.body) if mock.is_json else ("text" if mock.body else "empty")
    if real_shape != mock_shape:
        out["shape"] = _first_difference(real_shape, mock_shape)
    elif _values(real.body) != _values(mock.body) or real.headers != mock.headers:
        if real.headers != mock.headers:
            out["values"] = f"headers {real.headers} vs {mock.headers}"
        else:
            out["values"] = _first_difference(_values(real.body), _values(mock.body))
    return out


def _first_difference(a, b, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                return f"{path}/{k}: only in the mock"
            if k not in b:
                return f"{path}/{k}: only on the real site"
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{path}/{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{path}/{i}")
    return f"{path or '/'}: {_short(a)} vs {_short(b)}"


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
