"""Ask the site's own REST routes, in-process, as an administrator would over HTTP.

The dashboard shows an object exactly as the plugin's route answers it, so it asks that route:
the request runs through the same dispatch (auth, argument checks, permission, handler) below the
journal and fault layers, so looking at the dashboard neither fills the journal nor trips a fault.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mock_server.sites import ENVIRON_KEY, current

ROUTES = "membermock.routes"   # app.extensions: the Flask app below the WSGI layers


@dataclass
class Answer:
    method: str
    path: str
    query: dict
    status: int
    headers: dict
    body: Any

    @property
    def request_line(self) -> str:
        from urllib.parse import urlencode
        return f"{self.method} {self.path}" + (f"?{urlencode(self.query)}" if self.query else "")


def administrator(site) -> tuple[str, str] | None:
    """(login, application password) of an administrator of the site, if one has a password."""
    for user in site.users():
        if "administrator" in user.get("roles", []) and user.get("app_password"):
            return user["user_login"], user["app_password"]
    return None


def get(path: str, query: dict | None = None, mp_key: bool = False) -> Answer:
    """GET ``path`` on the current site: with its MemberPress API key, or as its administrator."""
    site = current()
    headers = {}
    if mp_key:
        headers["MEMBERPRESS-API-KEY"] = site.config.mp_api_key
    else:
        admin = administrator(site)
        if admin:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(admin).encode()).decode()
    query = {k: v for k, v in (query or {}).items() if v is not None}
    environ = EnvironBuilder(path=path, base_url=request.host_url, query_string=query, headers=headers).get_environ()
    environ[ENVIRON_KEY] = site
    chunks, status, response_headers = run_wsgi_app(current_app.extensions[ROUTES], environ, buffered=True)
    raw = b"".join(chunks)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Answer("GET", path, query, int(status[:3]), dict(response_headers), body)
