"""The mock as a WSGI target for servers that import their app in each worker process.

``membermock serve`` puts its settings in ``MEMBERMOCK_CONFIG`` (JSON of ``Config``) before the
server starts its workers; each worker builds the app from them.
"""
from __future__ import annotations

import json
import os

ENV = "MEMBERMOCK_CONFIG"


def app():
    from mock_server.app import create_app
    from mock_server.config import Config

    fields = json.loads(os.environ[ENV])
    fields["webhooks"] = tuple((url, tuple(events)) for url, events in fields.get("webhooks", ()))
    return create_app(Config(**fields))
