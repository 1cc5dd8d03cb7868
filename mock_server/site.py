"""The mocked WordPress site: its store, its users and their capabilities.

One site hosts all three plugins, as a real WordPress install would: MemberPress members,
PMPro members and WooCommerce members are the same WordPress users.
"""
from __future__ import annotations

import base64
import binascii
import hmac
from functools import cached_property

from faker import Faker

from mock_server.cache import Answers
from mock_server.clock import SiteClock
from mock_server.config import Config
from mock_server.faults import Faults
from mock_server.journal import Journal
from mock_server.journal import path_for as journal_path
from mock_server.store import Store, open_store
from mock_server.webhooks import outbox

USER = "user"

# Capabilities by role, as WordPress core and the plugins grant them by default.
ROLE_CAPS = {
    "administrator": {"*"},  # every capability, including the plugins' own
    "editor": {"read", "edit_posts", "edit_others_posts", "edit_published_posts", "publish_posts"},
    "shop_manager": {"read", "manage_woocommerce", "edit_posts"},
    "membership_manager": {"read", "pmpro_memberships_menu", "pmpro_membershiplevels", "pmpro_edit_members",
                           "pmpro_discountcodes", "pmpro_orders", "pmpro_memberslistcsv", "pmpro_orderscsv"},
    "subscriber": {"read"},
}


class Site:
    def __init__(self, config: Config, store: Store | None = None, name: str | None = None):
        self.config = config
        self.name = name              # None for the default site at the server's root
        self.seed = config.seed
        self.created_at = None
        self.store = store or open_store(config.db)
        self.responses = Answers()
        outbox.install(self.store)
        self.faults = Faults(self.store)
        self.clock = SiteClock(self.store)

    @cached_property
    def journal(self) -> Journal | None:
        """Opened on first use: the webhook deliverer's copy of a site never needs it."""
        if not self.config.journal_size:
            return None
        return Journal(journal_path(self.config.db), self.config.journal_size, self.name)

    # -- users -------------------------------------------------------------------------

    def user(self, user_id) -> dict | None:
        try:
            return self.store.get(USER, int(user_id))
        except (TypeError, ValueError):
            return None

    def users(self) -> list[dict]:
        return self.store.all(USER)

    def user_by(self, field: str, value) -> dict | None:
        if value in (None, "") or isinstance(value, (dict, list)):
            return None
        return self.store.find(USER, field, value)

    def can(self, user: dict | None, capability: str) -> bool:
        if not user:
            return False
        granted = set(user.get("caps", []))
        for role in user.get("roles", []):
            granted |= ROLE_CAPS.get(role, set())
        return "*" in granted or capability in granted

    def add_user(self, db, fake: Faker | None = None, **fields) -> dict:
        user_id = self.store.next_id(db, "users")
        login = fields.pop("user_login")
        user = {
            "id": user_id,
            "user_login": login,
            "user_email": fields.pop("user_email", f"{login}@example.com"),
            "user_nicename": login.lower().replace(" ", "-"),
            "display_name": fields.pop("display_name", login),
            "first_name": "",
            "last_name": "",
            "user_url": "",
            "description": "",
            "user_registered": fields.pop("user_registered", "2024-01-01 00:00:00"),
            "roles": fields.pop("roles", ["subscriber"]),
            "app_password": fields.pop("app_password", None),
            **fields,
        }
        return self.store.put(db, USER, user)

    # -- application passwords (HTTP Basic) --------------------------------------------

    def authenticate(self, authorization: str | None):
        """(user, None) for valid Basic credentials, (None, None) when none are sent,
        (None, (code, message)) when they are wrong: the error WordPress records for them."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None, None
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            login, _, password = decoded.partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        user = self.user_by("user_login", login) or self.user_by("user_email", login)
        if user is None:
            code = "invalid_email" if "@" in login else "invalid_username"
            return None, (code, "Unknown username. Check again or try your email address.")
        wanted = (user.get("app_password") or "").replace(" ", "")
        if not wanted or not hmac.compare_digest(wanted, password.replace(" ", "")):
            return None, ("incorrect_password", "The provided password is an invalid application password.")
        return user, None
