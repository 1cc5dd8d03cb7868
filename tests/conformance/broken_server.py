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


APP_BREAKS = {"renamed-field": renamed_field, "number-amount": number_amount, "create-202": create_202,
              "key-ignored": key_ignored, "no-total": no_total,
              "no-webhooks": no_webhooks,
              "total-per-page": total_per_page, "coupon-code-wrong-field": coupon_code_wrong_field,
              "delete-ignored": delete_ignored}
OTHER_BREAKS = {"refund-silent": refund_silent,
                "pmpro-user-routes-open": pmpro_user_routes_open}
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
