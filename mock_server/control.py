"""The mock's own API under /__mock__/, kept apart from the plugins' routes."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from membermock import contracts
from mock_server import wp
from mock_server.seeding import SEEDED, reseed
from mock_server import scenarios
from mock_server.faults import FaultError
from mock_server.journal import FilterError
from mock_server.scenarios import ScenarioError
from mock_server.sites import SiteError, current

control = Blueprint("control", __name__, url_prefix="/__mock__")


def _site():
    return current()


def _modules():
    from mock_server.app import api_modules
    return api_modules()


def _sites():
    return current_app.extensions["membermock.sites"]


def _root() -> str:
    return request.host_url.rstrip("/")


@control.get("/health")
def health():
    site = _site()
    return wp.reply({"status": "ok", "site": site.name, "seed": site.store.get_meta(SEEDED)})


# -- isolated sites --------------------------------------------------------------------------

@control.get("/sites")
def list_sites():
    sites = _sites()
    return wp.reply([sites.describe(site, _root()) for site in sites.list()])


@control.post("/sites")
def create_site():
    body, problem = _json_object()
    if problem:
        return problem
    fields = contracts.control()["components"]["schemas"]["NewSite"]["properties"]
    unknown = sorted(set(body) - set(fields))
    if unknown:
        return wp.error("mock_invalid_site", f"Unknown field(s): {', '.join(unknown)}; a new site takes "
                        f"{', '.join(fields)}.", 400)
    scenario = body.get("scenario")
    try:
        site = _sites().create(body.get("name"), body.get("seed"), scenario)
    except SiteError as exc:
        return wp.error(exc.code, exc.message, exc.status)
    except ScenarioError as exc:
        return exc.response()
    return wp.reply(_sites().describe(site, _root()), 201)


@control.get("/sites/<name>")
def get_site(name):
    site = _sites().get(name)
    if site is None:
        return wp.error("mock_no_site", f"No site named {name!r} on this server.", 404)
    return wp.reply(_sites().describe(site, _root()))


@control.delete("/sites/<name>")
def delete_site(name):
    if not _sites().delete(name):
        return wp.error("mock_no_site", f"No site named {name!r} on this server.", 404)
    return wp.reply({"deleted": True, "name": name})


def _json_object():
    """The request's JSON object ({} when there is no body), or a 400 saying what is wrong."""
    if not request.get_data():
        return {}, None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, wp.error("mock_invalid_json", "The body must be a JSON object.", 400)
    return body, None


@control.get("/users")
def users():
    site = _site()
    return wp.reply([
        {"id": u["id"], "login": u["user_login"], "email": u["user_email"], "roles": u["roles"],
         "application_password": u.get("app_password")}
        for u in site.users()
    ])


@control.post("/reset")
def reset():
    """Back to where the site started: its scenario if one was loaded, else its seeded data."""
    site = _site()
    loaded = site.store.get_meta(scenarios.SCENARIO_META)
    if loaded:
        scenarios.load(site, loaded["doc"], loaded["source"])
    else:
        reseed(site, _modules(), site.store.get_meta(SEEDED))
    return wp.reply({"status": "reset", "seed": site.store.get_meta(SEEDED)})


@control.post("/reseed")
def reseed_route():
    raw = request.args.get("seed") or (request.get_json(silent=True) or {}).get("seed")
    try:
        seed = int(raw)
    except (TypeError, ValueError):
        return wp.error("mock_invalid_seed", "Pass an integer seed, e.g. ?seed=7.", 400)
    site = _site()
    reseed(site, _modules(), seed)
    return wp.reply({"status": "reseeded", "seed": seed})


@control.get("/state")
def state():
    if request.args.get("format") == "scenario":
        as_yaml = request.args.get("as") == "yaml"
        text = scenarios.dumps(scenarios.export(_site()), as_yaml)
        return Response(text, mimetype="application/yaml" if as_yaml else "application/json")
    return wp.reply(_site().store.dump())


@control.post("/scenario")
def load_scenario():
    """The body is the scenario, YAML or JSON; it replaces the site's data as a whole or not at all."""
    source = request.args.get("file") or "scenario"
    try:
        loaded = scenarios.load(_site(), request.get_data(), source)
    except ScenarioError as exc:
        return exc.response()
    return wp.reply({"loaded": loaded})


# -- the request journal ---------------------------------------------------------------------

FILTERS = ("method", "path", "status", "api", "since")


def _journal():
    journal = _site().journal
    if journal is None:
        return None, wp.error("mock_journal_off", "The request journal is off (serve --journal-size 0).", 404)
    return journal, None


def _filters():
    return {name: request.args[name] for name in FILTERS if request.args.get(name)}


@control.get("/requests")
def list_requests():
    journal, off = _journal()
    if off:
        return off
    limit = request.args.get("limit")
    if limit is not None and (not limit.isdigit() or int(limit) < 1):
        return wp.error("mock_invalid_filter", "limit is a positive integer.", 400)
    try:
        entries = journal.entries(_filters(), int(limit) if limit else None)
    except FilterError as exc:
        return wp.error("mock_invalid_filter", str(exc), 400)
    return wp.reply(entries, headers={"X-WP-Total": str(len(entries))})


@control.get("/requests/count")
def count_requests():
    journal, off = _journal()
    if off:
        return off
    try:
        return wp.reply({"count": journal.count(_filters())})
    except FilterError as exc:
        return wp.error("mock_invalid_filter", str(exc), 400)


@control.get("/requests/<int:id>")
def get_request(id):  # noqa: A002 (the documented path parameter)
    entry_id = id
    journal, off = _journal()
    if off:
        return off
    entry = journal.entry(entry_id)
    if entry is None:
        return wp.error("mock_no_request", f"No journal entry {entry_id} (it may have been dropped).", 404)
    return wp.reply(entry)


@control.delete("/requests")
def clear_requests():
    journal, off = _journal()
    if off:
        return off
    return wp.reply({"cleared": journal.clear()})


# -- faults ------------------------------------------------------------------------------------

@control.get("/faults")
def list_faults():
    return wp.reply(_site().faults.all())


@control.post("/faults")
def add_fault():
    body, problem = _json_object()
    if problem:
        return problem
    try:
        fault = _site().faults.add(body)
    except FaultError as exc:
        return wp.error("mock_invalid_fault", str(exc), 400)
    return wp.reply(fault, 201)


@control.delete("/faults")
def clear_faults():
    return wp.reply({"removed": _site().faults.remove()})


@control.delete("/faults/<int:id>")
def remove_fault(id):  # noqa: A002 (the documented path parameter)
    fault_id = id
    if not _site().faults.remove(fault_id):
        return wp.error("mock_no_fault", f"No fault {fault_id} on this site.", 404)
    return wp.reply({"removed": 1})
