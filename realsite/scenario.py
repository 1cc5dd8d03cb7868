"""The real site's data as a mock scenario, read from the site itself after it is built.

The mock is seeded with exactly what the real site holds, so the differential compares behaviour,
not data. Everything is read back from the running site (WordPress's and PMPro's own REST routes
as the administrator, and PMPro's membership table for the rows no route shows whole), plus the
run directory's ids and application passwords, and ``realsite/wc-data.json`` for the abilities'
data (the same file the site's generated plugin stores). Nothing is restated from setup.

    python -m realsite.scenario SITE_DIR BASE_URL > scenario.json
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from realsite import abilities_php

PMPRO = "/wp-json/pmpro/v1"


def _php_text(number) -> str:
    """How PHP writes a number into a text column: 0 as "0", 1.5 as "1.5"."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


class RealSite:
    """A site built by realsite/build-site.sh: its directory, URL and administrator."""

    def __init__(self, directory: Path, base_url: str):
        self.dir = Path(directory)
        self.base_url = base_url.rstrip("/")
        self.ids = json.loads((self.dir / "run" / "ids.json").read_text(encoding="utf-8"))
        self.http = requests.Session()
        self.http.auth = ("admin", self.app_password("admin"))

    def app_password(self, login: str) -> str | None:
        path = self.dir / "run" / f"apppass-{login}.txt"
        return path.read_text(encoding="utf-8").strip() if path.exists() else None

    def get(self, path: str, **params):
        response = self.http.get(self.base_url + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def rows(self, sql: str) -> list[dict]:
        """Rows of a query on the site's MariaDB, as the table holds them (all strings)."""
        out = subprocess.run(["mariadb", f"--defaults-file={self.dir / 'my.cnf'}", "-uroot", "wp", "--batch",
                              "--raw", "-e", sql], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()
        if not lines:
            return []
        head = lines[0].split("\t")
        return [dict(zip(head, line.split("\t"))) for line in lines[1:]]


def _mysql_date(value: str | None) -> str | None:
    return None if not value or value.startswith("0000-00-00") or value == "NULL" else value


def users(site: RealSite) -> dict:
    out = {}
    for user in site.get("/wp-json/wp/v2/users", context="edit", per_page=100):
        login = user["username"]
        out[login] = {
            "id": user["id"], "user_login": login, "user_email": user["email"], "display_name": user["name"],
            "first_name": user["first_name"], "last_name": user["last_name"], "user_nicename": user["slug"],
            "roles": user["roles"], "app_password": site.app_password(login),
            "user_registered": user["registered_date"][:19].replace("T", " "),
        }
    return out


def pmpro(site: RealSite) -> dict:
    ids = site.ids
    levels = {}
    for key, level_id in ids["levels"].items():
        level = site.get(f"{PMPRO}/membership_level", id=level_id)
        levels[key] = {k: v for k, v in level.items() if k != "ID"} | {"id": int(level["id"])}
    codes = {}
    for code, code_id in ids["discount_codes"].items():
        found = site.get(f"{PMPRO}/discount_code", code=code)
        codes[code] = found | {"id": int(found["id"])}
    memberships = {}
    for row in site.rows("SELECT * FROM wp_pmpro_memberships_users ORDER BY id"):
        memberships[f"membership-{row['id']}"] = {
            "id": int(row["id"]), "user_id": int(row["user_id"]), "membership_id": int(row["membership_id"]),
            "code_id": int(row["code_id"]), "initial_payment": row["initial_payment"],
            "billing_amount": row["billing_amount"], "cycle_number": int(row["cycle_number"]),
            "cycle_period": row["cycle_period"], "billing_limit": int(row["billing_limit"]),
            "trial_amount": row["trial_amount"], "trial_limit": int(row["trial_limit"]), "status": row["status"],
            "startdate": row["startdate"], "enddate": _mysql_date(row["enddate"]), "modified": row["modified"],
        }
    orders = {}
    for owner, order in ids["orders"].items():
        found = site.get(f"{PMPRO}/order", code=order["code"])
        # the order route shows the tax as a float; the table holds the text PHP wrote ("0")
        orders[f"{owner}-order"] = found | {"id": int(found["id"]), "tax": _php_text(found["tax"])}
    posts, restrictions = {}, {}
    for key, post_id in ids["posts"].items():
        post = site.get(f"/wp-json/wp/v2/posts/{post_id}", context="edit")
        posts[key] = {"id": post["id"], "post_type": post["type"], "post_title": post["title"]["raw"],
                      "post_status": post["status"], "post_author": post["author"]}
        level_ids = [int(r["membership_id"]) for r in site.get(f"{PMPRO}/post_restrictions", post_id=post_id)]
        if level_ids:
            restrictions[f"@{key}"] = {"level_ids": level_ids}
    return {"levels": levels, "discount_codes": codes, "memberships": memberships, "orders": orders,
            "posts": posts, "restrictions": restrictions}


def wc_memberships(site: RealSite) -> dict:
    """The data the site's abilities plugin started from (it stores realsite/wc-data.json)."""
    data = abilities_php.data_set()
    by_login = site.ids["users"]
    plans = {plan["slug"]: plan for plan in data["plans"]}
    memberships = {}
    for m in data["user_memberships"]:
        row = {k: v for k, v in m.items() if k != "user_login"}
        memberships[f"membership-{m['id']}"] = row | {"user_id": by_login[m["user_login"]]}
    return {"plans": plans, "user_memberships": memberships}


def snapshot(site: RealSite) -> dict:
    return {"users": users(site), "pmpro": pmpro(site), "wc_memberships": wc_memberships(site)}


def context(ids: dict) -> dict:
    """The placeholders the request list uses: the site's ids (run/ids.json), and the abilities'
    data by name."""
    raw = json.loads(abilities_php.DATA.read_text(encoding="utf-8"))
    return {**ids,
            "plans": {k: v["id"] for k, v in raw["plans"].items()},
            "user_memberships": {k: v["id"] for k, v in raw["user_memberships"].items()}}


if __name__ == "__main__":
    json.dump(snapshot(RealSite(Path(sys.argv[1]), sys.argv[2])), sys.stdout, indent=1, ensure_ascii=False)
