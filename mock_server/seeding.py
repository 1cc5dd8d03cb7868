"""A fresh site is filled once, deterministically for its seed: users first, then each plugin's data."""
from __future__ import annotations

from faker import Faker

from mock_server.webhooks import hooks

SEEDED = "seeded_with"

# Seeded accounts besides the administrator: (login, roles). Each gets an application password.
ACCOUNTS = [
    ("editor", ["editor"]),
    ("shopmanager", ["shop_manager"]),
    ("membershipmanager", ["membership_manager"]),
    ("alice", ["subscriber"]),
    ("bob", ["subscriber"]),
    ("carol", ["subscriber"]),
]


def faker(seed: int) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def app_password(fake: Faker) -> str:
    """24 characters in groups of four, the form WordPress shows application passwords in."""
    raw = fake.pystr(min_chars=24, max_chars=24).lower()
    return " ".join(raw[i:i + 4] for i in range(0, 24, 4))


def seed_users(site, db, fake: Faker) -> None:
    site.add_user(db, user_login="admin", user_email="admin@example.com", display_name="Site Admin",
                  first_name="Site", last_name="Admin", roles=["administrator"],
                  app_password=site.config.admin_app_password, user_registered="2018-08-01 09:00:00")
    for login, roles in ACCOUNTS:
        first, last = fake.first_name(), fake.last_name()
        site.add_user(db, user_login=login, user_email=f"{login}@example.com", display_name=f"{first} {last}",
                      first_name=first, last_name=last, roles=roles, app_password=app_password(fake),
                      user_registered=fake.date_time_between("-3y", "-1y").strftime("%Y-%m-%d %H:%M:%S"))


def seed_into(site, db, modules, seed: int) -> None:
    """Fill an empty store (inside the caller's transaction) with the site of ``seed``."""
    fake = faker(seed)
    seed_users(site, db, fake)
    for module in modules:
        module.seed(site, db, fake)


def reseed(site, modules, seed: int | None = None) -> None:
    seed = site.config.seed if seed is None else seed
    with site.store.transaction() as db:
        site.store.wipe(db)
        seed_into(site, db, modules, seed)
        hooks.install(site, db)
        site.store.set_meta(db, SEEDED, seed)


def ensure_seeded(site, modules) -> None:
    if site.store.get_meta(SEEDED) is None:
        reseed(site, modules)
