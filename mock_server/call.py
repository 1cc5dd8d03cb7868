"""What a handler receives and what an API module provides.

An API module (``mock_server/memberpress``, ``pmpro``, ``abilities``) exposes:

- ``API``: the OpenAPI document it serves (``"memberpress"``, ``"pmpro"``, ``"wc-memberships"``).
- ``HANDLERS``: ``{operationId: handler}``; every operation of the document needs one.
- ``authorize(call) -> Response | None``: the permission check WordPress runs before the callback
  (a Response refuses the call).
- ``VALIDATE_ARGS``: whether WordPress validates the route's args before the permission check
  (routes registered with an ``args`` schema) and answers ``rest_invalid_param`` /
  ``rest_missing_callback_param``. When False the handler sees the raw values and answers bad
  input the plugin's own way.
- ``seed(site, db, fake)``: fill a fresh site with realistic objects of this API.

A handler is ``handler(call: Call) -> flask.Response``; ``mock_server.wp`` builds the responses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Request

from mock_server.operations import Operation


@dataclass
class Call:
    site: Any                     # mock_server.site.Site: store, config, users
    op: Operation
    request: Request
    path: dict[str, Any]          # path parameters, already converted (ids are ints)
    query: dict[str, Any]         # query parameters; coerced to schema types when VALIDATE_ARGS
    body: Any                     # parsed JSON or PHP-style form dict; {} when there is none
    user: dict | None             # the WordPress user from application-password auth, if any
    raw_query: dict[str, Any] = field(default_factory=dict)   # PHP-style parse of the query string

    def arg(self, name: str, default=None):
        """A request arg the way WP_REST_Request::get_param finds it: body, then query, then path."""
        if isinstance(self.body, dict) and name in self.body:
            return self.body[name]
        if name in self.query:
            return self.query[name]
        if name in self.raw_query:
            return self.raw_query[name]
        return self.path.get(name, default)
