"""MemberPress Developer Tools (``/wp-json/mp/v1``): routes from the OpenAPI document, callbacks in
``handlers``, domain rules in ``domain``, JSON shapes in ``serialize``, seed data in ``seed``;
webhook events in ``events`` (emitted by the handlers) and ``triggers`` (``/__mock__/events/{event}``);
what time does in ``lifecycle`` (failures scheduled by ``payments``)."""
from mock_server.memberpress import payments, triggers
from mock_server.memberpress.auth import authorize, validates_args
from mock_server.memberpress.handlers import API, HANDLERS
from mock_server.memberpress.seed import seed

# WordPress validates a route's args before its permission callback; the add-on's webhook routes
# register none and check their input in the callback.
VALIDATE_ARGS = validates_args


def register(app) -> None:
    """The add-on's control routes: triggering events, failing renewals."""
    triggers.register(app)
    payments.register(app)


__all__ = ["API", "HANDLERS", "VALIDATE_ARGS", "authorize", "register", "seed"]
