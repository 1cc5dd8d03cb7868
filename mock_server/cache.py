"""Answers to GET requests, kept until the site changes.

A stateful GET derives its body from several stored rows (a member's activity comes from all its
transactions and subscriptions). Recomputing it on every request is what made the mock slow; the
answer only changes when some worker commits, which the store's version tells cheaply. So a GET
answer is reused while the version is the same and for at most ``MAX_AGE`` seconds (derived
fields also move with the clock: a transaction expires). A handler that writes during a GET
(PMPro's export status advances an export) changes the version and is never cached.
"""
from __future__ import annotations

import time
from collections import OrderedDict

from flask import Response

MAX_AGE = 1.0
MAX_ENTRIES = 4096


class ResponseCache:
    def __init__(self):
        self._entries: OrderedDict = OrderedDict()

    @staticmethod
    def key(request, user) -> tuple:
        headers = request.headers
        return (request.full_path, user["id"] if user else None,
                headers.get("Authorization"), headers.get("MEMBERPRESS-API-KEY"))

    def get(self, key, version) -> Response | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stamp, at, response = entry
        if stamp != version or time.monotonic() - at > MAX_AGE:
            del self._entries[key]
            return None
        return response

    def put(self, key, version, response: Response) -> None:
        if response.direct_passthrough or response.is_streamed:
            return
        # The mock adds no after-request hooks and no session, so a buffered Response can be
        # sent again as it is; building a new one per hit costs more than the rest of a hit.
        response.get_data()  # buffer it, so every hit sends the same bytes
        self._entries[key] = (version, time.monotonic(), response)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
