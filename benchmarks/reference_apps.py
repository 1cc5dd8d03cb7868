"""The yardsticks `make bench` measures the mock against: the same bytes, served with less work.

``BENCH_BODIES`` names a JSON file of ``{"METHOD /path": {"status": 200, "body": "..."}}``: the
answers the mock gave to the benchmark's requests. ``raw`` is a bare WSGI callable (the limit of
the server itself); ``flask_app`` is the smallest Flask app that routes and answers the same.
"""
from __future__ import annotations

import json
import os

from flask import Flask, Response, request

with open(os.environ["BENCH_BODIES"], encoding="utf-8") as fh:
    ANSWERS = {key: (value["status"], value["body"].encode("utf-8")) for key, value in json.load(fh).items()}
_STATUS = {200: "200 OK", 201: "201 Created"}
_MISSING = (404, b'{"code":"rest_no_route"}')


def raw(environ, start_response):
    if environ["REQUEST_METHOD"] != "GET":
        environ["wsgi.input"].read()
    status, body = ANSWERS.get(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}", _MISSING)
    start_response(_STATUS.get(status, f"{status} X"), [("Content-Type", "application/json"),
                                                         ("Content-Length", str(len(body)))])
    return [body]


flask_app = Flask("minimal")


@flask_app.route("/<path:path>", methods=["GET", "POST"])
def answer(path):
    request.get_data()
    status, body = ANSWERS.get(f"{request.method} /{path}", _MISSING)
    return Response(body, status=status, mimetype="application/json")
