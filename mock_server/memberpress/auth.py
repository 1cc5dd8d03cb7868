"""MpdtBaseApi permission check, and WordPress validating a route's args before it.

The add-on registers its resource routes with an ``args`` schema, so WordPress refuses bad
arguments (400) before the permission callback runs; the webhook routes have no args and check
their input in the callback (409). Operations whose contract lists ``{}`` under ``security``
(``webhooks/unsubscribe/{id}``, the namespace index) have no permission check.
"""
from __future__ import annotations

import hmac
from functools import cache

from mock_server import operations, wp

CAPABILITY = "remove_users"
NO_ARGS = {"subscribeWebhook", "unsubscribeWebhook"}


def api_key(request) -> str | None:
    """Authorization is read first (a bare key, as in the vendor README), then MEMBERPRESS-API-KEY.
    A Basic/Bearer Authorization header is a login, not a key."""
    header = request.headers.get("Authorization")
    if header and not header.lower().startswith(("basic ", "bearer ")):
        return header.strip()
    return request.headers.get("MEMBERPRESS-API-KEY")


def key_ok(call) -> bool:
    key = api_key(call.request)
    return bool(key) and hmac.compare_digest(key.encode(), call.site.config.mp_api_key.encode())


def validates_args(op) -> bool:
    return op.op_id not in NO_ARGS


@cache
def public(op_id: str) -> bool:
    op = operations.find("memberpress", op_id)
    security = op.spec.get("security", operations.documents()["memberpress"].get("security", []))
    return any(not requirement for requirement in security)


def authorize(call):
    if public(call.op.op_id) or key_ok(call):
        return None
    if call.user is not None:
        if call.site.can(call.user, CAPABILITY):
            return None
        return wp.error("rest_forbidden", "Sorry, you are not allowed to do that.", 403)
    return wp.error("rest_forbidden", "Sorry, you are not allowed to do that.", 401)
