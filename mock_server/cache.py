"""Answers to GET requests, kept until the site changes, served before Flask is entered.

A stateful GET derives its body from several stored rows (a member's activity comes from all its
transactions and subscriptions). Recomputing it on every request is what made the mock slow; the
answer only changes when some worker commits, which the store's version tells cheaply. So a GET
answer is reused while the version is the same and for at most ``MAX_AGE`` seconds (derived
fields also move with the clock: a transaction expires).

``dispatch`` decides what may be kept: it marks the request (``MARK`` in the WSGI environ) with
the store version it read before the handler ran, and only when the handler left the store as it
found it (PMPro's export status advances an export during a GET: never kept). This layer sits
under the ``rest_route`` rewrite and around Flask: it records the marked answers as sent (status,
headers, bytes), and answers a repeat of the same request from them without building a request
context, routing, or running the handler, which costs more than the rest of a hit. Each isolated
site keeps its own answers (``site.responses``), checked against its own store's version.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_AGE = 1.0
MAX_ENTRIES = 4096
MARK = "membermock.cache_version"


def key(environ) -> tuple:
    """What a GET answer may depend on: the route and query, and who asks (the Basic credentials
    name the user; the MemberPress key authorises)."""
    return (environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
            environ.get("HTTP_AUTHORIZATION"), environ.get("HTTP_MEMBERPRESS_API_KEY"))


class Answers:
    """One site's kept answers: key -> (store version, when, status, headers, body)."""

    def __init__(self):
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()


class CachedGets:
    """The WSGI layer: each site's GET answers, from the site ``environ[site_key]`` names."""

    def __init__(self, app, site_key: str):
        self.app = app
        self.site_key = site_key

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        site = environ[self.site_key]
        answers = site.responses
        k = key(environ)
        entry = answers.entries.get(k)
        if entry is not None:
            version, at, status, headers, body = entry
            if version == site.store.version() and time.monotonic() - at <= MAX_AGE:
                start_response(status, headers)
                return [body]
            with answers.lock:
                answers.entries.pop(k, None)
        sent = []

        def capture(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        version = environ.get(MARK)
        if version is None:
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        with answers.lock:
            answers.entries[k] = (version, time.monotonic(), sent[0], list(sent[1]), body)
            if len(answers.entries) > MAX_ENTRIES:
                answers.entries.popitem(last=False)
        return [body]
