"""HTML forms reach the same control routes as scripts: one code path for people and for tests.

A control route reads its body with ``body()``: a JSON object, or an HTML form read as that object
would be written. Each form field gets the type the control document gives it (``"503"`` becomes
503 for a fault's ``status``, ``"true"`` becomes true for ``drop``), empty fields are left out (a
form sends its untouched inputs), and fields starting with ``_`` belong to the form (``_next``,
the page to go back to). The route then checks the body exactly as it checks JSON.

What a browser that posted a form gets is decided after the route has answered: a 303 back to the
page, carrying the route's answer (``done``) or its error message (``error``), so a reload never
posts twice. A script gets the route's JSON as always. HTML forms only GET and POST, so a form's
``POST ...?_method=DELETE`` is the route's DELETE.
"""
from __future__ import annotations

import json
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, redirect, request

from membermock import contracts
from mock_server import operations, wp
from mock_server.journal import CONTROL_PREFIX

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOTICES = ("done", "error")
NOTICE_LENGTH = 400
REFUSALS = (401, 403)       # who may post is answered as is: the browser asks for a password


def is_form() -> bool:
    return request.mimetype in FORM_TYPES


def body() -> tuple[dict | None, Response | None]:
    """The request's body as an object ({} when there is none), or a 400 saying what is wrong.
    JSON sent as a form (``curl -d '{...}'`` without a Content-Type) is read as the JSON it is."""
    raw = request.get_data(cache=True)
    if is_form() and raw.lstrip()[:1] not in (b"{", b"["):
        return _form_fields(), None
    if not raw:
        return {}, None
    data = request.get_json(silent=True, force=is_form())
    if not isinstance(data, dict):
        return None, wp.error("mock_invalid_json", "The body must be a JSON object.", 400)
    return data, None


def _form_fields() -> dict:
    fields = {k: v for k, v in wp.php_form(request.form.items(multi=True)).items()
              if not k.startswith("_") and v not in ("", [], {})}
    typed = _field_validators(request.url_rule.rule if request.url_rule else "", request.method.lower())
    for name, value in fields.items():
        validator = typed.get(name)
        if validator is not None and isinstance(value, str):
            fields[name] = _typed(validator, value)
    return fields


def _typed(validator, value: str):
    """A form has no types: a field reads as a number or a boolean where the schema takes one,
    else it stays the string it was (and the route names what is wrong with it)."""
    readings = list(operations.candidates(value))
    for candidate in readings[1:] + readings[:1]:
        if validator.is_valid(candidate):
            return candidate
    return value


def openapi_path(rule: str) -> str:
    """``/__mock__/faults/<int:id>`` -> ``/__mock__/faults/{id}``, as the control document writes it."""
    out, rest = [], rule
    while "<" in rest:
        head, _, tail = rest.partition("<")
        name, _, rest = tail.partition(">")
        out += [head, "{", name.rpartition(":")[2], "}"]
    return "".join(out) + rest


@cache
def _field_validators(rule: str, method: str) -> dict:
    """Validators of each field of the route's JSON body, read from the control document."""
    path = openapi_path(rule)
    doc = contracts.control()
    try:
        schema = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        return {}
    pointer = "/".join(["/paths", path.replace("~", "~0").replace("/", "~1"), method,
                        "requestBody/content/application~1json/schema"])
    while "$ref" in schema and schema["$ref"].startswith("#/"):
        pointer = schema["$ref"][1:]
        schema = doc
        for token in pointer[1:].split("/"):
            schema = schema[token]
    return {name: contracts.control_validator_at(f"{pointer}/properties/{name}")
            for name in schema.get("properties", {})}


# -- the answer ------------------------------------------------------------------------------

def _browser_form() -> bool:
    return request.method != "GET" and is_form() and request.accept_mimetypes.accept_html


def answer_browser(response: Response) -> Response:
    """A browser's form post goes back to its page (303) with the route's answer in the URL."""
    if not request.path.startswith(CONTROL_PREFIX) or not _browser_form() or response.status_code in REFUSALS:
        return response
    if response.status_code >= 400:
        notice = ("error", _message(response))
    else:
        notice = ("done", f"{request.method} {request.path} \N{RIGHTWARDS ARROW} {response.status_code}"
                          f"{': ' + response.get_data(as_text=True) if response.is_json else ''}")
    return redirect(_back(notice), 303)


def _message(response: Response) -> str:
    try:
        data = json.loads(response.get_data(as_text=True))
    except ValueError:
        return f"HTTP {response.status_code}"
    message = data.get("message") if isinstance(data, dict) else data
    return f"{response.status_code}: {message}"


def _back(notice: tuple[str, str]) -> str:
    """The page the form names in ``_next`` (a path of this site), or the dashboard."""
    root = request.script_root
    wanted = request.form.get("_next") or ""
    parts = urlsplit(wanted)
    if not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted or parts.scheme or parts.netloc:
        parts = urlsplit(f"{CONTROL_PREFIX}/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in NOTICES]
    text = notice[1] if len(notice[1]) <= NOTICE_LENGTH else notice[1][:NOTICE_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"
    query.append((notice[0], text))
    return urlunsplit(("", "", root + parts.path, urlencode(query), ""))


class MethodOverride:
    """``POST /__mock__/...?_method=DELETE`` with a form body is the route's DELETE."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and "_method=" in environ.get("QUERY_STRING", "") \
                and (environ.get("PATH_INFO") or "").startswith(CONTROL_PREFIX) \
                and (environ.get("CONTENT_TYPE") or "").split(";")[0].strip() in FORM_TYPES:
            pairs = parse_qsl(environ["QUERY_STRING"], keep_blank_values=True)
            if dict(pairs).get("_method", "").upper() == "DELETE":
                environ["REQUEST_METHOD"] = "DELETE"
                environ["QUERY_STRING"] = urlencode([(k, v) for k, v in pairs if k != "_method"])
        return self.app(environ, start_response)


def install(app: Flask) -> None:
    app.after_request(answer_browser)
    app.wsgi_app = MethodOverride(app.wsgi_app)
