"""What a mock site is started with. Secrets get fixed, printed defaults so examples work as written."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("data") / "membermock.sqlite3"
DEFAULT_MP_API_KEY = "mock-mp-api-key"
DEFAULT_MP_WEBHOOK_KEY = "mock-webhook-key"
DEFAULT_ADMIN_APP_PASSWORD = "MockAdminAppPassword0000"
DEFAULT_JOURNAL_SIZE = 10_000


@dataclass(frozen=True)
class Config:
    db: str = str(DEFAULT_DB)
    seed: int = 1
    mp_api_key: str = DEFAULT_MP_API_KEY
    admin_app_password: str = DEFAULT_ADMIN_APP_PASSWORD
    # PMPro refuses DELETE on membership_level until a site adds it to pmpro_rest_api_methods.
    pmpro_allow_delete: bool = False
    # MemberPress sends this in the MEMBERPRESS-WEBHOOK-KEY header of every delivery.
    mp_webhook_key: str = DEFAULT_MP_WEBHOOK_KEY
    # Subscriptions made at start-up (`serve --webhook URL[=event,...]`): (url, (events...)).
    webhooks: tuple = ()
    # Delivery retries: the n-th retry waits base * 2**(n-1) seconds (capped), up to max attempts.
    webhook_retry_base: float = 1.0
    webhook_retry_cap: float = 300.0
    webhook_max_attempts: int = 10
    webhook_timeout: float = 10.0
    # Request journal entries kept per site (0: no journal).
    journal_size: int = DEFAULT_JOURNAL_SIZE
