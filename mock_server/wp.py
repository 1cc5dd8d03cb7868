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


def reply(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(payload), status=status, headers=headers, mimetype="application/json")


def error(code: str, message: str, status: int, **data) -> Response:
    """A WP_Error as WP_REST_Server renders it; ``status=None`` mimics an error created without one."""
    body_data = {"status": status, **data} if status is not None else None
    return reply({"code": code, "message": message, "data": body_data}, status or 500)


def no_route() -> Response:
    return error("rest_no_route", "No route was found matching the URL and request method.", 404)


def invalid_params(problems: dict[str, str]) -> Response:
    names = ", ".join(problems)
    details = {name: {"code": "rest_invalid_param", "message": msg, "data": None} for name, msg in problems.items()}
    return error("rest_invalid_param", f"Invalid parameter(s): {names}", 400, params=problems, details=details)


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
