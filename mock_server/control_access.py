"""Who may use the control routes and the dashboard.

On loopback, anyone on the machine may (the mock is a developer's tool). When ``serve`` listens
beyond loopback, the control routes could reset or rewrite the site for anyone on the network, so
they ask for an administrator's application password, as the plugins' own routes do: the server's
(``--admin-app-password``, good for every site) or the site's own (``/sites/{name}``).
``--open-control`` lifts that. ``/__mock__/health`` stays open, for readiness probes.

Forms are the one way a browser can post to another origin without asking, so a form post
whose ``Origin`` (or ``Sec-Fetch-Site``) shows another site is refused: a page on the web cannot
reset the mock a developer runs.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from mock_server import forms, wp
from mock_server.journal import CONTROL_PREFIX
from mock_server.sites import current

OPEN = {f"{CONTROL_PREFIX}/health"}
REALM = 'Basic realm="membermock control", charset="UTF-8"'


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback one (127.0.0.0/8, ::1)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)


def _administrator(site, authorization: str | None) -> bool:
    user, failure = site.authenticate(authorization)
    return failure is None and site.can(user, "manage_options")


def check():
    """Before every request: a control route asks for an administrator when the server says so,
    and refuses a form posted from another site."""
    if not request.path.startswith(CONTROL_PREFIX):
        return None
    if forms.is_form() and request.method != "GET" and _cross_site():
        return wp.error("mock_cross_site", "A form from another site cannot drive the mock.", 403)
    sites = current_app.extensions["membermock.sites"]
    if not sites.config.control_auth or request.path in OPEN:
        return None
    authorization = request.headers.get("Authorization")
    if _administrator(current(), authorization) or _administrator(sites.default, authorization):
        return None
    response = wp.error("mock_control_auth", "The mock listens beyond loopback: its control routes and dashboard "
                        "need an administrator's application password (HTTP Basic), or serve --open-control.", 401)
    response.headers["WWW-Authenticate"] = REALM
    return response


def _cross_site() -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    mine = urlsplit(request.host_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) != (mine.scheme, mine.netloc)


def install(app: Flask) -> None:
    app.before_request(check)
