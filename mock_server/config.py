"""What a mock site is started with. Secrets get fixed, printed defaults so examples work as written."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("data") / "membermock.sqlite3"
DEFAULT_MP_API_KEY = "mock-mp-api-key"
DEFAULT_ADMIN_APP_PASSWORD = "MockAdminAppPassword0000"


@dataclass(frozen=True)
class Config:
    db: str = str(DEFAULT_DB)
    seed: int = 1
    mp_api_key: str = DEFAULT_MP_API_KEY
    admin_app_password: str = DEFAULT_ADMIN_APP_PASSWORD
    # PMPro refuses DELETE on membership_level until a site adds it to pmpro_rest_api_methods.
    pmpro_allow_delete: bool = False
