"""Application factory: ``create_app(config)`` returns the mock site as a Flask app.

Routes are not written here: every operation of the OpenAPI documents is bound to the handler
its API module names, and ``dispatch`` runs WordPress's request pipeline around it
(authentication, argument validation, permission check, callback).
"""
from __future__ import annotations

import json
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from mock_server import cache, clock, control_access, discovery, forms, operations, wp
from mock_server.call import Call
from mock_server.config import Config
from mock_server.seeding import SEEDED, ensure_seeded
from mock_server.site import Site
from mock_server.faults import FaultsLayer
from mock_server.journal import JournalLayer
from mock_server.sites import ENVIRON_KEY, Sites, SitesLayer
from mock_server.webhooks import hooks

API_MODULES = ("mock_server.memberpress", "mock_server.pmpro", "mock_server.abilities")
MAX_BODY = 8 * 1024 * 1024


def api_modules() -> list:
    return [import_module(name) for name in API_MODULES]


def prepare(config: Config) -> Site:
    """Open the site's store and, on first use, set its clock as configured and seed it."""
    site = Site(config)
    if site.store.get_meta(SEEDED) is None:
        set_clock(site, config)
    with clock.using(site.clock.reading()):
        ensure_seeded(site, api_modules())
    if config.webhooks:
        with site.store.transaction() as db:
            hooks.install(site, db)
    return site


def set_clock(site: Site, config: Config) -> None:
    """``serve --now ISO [--frozen]``: the site's clock shows that moment now."""
    if config.now or config.frozen:
        moment = clock.parse_moment(config.now) if config.now else site.clock.reading().now()
        with site.store.transaction() as db:
            site.clock.write(db, site.clock.moved_to(moment, config.frozen))


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    app = Flask("membermock")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.url_map.strict_slashes = False
    sites = Sites(config, prepare)
    app.extensions["membermock"] = sites.default
    app.extensions["membermock.sites"] = sites
    modules = api_modules()
    for module in modules:
        _bind(app, config, module)
    from mock_server.control import control
    from mock_server.webhooks.control import webhooks_control
    app.register_blueprint(control)
    app.register_blueprint(webhooks_control)
    if config.dashboard:
        from mock_server.dashboard import dashboard
        from mock_server.dashboard.rest import ROUTES
        app.register_blueprint(dashboard)
        app.extensions[ROUTES] = app.wsgi_app   # the routes below the layers, for the dashboard's reads
    forms.install(app)
    control_access.install(app)
    inner = FaultsLayer(cache.CachedGets(app.wsgi_app, ENVIRON_KEY), ENVIRON_KEY)
    if config.journal_size:
        inner = JournalLayer(inner, ENVIRON_KEY)
    app.wsgi_app = SitesLayer(RestRouteMiddleware(inner), sites)
    _error_pages(app)
    return app


# WordPress serves its discovery routes to anyone, whatever plugin owns the namespace.
_ANYONE = SimpleNamespace(authorize=lambda call: None)


def _bind(app: Flask, config: Config, module) -> None:
    for op in operations.load(module.API):
        optional = op.spec.get("x-optional-route")
        if optional and not getattr(config, optional):
            continue  # a route this site does not have: WordPress answers rest_no_route
        served = op.spec.get("x-wp-discovery")
        handler = discovery.VIEWS[served] if served else module.HANDLERS[op.op_id]
        rule = module.VALIDATE_ARGS
        validates = rule(op) if callable(rule) else bool(rule)
        view = _view(_ANYONE if served else module, op, handler, validates)
        app.add_url_rule(op.flask_rule(), endpoint=op.op_id, view_func=view, methods=[op.method])
    if hasattr(module, "register"):
        module.register(app)


def _view(module, op, handler, validates: bool):
    def view(**path):
        return dispatch(module, op, handler, path, validates)
    view.__name__ = op.op_id
    return view


def dispatch(module, op, handler, path: dict, validates: bool):
    req = request._get_current_object()  # one proxy lookup instead of one per attribute
    site = req.environ[ENVIRON_KEY]
    # Wrong application-password credentials do not end a request: WordPress resolves the current
    # user lazily, only after its rest_authentication_errors check has run, so the request goes
    # on as an anonymous one (seen on a real WordPress 6.1 site; docs/realsite.md).
    user, _wrong = site.authenticate(req.headers.get("Authorization"))
    body, bad_body = _body(req)
    if bad_body:
        return bad_body
    if not isinstance(body, dict):
        body = {}  # WordPress finds no named params in a JSON list, scalar or null
    raw_query = wp.php_form(req.args.items(multi=True)) if req.query_string else {}
    call = Call(site, op, req, path, dict(raw_query), body, user, raw_query)
    if validates:
        refused = _validate(call, presence_only=validates == "required")
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


def _validate(call: Call, presence_only: bool = False):
    """WordPress's has_valid_params: required args first, then each arg against its schema (not
    when the route only marks args required, sanitizing them in its own way)."""
    missing, invalid = [], {}
    for param in call.op.params:
        if param.where != "query":
            continue
        raw = _raw_param(call, param)
        if raw is _ABSENT:
            if param.required:
                missing.append(param.name)
            continue
        if presence_only:
            continue
        value, problem = operations.coerce(param.validator, raw)
        if problem:
            invalid[param.name] = f"{param.name} {problem}"
        else:
            call.query[param.name] = value
    validator = call.op.body.get(_media(call.request)) or next(iter(call.op.body.values()), None)
    if validator is not None and not presence_only:
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
                environ["membermock.query_as_sent"] = environ["QUERY_STRING"]
                environ["PATH_INFO"] = "/wp-json" + ("/" + route.lstrip("/"))
                rest = [(k, v) for k, v in pairs if k != "rest_route"]
                from urllib.parse import urlencode
                environ["QUERY_STRING"] = urlencode(rest)
        return self.app(environ, start_response)
