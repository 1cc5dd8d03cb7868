"""WooCommerce Memberships 1.28 abilities, served by WordPress 6.9's Abilities REST API.

Discovery (abilities, categories) and the run route of each of the plugin's eight abilities.
Arguments are not validated by the framework: core's run route declares ``input`` with every JSON
type, so the only input check is the ability's own schema, inside the permission callback, after
the 404 and 405 checks (see ``handlers.check_ability_permissions``). The discovery routes check
their ``page``/``per_page``/``context`` args themselves, before their permission check.
"""
from mock_server import operations
from mock_server.abilities import handlers
from mock_server.abilities.seed import seed  # noqa: F401  (the module interface)

API = "wc-memberships"
VALIDATE_ARGS = False
HANDLERS = {op.op_id: handlers.HANDLERS_BY_KIND[handlers.kind(op)] for op in operations.load(API)
            if "x-wp-discovery" not in op.spec}
authorize = handlers.authorize
