"""Paid Memberships Pro ``/wp-json/pmpro/v1`` on the mock site.

The plugin registers its routes without WordPress ``args`` schemas (or with empty ones), so
WordPress validates nothing: callbacks read raw values and answer bad input themselves (bare
JSON strings, ``false``, ``{}``), which ``handlers`` reproduces. Permissions follow the
capability table the contract carries (``permissions``).
"""
from __future__ import annotations

from mock_server import operations
from mock_server.sites import current
from mock_server.pmpro import handlers
from mock_server.pmpro.permissions import authorize  # noqa: F401  (module interface)
from mock_server.pmpro.seed import seed  # noqa: F401  (module interface)

API = "pmpro"
VALIDATE_ARGS = False

# Callbacks per route: (route, "read" for GET, "edit" for POST/PUT/PATCH, "delete"), as
# register_rest_route binds them in includes/rest-api.php.
CALLBACKS = {
    ("has_membership_access", "read"): handlers.has_membership_access,
    ("get_membership_level_for_user", "read"): handlers.get_membership_level_for_user,
    ("get_membership_levels_for_user", "read"): handlers.get_membership_levels_for_user,
    ("change_membership_level", "edit"): handlers.change_membership_level,
    ("cancel_membership_level", "edit"): handlers.cancel_membership_level,
    ("membership_level", "read"): handlers.get_membership_level,
    ("membership_level", "edit"): handlers.set_membership_level,
    ("membership_level", "delete"): handlers.delete_membership_level,
    ("membership_levels", "read"): handlers.list_membership_levels,
    ("discount_code", "read"): handlers.get_discount_code,
    ("discount_code", "edit"): handlers.set_discount_code,
    ("order", "read"): handlers.get_order,
    ("checkout_level", "read"): handlers.get_checkout_level,
    ("post_restrictions", "read"): handlers.get_post_restrictions,
    ("post_restrictions", "edit"): handlers.set_post_restrictions,
    ("export/start", "edit"): handlers.start_export,
    ("export/status", "read"): handlers.get_export_status,
}
PREFIX = "/wp-json/pmpro/v1/"


def _kind(method: str) -> str:
    return {"GET": "read", "DELETE": "delete"}.get(method, "edit")


HANDLERS = {op.op_id: CALLBACKS[(op.path.removeprefix(PREFIX), _kind(op.method))]
            for op in operations.load(API)}


def register(app) -> None:
    """Routes outside the REST API: the export download link PMPro builds on the site root."""
    app.add_url_rule("/", endpoint="pmpro_restricted_file", view_func=lambda: handlers.download_export(current()),
                     methods=["GET"])
