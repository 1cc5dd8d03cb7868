"""WordPress REST conventions the three APIs share: error bodies, replies, pagination, PHP forms."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Response


def dumps(payload: Any) -> str:
    # WordPress escapes slashes in JSON ("http:\/\/"); clients never depend on it, so plain JSON it is.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# WP_REST_Server::serve_request sends this on every REST answer.
CONTENT_TYPE = "application/json; charset=UTF-8"


def reply(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    """A REST answer; a callback's ``null`` is sent as no body at all, as serve_request does."""
    return Response("" if payload is None else dumps(payload), status=status, headers=headers,
                    content_type=CONTENT_TYPE)


def error(code: str, message: str, status: int, **data) -> Response:
    """A WP_Error as WP_REST_Server renders it; ``status=None`` mimics an error created without one."""
    body_data = {"status": status, **data} if status is not None else None
    return reply({"code": code, "message": message, "data": body_data}, status or 500)


def no_route() -> Response:
    return error("rest_no_route", "No route was found matching the URL and request method.", 404)


def invalid_params(problems: dict[str, str | tuple[str, str]]) -> Response:
    """rest_invalid_param; a problem is a message, or (code, message) as WordPress's validator words it."""
    names = ", ".join(problems)
    pairs = {name: p if isinstance(p, tuple) else ("rest_invalid_param", p) for name, p in problems.items()}
    details = {name: {"code": code, "message": msg, "data": {"param": name} if code == "rest_invalid_type" else None}
               for name, (code, msg) in pairs.items()}
    return error("rest_invalid_param", f"Invalid parameter(s): {names}", 400,
                 params={name: msg for name, (_code, msg) in pairs.items()}, details=details)


def param_problem(name: str, schema: dict, value) -> tuple[str, str] | None:
    """rest_validate_value_from_schema on a query value: the code and message of the first rule it
    breaks (type, then bounds, enum, pattern), worded as WordPress words them; None when it passes."""
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "integer" in kinds:
        number = _integer(value)
        if number is None:
            return "rest_invalid_type", f"{name} is not of type integer."
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                return "rest_out_of_bounds", f"{name} must be between {low} (inclusive) and {high} (inclusive)"
            if low is not None:
                return "rest_out_of_bounds", f"{name} must be greater than or equal to {low}"
            return "rest_out_of_bounds", f"{name} must be less than or equal to {high}"
    if "enum" in schema and value not in schema["enum"]:
        return "rest_not_in_enum", f"{name} is not one of {php_list([str(v) for v in schema['enum']])}."
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        return "rest_invalid_pattern", f"{name} does not match pattern {schema['pattern']}."
    return None


def _integer(value) -> int | None:
    """rest_is_integer: a number, or a numeric string, with no fractional part."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip()) if isinstance(value, (str, float)) else None
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() else None


def php_list(items: list[str]) -> str:
    """wp_sprintf's %l: "a", "a and b", "a, b, and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def missing_params(names: list[str]) -> Response:
    return error("rest_missing_callback_param", f"Missing parameter(s): {', '.join(names)}", 400, params=names)


def page_of(items: list, page: int, per_page: int) -> tuple[list, dict]:
    """One page and the headers WordPress sends with it (per_page -1 means everything)."""
    total = len(items)
    if per_page is None or per_page < 0:
        chunk, pages = items, 1 if total else 0
    else:
        pages = math.ceil(total / per_page) if per_page else 0
        start = (page - 1) * per_page
        chunk = items[start:start + per_page]
    return chunk, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def php_form(pairs) -> dict:
    """Parse ``a[b][]=1`` style keys the way PHP fills $_POST and $_GET (later keys win)."""
    out: dict = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        if not head:
            continue  # PHP drops a variable whose name is empty (``?=1``, ``?[a]=1``)
        parts = [head] + (_BRACKETS.findall("[" + rest) if rest else [])
        node = out
        for i, part in enumerate(parts):
            if part == "":
                part = str(sum(1 for k in node if k.isdigit()))
            if i == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
    return _lists(out)


def _lists(node):
    """PHP arrays with keys 0..n-1 are JSON lists."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and list(node) == [str(i) for i in range(len(node))]:
        return list(node.values())
    return node
