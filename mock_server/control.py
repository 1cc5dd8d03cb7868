"""The mock's own API under /__mock__/, kept apart from the plugins' routes."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from mock_server import wp
from mock_server.seeding import SEEDED, reseed

control = Blueprint("control", __name__, url_prefix="/__mock__")


def _site():
    return current_app.extensions["membermock"]


def _modules():
    from mock_server.app import api_modules
    return api_modules()


@control.get("/health")
def health():
    return wp.reply({"status": "ok", "seed": _site().store.get_meta(SEEDED)})


@control.get("/users")
def users():
    site = _site()
    return wp.reply([
        {"id": u["id"], "login": u["user_login"], "email": u["user_email"], "roles": u["roles"],
         "application_password": u.get("app_password")}
        for u in site.users()
    ])


@control.post("/reset")
def reset():
    site = _site()
    reseed(site, _modules(), site.store.get_meta(SEEDED))
    return wp.reply({"status": "reset", "seed": site.store.get_meta(SEEDED)})


@control.post("/reseed")
def reseed_route():
    raw = request.args.get("seed") or (request.get_json(silent=True) or {}).get("seed")
    try:
        seed = int(raw)
    except (TypeError, ValueError):
        return wp.error("mock_invalid_seed", "Pass an integer seed, e.g. ?seed=7.", 400)
    site = _site()
    reseed(site, _modules(), seed)
    return wp.reply({"status": "reseeded", "seed": seed})


@control.get("/state")
def state():
    return wp.reply(_site().store.dump())
