"""The mock with one deliberate deviation, served by a real `serve` process.

    python -m tests.conformance.broken_server VARIANT PORT DB

Each variant patches ``mock_server.app.create_app`` (or the webhook outbox) before serving, so
every worker runs the broken site. The conformance suite must report each one.
"""
from __future__ import annotations

import json
import sys

from tests.server.harness import ADMIN_PASSWORD, API_KEY

MP = "/wp-json/mp/v1"


def _rewrite_json(response, change) -> None:
    if response.mimetype != "application/json":
        return
    body = json.loads(response.get_data())
    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict):
            change(item)
    response.set_data(json.dumps(body))


def renamed_field(app):
    """Member answers call ``email`` ``email_address``."""
    from flask import request

    @app.after_request
    def rename(response):
        if request.path.startswith(f"{MP}/members"):
            _rewrite_json(response, lambda m: "email" in m and m.__setitem__("email_address", m.pop("email")))
        return response


def number_amount(app):
    """Transaction ``amount`` as a JSON number instead of a decimal string."""
    from flask import request

    @app.after_request
    def retype(response):
        if request.path.startswith(f"{MP}/transactions"):
            _rewrite_json(response, lambda t: isinstance(t.get("amount"), str) and t.__setitem__("amount", float(t["amount"])))
        return response


def create_202(app):
    """createMember answers 202 instead of 200."""
    from flask import request

    @app.after_request
    def restatus(response):
        if request.method == "POST" and request.path.rstrip("/") == f"{MP}/members" and response.status_code == 200:
            response.status_code = 202
        return response


def key_ignored(app):
    """MemberPress routes act as if every request carried the API key."""
    from flask import request

    @app.before_request
    def let_in():
        if request.path.startswith(MP) and "HTTP_AUTHORIZATION" not in request.environ:
            request.environ["HTTP_MEMBERPRESS_API_KEY"] = API_KEY


def no_total(app):
    """List answers lose their X-WP-Total header."""
    @app.after_request
    def drop(response):
        response.headers.pop("X-WP-Total", None)
        return response


def no_webhooks(app):
    """A site without the webhook routes (not a break: the suite must skip, saying why)."""
    from flask import request

    from mock_server import wp

    @app.before_request
    def unrouted():
        if request.path.startswith(f"{MP}/webhooks/"):
            return wp.no_route()


def refund_silent():
    """transaction-refunded is never queued."""
    from mock_server.webhooks import outbox

    original = outbox.emit

    def emit(site, db, event, data):
        return 0 if event == "transaction-refunded" else original(site, db, event, data)

    outbox.emit = emit


def total_per_page(app):
    """MemberPress lists count only the items on the page asked for in X-WP-Total (and so answer one
    page in X-WP-TotalPages), however many more the later pages hold."""
    from flask import request

    @app.after_request
    def recount(response):
        if request.method == "GET" and request.path.startswith(MP) and "X-WP-Total" in response.headers:
            shown = len(json.loads(response.get_data()))
            response.headers["X-WP-Total"] = str(shown)
            response.headers["X-WP-TotalPages"] = "1" if shown else "0"
        return response


def coupon_code_wrong_field(app):
    """The coupon list's ``code`` filter compares a ``code`` field coupons do not have (theirs is
    ``coupon_code``), so it finds nothing for a code that exists."""
    from flask import request

    @app.after_request
    def nothing(response):
        if request.path.rstrip("/") == f"{MP}/coupons" and request.args.get("code") and response.status_code == 200:
            response.set_data("[]")
            response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"] = "0", "0"
        return response


def delete_ignored(app):
    """MemberPress DELETE routes delete nothing: each answers as for an id that does not exist
    (a documented 404, or 409 for a webhook), so no create -> delete chain ever completes."""
    inner = app.wsgi_app

    def unknown_id(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "DELETE" and path.startswith(MP + "/"):
            environ["PATH_INFO"] = path.rstrip("/").rsplit("/", 1)[0] + "/987654321"
        return inner(environ, start_response)

    app.wsgi_app = unknown_id


def pmpro_user_routes_open():
    """PMPro's has_membership_access, change_membership_level and cancel_membership_level let every
    caller through (their handlers still answer 404 when no user is named)."""
    from mock_server.pmpro import permissions

    original = permissions.allowed
    opened = ("/has_membership_access", "/change_membership_level", "/cancel_membership_level")

    def allowed(call):
        return call.op.path.endswith(opened) or original(call)

    permissions.allowed = allowed

def _rewrite_event(event: str, change) -> None:
    """``change(data)`` on the payload of every ``event`` queued (in the workers, forked from here)."""
    from mock_server.webhooks import outbox

    original = outbox.emit

    def emit(site, db, name, data):
        if name == event:
            data = json.loads(json.dumps(data))
            change(data)
        return original(site, db, name, data)

    outbox.emit = emit


def bad_event_payload():
    """transaction-refunded carries its amount as a JSON number, not the decimal string."""
    _rewrite_event("transaction-refunded", lambda t: t.__setitem__("amount", float(t["amount"])))


def wrong_member():
    """transaction-completed names another member than the one REST shows for the transaction."""
    def other(t):
        member = t.get("member")
        if isinstance(member, dict):
            member["id"] = int(member["id"]) + 100000
        else:
            t["member"] = int(member) + 100000
    _rewrite_event("transaction-completed", other)


def events_reversed():
    """transaction-completed is queued after its recurring / non-recurring variant, not before."""
    from mock_server.webhooks import outbox

    original, held = outbox.emit, {}

    def emit(site, db, event, data):
        if event == "transaction-completed":
            held[id(db)] = (site, db, event, data)
            return 0
        queued = original(site, db, event, data)
        if id(db) in held:
            queued += original(*held.pop(id(db)))
        return queued

    outbox.emit = emit


def _in_deliverer(break_it):
    """Webhooks go out from a process ``serve`` spawns: the break is made there, before it starts."""
    import functools

    from mock_server.webhooks import deliverer
    from tests.conformance import broken_server

    deliverer.run_forever = functools.partial(broken_server._deliver_broken, break_it.__name__)


def _deliver_broken(name: str, config, ready=None):
    from mock_server.webhooks import deliverer
    from tests.conformance import broken_server

    getattr(broken_server, name)()
    return deliverer.run_forever(config, ready)


def _post_twice():
    from mock_server.webhooks.post import Poster

    original = Poster.post

    def post(self, url, body, headers, timeout):
        original(self, url, body, headers, timeout)
        return original(self, url, body, headers, timeout)

    Poster.post = post


def _post_without_key():
    from mock_server.webhooks.post import Poster

    original = Poster.post

    def post(self, url, body, headers, timeout):
        return original(self, url, body, {k: v for k, v in headers.items() if k != "MEMBERPRESS-WEBHOOK-KEY"}, timeout)

    Poster.post = post


def double_delivery():
    """Every delivery is posted twice, same delivery id, same attempt."""
    _in_deliverer(_post_twice)


def no_webhook_key():
    """Deliveries leave without the MEMBERPRESS-WEBHOOK-KEY header."""
    _in_deliverer(_post_without_key)


# -- effects: the answer conforms, what the write did does not -------------------------------------
PM = "/wp-json/pmpro/v1"


def _rewrite_environ(app, change) -> None:
    """Let ``change(environ)`` alter each request before the mock sees it (WSGI level, body included)."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        change(environ)
        return inner(environ, start_response)

    app.wsgi_app = wsgi


def _set_body(environ, body: bytes) -> None:
    import io

    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def _read_json(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        _set_body(environ, raw)
        return None


def _member_path(environ) -> bool:
    import re

    return bool(re.fullmatch(rf"{MP}/members/\d+/?", environ.get("PATH_INFO", "")))


def update_noop(app):
    """A member's POST/PUT/PATCH answers the member as it was, changing nothing."""
    def change(environ):
        if environ["REQUEST_METHOD"] in ("POST", "PUT", "PATCH") and _member_path(environ):
            environ["REQUEST_METHOD"] = "GET"
            _set_body(environ, b"")
    _rewrite_environ(app, change)


def patch_resets(app):
    """PATCH of a member blanks the name fields it was not sent."""
    def change(environ):
        if environ["REQUEST_METHOD"] == "PATCH" and _member_path(environ):
            body = _read_json(environ)
            if isinstance(body, dict):
                body = {"first_name": "", "last_name": "", **body}
                _set_body(environ, json.dumps(body).encode())
                environ["CONTENT_TYPE"] = "application/json"
    _rewrite_environ(app, change)


def delete_keeps(app):
    """DELETE of a member answers 200 and keeps it."""
    def change(environ):
        if environ["REQUEST_METHOD"] == "DELETE" and _member_path(environ):
            environ["REQUEST_METHOD"] = "GET"
    _rewrite_environ(app, change)


def _action(environ, name: str):
    import re

    return re.fullmatch(rf"({MP}/(?:subscriptions|transactions)/\d+)/{name}/?", environ.get("PATH_INFO", ""))


def cancel_noop(app):
    """Cancelling a subscription answers 200 and leaves it as it was."""
    def change(environ):
        hit = environ["REQUEST_METHOD"] == "POST" and _action(environ, "cancel")
        if hit:
            environ["PATH_INFO"], environ["REQUEST_METHOD"] = hit.group(1), "GET"
    _rewrite_environ(app, change)


def refund_keeps_subscription(app):
    """refund_and_cancel refunds the transaction and leaves its subscription running."""
    def change(environ):
        hit = environ["REQUEST_METHOD"] == "POST" and _action(environ, "refund_and_cancel")
        if hit:
            environ["PATH_INFO"] = hit.group(1) + "/refund"
    _rewrite_environ(app, change)


def expire_404(app):
    """Expiring a subscription answers 404."""
    from flask import request

    from mock_server import wp

    @app.before_request
    def unrouted():
        if request.method == "POST" and request.path.rstrip("/").endswith("/expire") and request.path.startswith(MP):
            return wp.no_route()


def change_level_noop(app):
    """PMPro's change_membership_level answers true and changes nothing."""
    from flask import request

    from mock_server import wp

    @app.before_request
    def pretend():
        if request.method != "GET" and request.path.rstrip("/") == f"{PM}/change_membership_level":
            return wp.reply(True)


def restrictions_append(app):
    """Setting a post's restrictions adds the levels sent to those it had, instead of replacing them."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        if environ["REQUEST_METHOD"] != "GET" and environ.get("PATH_INFO", "").rstrip("/") == f"{PM}/post_restrictions":
            body = _read_json(environ)
            if isinstance(body, dict) and body.get("post_id"):
                client = app.test_client()
                held = client.get(f"{PM}/post_restrictions", query_string={"post_id": body["post_id"]},
                                  headers={"Authorization": environ.get("HTTP_AUTHORIZATION", "")}).get_json() or []
                had = [int(row["membership_id"]) for row in held if isinstance(row, dict)]
                body["level_ids"] = sorted(set(had) | {int(x) for x in body.get("level_ids") or []})
                _set_body(environ, json.dumps(body).encode())
                environ["CONTENT_TYPE"] = "application/json"
            elif body is not None:
                _set_body(environ, json.dumps(body).encode())
        return inner(environ, start_response)

    app.wsgi_app = wsgi


def server_error_body(app):
    """Every 5xx answer (a failure inside the plugin, as the fault API causes one) lacks the error's code."""
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        seen = {}
        body = b"".join(inner(environ, lambda status, headers, exc_info=None: seen.update(status=status, headers=headers)))
        if seen["status"].startswith("5") and body.startswith(b"{"):
            data = json.loads(body)
            data.pop("code", None)
            body = json.dumps(data).encode()
        start_response(seen["status"], [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
                       + [("Content-Length", str(len(body)))])
        return [body]

    app.wsgi_app = wsgi


def read_for_everyone():
    """Any logged-in user has `read`, even one with no role (the abilities' list and describe routes)."""
    from mock_server import site

    original = site.Site.can
    site.Site.can = lambda self, user, capability: bool(user) and capability == "read" or original(self, user, capability)


APP_BREAKS = {"renamed-field": renamed_field, "number-amount": number_amount, "create-202": create_202,
              "key-ignored": key_ignored, "no-total": no_total,
              "no-webhooks": no_webhooks,
              "total-per-page": total_per_page, "coupon-code-wrong-field": coupon_code_wrong_field,
              "delete-ignored": delete_ignored,
              "update-noop": update_noop, "patch-resets": patch_resets, "delete-keeps": delete_keeps,
              "cancel-noop": cancel_noop, "refund-keeps-subscription": refund_keeps_subscription,
              "expire-404": expire_404, "change-level-noop": change_level_noop,
              "restrictions-append": restrictions_append, "server-error-body": server_error_body}
OTHER_BREAKS = {"refund-silent": refund_silent,
                "pmpro-user-routes-open": pmpro_user_routes_open,
                "bad-event-payload": bad_event_payload, "wrong-member": wrong_member,
                "events-reversed": events_reversed, "double-delivery": double_delivery,
                "no-webhook-key": no_webhook_key, "read-for-everyone": read_for_everyone}
VARIANTS = (*APP_BREAKS, *OTHER_BREAKS)


def main(variant: str, port: int, db: str) -> int:
    import mock_server.app as app_module
    from mock_server.config import Config
    from mock_server.serve import serve

    if variant in APP_BREAKS:
        original = app_module.create_app

        def create_app(config=None):
            app = original(config)
            APP_BREAKS[variant](app)
            return app

        app_module.create_app = create_app
    else:
        OTHER_BREAKS[variant]()
    config = Config(db=db, mp_api_key=API_KEY, admin_app_password=ADMIN_PASSWORD)
    return serve(config, "127.0.0.1", port, 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
