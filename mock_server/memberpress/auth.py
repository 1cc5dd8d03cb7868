"""MpdtBaseApi permission check, and WordPress validating a route's args before it.

The add-on registers its resource routes with an ``args`` schema, so WordPress refuses bad
arguments (400) before the permission callback runs; the webhook routes have no args and check
their input in the callback (409), and ``webhooks/unsubscribe/{id}`` has no permission check.
"""
from __future__ import annotations

import hmac

from mock_server import wp

CAPABILITY = "remove_users"
NO_ARGS = {"subscribeWebhook", "unsubscribeWebhook"}
NO_PERMISSION_CHECK = {"unsubscribeWebhook"}


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


def authorize(call):
    if call.op.op_id in NO_PERMISSION_CHECK or key_ok(call):
        return None
    if call.user is not None:
        if call.site.can(call.user, CAPABILITY):
            return None
        return wp.error("rest_forbidden", "Sorry, you are not allowed to do that.", 403)
    return wp.error("rest_forbidden", "Sorry, you are not allowed to do that.", 401)
