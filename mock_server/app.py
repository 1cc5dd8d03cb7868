"""Application factory: ``create_app(config)`` returns the mock site as a Flask app.

Routes are not written here: every operation of the OpenAPI documents is bound to the handler
its API module names, and ``dispatch`` runs WordPress's request pipeline around it
(authentication, argument validation, permission check, callback).
"""
from __future__ import annotations

import json
from importlib import import_module
from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from mock_server import operations, wp
from mock_server import cache
from mock_server.call import Call
from mock_server.config import Config
from mock_server.seeding import ensure_seeded
from mock_server.site import Site
from mock_server.webhooks import hooks

API_MODULES = ("mock_server.memberpress", "mock_server.pmpro", "mock_server.abilities")
MAX_BODY = 8 * 1024 * 1024


def api_modules() -> list:
    return [import_module(name) for name in API_MODULES]


def prepare(config: Config) -> Site:
    """Open the site's store and seed it on first use."""
    site = Site(config)
    ensure_seeded(site, api_modules())
    if config.webhooks:
        with site.store.transaction() as db:
            hooks.install(site, db)
    return site


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    app = Flask("membermock")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.url_map.strict_slashes = False
    site = prepare(config)
    app.extensions["membermock"] = site
    modules = api_modules()
    for module in modules:
        _bind(app, site, module)
    from mock_server.control import control
    from mock_server.webhooks.control import webhooks_control
    app.register_blueprint(control)
    app.register_blueprint(webhooks_control)
    app.wsgi_app = RestRouteMiddleware(cache.CachedGets(app.wsgi_app, site.store))
    _error_pages(app)
    return app


def _bind(app: Flask, site: Site, module) -> None:
    for op in operations.load(module.API):
        handler = module.HANDLERS[op.op_id]
        rule = module.VALIDATE_ARGS
        validates = rule(op) if callable(rule) else bool(rule)
        view = _view(site, module, op, handler, validates)
        app.add_url_rule(op.flask_rule(), endpoint=op.op_id, view_func=view, methods=[op.method])
    if hasattr(module, "register"):
        module.register(app, site)


def _view(site, module, op, handler, validates: bool):
    def view(**path):
        return dispatch(site, module, op, handler, path, validates)
    view.__name__ = op.op_id
    return view


def dispatch(site: Site, module, op, handler, path: dict, validates: bool):
    req = request._get_current_object()  # one proxy lookup instead of one per attribute
    user, failure = site.authenticate(req.headers.get("Authorization"))
    if failure:
        return wp.error(failure[0], failure[1], 401)
    body, bad_body = _body(req)
    if bad_body:
        return bad_body
    if not isinstance(body, dict):
        body = {}  # WordPress finds no named params in a JSON list, scalar or null
    raw_query = wp.php_form(req.args.items(multi=True)) if req.query_string else {}
    call = Call(site, op, req, path, dict(raw_query), body, user, raw_query)
    if validates:
        refused = _validate(call)
        if refused:
            return refused
    refused = module.authorize(call)
    if refused:
        return refused
    if req.method != "GET":
        return handler(call)
    version = site.store.version()
    response = handler(call)
    if site.store.version() == version and not response.is_streamed:
        req.environ[cache.MARK] = version  # the same GET may be answered from this until a commit
    return response


def _body(request):
    """The request body as WordPress reads it: JSON when declared so, else PHP-style form fields."""
    if request.method == "GET" or not request.content_length and not request.is_json:
        return {}, None
    raw = request.get_data(cache=True)
    if request.is_json:
        if not raw.strip():
            return {}, None
        try:
            return json.loads(raw), None
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None, wp.error("rest_invalid_json", "Invalid JSON body passed.", 400,
                                  json_error_code=4, json_error_message="Syntax error")
    mimetype = request.mimetype or ""
    if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return wp.php_form(request.form.items(multi=True)), None
    try:
        return wp.php_form(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)), None
    except UnicodeDecodeError:
        return {}, None


def _validate(call: Call):
    """WordPress's has_valid_params: required args first, then each arg against its schema."""
    missing, invalid = [], {}
    for param in call.op.params:
        if param.where != "query":
            continue
        raw = _raw_param(call, param)
        if raw is _ABSENT:
            if param.required:
                missing.append(param.name)
            continue
        value, problem = operations.coerce(param.validator, raw)
        if problem:
            invalid[param.name] = f"{param.name} {problem}"
        else:
            call.query[param.name] = value
    validator = call.op.body.get(_media(call.request)) or next(iter(call.op.body.values()), None)
    if validator is not None:
        for error in validator.iter_errors(call.body):
            if error.validator == "required" and not error.absolute_path:
                missing.extend(n for n in error.validator_value if n not in call.body)
            elif not _coercible(validator, call.body, error):
                name = str(error.absolute_path[0]) if error.absolute_path else "body"
                invalid.setdefault(name, f"{name} {error.message}" if error.absolute_path else error.message)
    if missing:
        return wp.missing_params(sorted(set(missing)))
    if invalid:
        return wp.invalid_params(invalid)
    return None


_ABSENT = object()


def _raw_param(call: Call, param):
    """A query param as the contract names it: ``search[id]`` literally, ``input`` (deepObject) as
    the PHP array of its bracketed keys, ``ids[]`` as a list, anything else as its plain value."""
    args = call.request.args
    if param.style_deep:
        return call.raw_query.get(param.name, _ABSENT)
    if param.name in args:
        return args.get(param.name)
    if f"{param.name}[]" in args:
        return args.getlist(f"{param.name}[]")
    return _ABSENT


def _coercible(validator, body: dict, error) -> bool:
    """Form fields are strings; a field whose string reading fits its schema is not an error."""
    if not error.absolute_path:
        return False
    name = error.absolute_path[0]
    if not isinstance(body.get(name), str):
        return False
    for candidate in operations.candidates(body[name]):
        trial = dict(body, **{name: candidate})
        if not any(e.absolute_path and e.absolute_path[0] == name for e in validator.iter_errors(trial)):
            body[name] = candidate
            return True
    return False


def _media(req) -> str:
    return "application/json" if req.is_json else "application/x-www-form-urlencoded"


def _error_pages(app: Flask) -> None:
    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_routed(_exc):
        return wp.no_route()

    @app.errorhandler(413)
    def too_large(_exc):
        return wp.error("rest_request_too_large", "The request body is too large.", 413)

    @app.errorhandler(HTTPException)
    def other_http(exc):
        return wp.error("rest_invalid_request", exc.description or exc.name, exc.code or 400)

    @app.errorhandler(Exception)
    def crashed(exc):
        # What WordPress shows for a PHP fatal error; a test that sees it has found a mock bug.
        app.logger.exception("unhandled error")
        return wp.error("internal_server_error", "There has been a critical error on this website.", 500)


class RestRouteMiddleware:
    """``/?rest_route=/mp/v1/members`` reaches the same handler as ``/wp-json/mp/v1/members``."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "/") in ("/", "/index.php") and "rest_route=" in environ.get("QUERY_STRING", ""):
            pairs = parse_qsl(environ["QUERY_STRING"], keep_blank_values=True)
            route = next((v for k, v in pairs if k == "rest_route"), None)
            if route:
                environ["PATH_INFO"] = "/wp-json" + ("/" + route.lstrip("/"))
                rest = [(k, v) for k, v in pairs if k != "rest_route"]
                from urllib.parse import urlencode
                environ["QUERY_STRING"] = urlencode(rest)
        return self.app(environ, start_response)
