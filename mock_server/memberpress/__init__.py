"""MemberPress Developer Tools (``/wp-json/mp/v1``): routes from the OpenAPI document, callbacks in
``handlers``, domain rules in ``domain``, JSON shapes in ``serialize``, seed data in ``seed``;
webhook events in ``events`` (emitted by the handlers) and ``triggers`` (``/__mock__/events/{event}``)."""
from mock_server.memberpress.auth import authorize, validates_args
from mock_server.memberpress.handlers import API, HANDLERS
from mock_server.memberpress.seed import seed
from mock_server.memberpress.triggers import register

# WordPress validates a route's args before its permission callback; the add-on's webhook routes
# register none and check their input in the callback.
VALIDATE_ARGS = validates_args

__all__ = ["API", "HANDLERS", "VALIDATE_ARGS", "authorize", "register", "seed"]
