"""WordPress's permission step for pmpro/v1, driven by the contract.

Each operation's ``x-pmpro-capabilities`` (its row of the plugin's capability table) and the
document's ``x-pmpro-permissions`` (enabled methods, who gets 401 or 403) are read from the
OpenAPI document at start-up; nothing of the table is restated here.
"""
from __future__ import annotations

from functools import cache

from mock_server import operations, wp

API = "pmpro"
GENERIC_CHECK = "pmpro_rest_api_get_permissions_check"
DENIED_MESSAGE = "Sorry, you are not allowed to do that."


@cache
def rules() -> dict:
    return operations.documents()[API]["x-pmpro-permissions"]


def enabled_methods(site) -> set[str]:
    methods = set(rules()["default_methods"])
    if site.config.pmpro_allow_delete:
        methods.add("DELETE")
    return methods


def deny(user) -> object:
    denied = rules()["denied"]
    status = denied["logged_in_status"] if user else denied["anonymous_status"]
    return wp.error(denied["code"], DENIED_MESSAGE, status)


def can_edit_post(site, user, post_id) -> bool:
    """map_meta_cap('edit_post'): do_not_allow for a missing post, else the post caps of the role."""
    from mock_server.pmpro import domain
    post = domain.post(site, post_id)
    if post is None or not user:
        return False
    if site.can(user, "edit_others_posts"):
        return True
    return int(post.get("post_author", 0)) == int(user["id"]) and site.can(user, "edit_posts")


def user_can(site, user, capability: str, call=None, object_param: str | None = None) -> bool:
    if capability == "edit_post":
        return can_edit_post(site, user, call.arg(object_param) if call and object_param else None)
    return site.can(user, capability)


def allowed(call) -> bool:
    site, user, method = call.site, call.user, call.request.method
    caps = call.op.extensions.get("x-pmpro-capabilities", {})
    generic = caps.get("check", GENERIC_CHECK) == GENERIC_CHECK
    if "by_param" in caps:
        rule = caps["by_param"]
        from mock_server.pmpro.php import text
        value = text(call.arg(rule["param"]))
        wanted = rule["missing"] if value == "" else rule["values"].get(value, rule.get("other", []))
        permission = bool(user) and any(site.can(user, cap) for cap in wanted)
    elif caps.get("public"):
        permission = True
    else:
        wanted = caps.get("any_of") or [rules()["unlisted_route_capability"]]
        permission = any(user_can(site, user, cap, call, caps.get("object_param")) for cap in wanted)
    if generic and method not in enabled_methods(site):
        permission = False
    if not permission and generic and "owner_may_read" in caps and user and method == "GET":
        permission = _owns(call, caps["owner_may_read"])
    return permission


def _owns(call, rule: dict) -> bool:
    from mock_server.pmpro import domain
    from mock_server.pmpro.php import text
    code = text(call.arg(rule["param"]))
    order = domain.order_by_code(call.site, code) if code else None
    return bool(order) and int(order.get(rule["owner_field"], 0)) == int(call.user["id"])


def authorize(call):
    return None if allowed(call) else deny(call.user)
