"""The dashboard's pages: server-rendered HTML over the functions the control routes call.

Reading pages call what the JSON routes call (the journal, the faults, the clock's state, the
deliveries, the sites' descriptions); every form posts to a control route itself (see
``mock_server.forms``), so a person and a script take one code path. Pages work without
JavaScript; the journal's auto-refresh is a ``<meta http-equiv=refresh>`` the page asks for.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from mock_server import control, forms
from mock_server.dashboard import data
from mock_server.journal import FilterError, api_prefixes
from mock_server.sites import current
from mock_server.webhooks import outbox
from mock_server.webhooks.control import STATUSES, deliveries_of, delivery_counts

dashboard = Blueprint("dashboard", __name__, url_prefix="/__mock__", template_folder="templates")

STYLESHEET = Path(__file__).with_name("static") / "dashboard.css"
PER_PAGE = 20
JOURNAL_LIMITS = (50, 100, 500)
DELIVERIES_SHOWN = 100
REFRESH_SECONDS = 5
GLOB = set("*?[")


def _sites():
    return current_app.extensions["membermock.sites"]


def _root() -> str:
    return request.host_url.rstrip("/")


def render(template: str, **context) -> str:
    site = current()
    sites = _sites()
    return render_template(
        f"dashboard/{template}", site=site, site_label=site.name or "default",
        site_names=sites.names(), clock=control.clock_state(site), notice=_notice(),
        here=forms_next(), **context)


def _notice() -> tuple[str, str] | None:
    for kind in forms.NOTICES:
        if request.args.get(kind):
            return kind, request.args[kind]
    return None


def forms_next() -> str:
    """This page's address without its notice: where a form on it comes back to."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in forms.NOTICES]
    return request.script_root + request.path + (f"?{urlencode(query)}" if query else "")


# -- overview ------------------------------------------------------------------------------------

@dashboard.get("/")
def overview():
    site = current()
    sites = _sites()
    me = sites.describe(site, _root())
    apis = [(data.API_TITLES.get(api, api), me["url"] + prefix) for prefix, api in sorted(api_prefixes())]
    journal = site.journal
    stats = {"requests": journal.count({}) if journal else None,
             "faults": len(site.faults.all()),
             "deliveries": delivery_counts(site.store)}
    return render("overview.html", me=me, apis=apis, users=control.user_list(site), stats=stats,
                  sites=[sites.describe(s, _root()) for s in sites.list()])


# -- the request journal ---------------------------------------------------------------------------

@dashboard.get("/ui/requests")
def requests_page():
    journal = current().journal
    filters = {name: request.args[name].strip() for name in ("api", "method", "path", "status")
               if request.args.get(name, "").strip()}
    query = dict(filters)
    if "path" in query and not GLOB & set(query["path"]):
        query["path"] = f"*{query['path']}*"     # plain text matches anywhere in the path
    limit = request.args.get("limit", type=int)
    limit = limit if limit in JOURNAL_LIMITS else JOURNAL_LIMITS[1]
    entries, matched, problem = [], 0, None
    if journal is not None:
        try:
            entries = journal.entries(query, limit)
            matched = journal.count(query) if filters else None
        except FilterError as exc:
            problem = str(exc)
    entries.reverse()   # newest first
    refresh = request.args.get("refresh") == "on"
    return render("requests.html", journal_on=journal is not None, entries=entries, matched=matched,
                  filters=filters, limit=limit, limits=JOURNAL_LIMITS, problem=problem, refresh=refresh,
                  refresh_seconds=REFRESH_SECONDS, apis=sorted({api for _prefix, api in api_prefixes()}) + ["other"])


@dashboard.get("/ui/requests/<int:id>")
def request_page(id):  # noqa: A002 (as the JSON route names it)
    journal = current().journal
    entry = journal.entry(id) if journal else None
    if entry is None:
        abort(404)
    return render("request.html", entry=entry, body=_pretty_text(entry["body"]))


def _pretty_text(text: str | None) -> str | None:
    if not text:
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


# -- webhooks ---------------------------------------------------------------------------------------

@dashboard.get("/ui/webhooks")
def webhooks_page():
    store = current().store
    status = request.args.get("status")
    status = status if status in STATUSES else None
    shown = deliveries_of(store, status=status, latest=DELIVERIES_SHOWN)
    shown.reverse()
    by_type: dict[str, list[str]] = {}
    for event in outbox.events():
        by_type.setdefault(outbox.event_type(event), []).append(event)
    return render("webhooks.html", hooks=sorted(store.all(outbox.HOOKS), key=lambda h: int(h["id"])),
                  deliveries=shown, status=status, statuses=STATUSES, counts=delivery_counts(store),
                  events_by_type=by_type, shown_max=DELIVERIES_SHOWN)


# -- data -------------------------------------------------------------------------------------------

@dashboard.get("/ui/data")
def data_index():
    groups = {}
    for collection in data.COLLECTIONS:
        try:
            total = collection.page(1, 1)[1]
        except data.Unavailable as exc:
            total = f"({exc})"
        groups.setdefault(collection.api, []).append((collection, total))
    return render("data_index.html", groups=groups, titles=data.API_TITLES)


@dashboard.get("/ui/data/<api>/<collection>")
def data_page(api, collection):
    shown = data.BY_KEY.get((api, collection)) or abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    try:
        rows, total = shown.page(page, PER_PAGE)
        problem = None
    except data.Unavailable as exc:
        rows, total, problem = [], 0, str(exc)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render("data.html", collection=shown, rows=rows, total=total, page=page, pages=pages,
                  problem=problem, titles=data.API_TITLES, field=data.field, collections=data.COLLECTIONS)


@dashboard.get("/ui/data/<api>/<collection>/<id>")
def data_object(api, collection, id):  # noqa: A002
    shown = data.BY_KEY.get((api, collection)) or abort(404)
    answer = shown.one(id) or abort(404)
    return render("object.html", collection=shown, answer=answer, titles=data.API_TITLES,
                  text=json.dumps(answer.body, indent=2, ensure_ascii=False))


# -- faults and the clock ---------------------------------------------------------------------------

@dashboard.get("/ui/faults")
def faults_page():
    site = current()
    return render("faults.html", faults=site.faults.all(),
                  events=outbox.events(), apis=sorted({api for _prefix, api in api_prefixes()}))


@dashboard.get("/ui/dashboard.css")
def stylesheet():
    response = Response(STYLESHEET.read_bytes(), mimetype="text/css")
    response.headers["Cache-Control"] = "max-age=300"
    return response


@dashboard.errorhandler(404)
def not_found(_exc):
    return render("missing.html"), 404


# -- filters --------------------------------------------------------------------------------------

@dashboard.app_template_filter("utc")
def utc(stamp) -> str:
    """Unix seconds (machine time: journal, deliveries) as a short UTC time."""
    if stamp is None:
        return ""
    return datetime.fromtimestamp(float(stamp), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dashboard.app_template_filter("due")
def due(stamp) -> str:
    seconds = outbox.due_in(float(stamp))
    if seconds <= 1:
        return "due"
    return f"in {seconds:.0f} s" if seconds < 120 else f"in {seconds / 60:.0f} min"


@dashboard.app_template_filter("status_class")
def status_class(code) -> str:
    if not code:
        return "s-none"
    return f"s-{str(code)[0]}xx"


@dashboard.app_template_filter("cell")
def cell(value) -> str:
    """A value as one short table cell: an object by its name, a list by its items' names."""
    if isinstance(value, dict):
        for key in ("title", "name", "username", "display_name", "code", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return "{…}"
    if isinstance(value, list):
        names = [cell(v) for v in value[:3]]
        return ", ".join(names) + (f" +{len(value) - 3}" if len(value) > 3 else "") if value else "—"
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


@dashboard.app_template_global("page_url")
def page_url(**changes) -> str:
    args = {k: v for k, v in request.args.items() if k not in forms.NOTICES}
    args.update({k: v for k, v in changes.items()})
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)
