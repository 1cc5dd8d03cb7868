"""A disposable site on a membermock target, for what the suite may do only to the mock.

When the target answers membermock's open ``GET /__mock__/health`` (the mock, or a team's shared
mock), the suite can ask it for an isolated site (``POST /__mock__/sites``): a fresh copy of the
seeded data under ``/sites/{name}``, with its own credentials and faults, removed at the end. The
checks that need a server to fail on purpose (a fault's 5xx) run there, so nothing they set up can
touch the requests of the other tests, or of the other API processes, on the site under test.
Against any other server there is no such site and those checks are skipped, saying why.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from conformance import contract
from conformance.target import basic
from membermock import contracts

CONTROL = "/__mock__"


def offers_control(target) -> bool:
    """The target is a membermock site: its open health route answers with the site's name."""
    try:
        r = target.http.get(target.url(CONTROL + "/health"), timeout=5)
        return r.status_code == 200 and isinstance(r.json(), dict) and "site" in r.json()
    except (ValueError, OSError):   # no JSON, or no answer (requests' errors are OSErrors)
        return False


# A WordPress user with no role, not even `read` (the abilities' list and describe routes ask for
# it): what only a site's own data can hold.
NO_ROLE = {"user_login": "conformance-norole", "user_email": "conformance-norole@example.org", "roles": [],
           "app_password": "conf orma ncen orol e000 0000"}


@dataclass
class Site:
    name: str
    url: str
    mp_api_key: str
    admin: dict

    @property
    def norole(self) -> dict:
        return basic(NO_ROLE["user_login"], NO_ROLE["app_password"])

    def credentials(self, api: str) -> dict:
        if api == "memberpress":
            return {"MEMBERPRESS-API-KEY": self.mp_api_key}
        return basic(self.admin["login"], self.admin["application_password"])


def create(target) -> Site | None:
    """A fresh isolated site, or None when the target offers no control API to make one."""
    if target.options.read_only or not offers_control(target):
        return None
    auth = target.credentials("wordpress") or {}
    r = target.http.post(target.url(CONTROL + "/sites"), json={"scenario": {"users": {"norole": NO_ROLE}}},
                         headers=auth, timeout=60)
    if r.status_code not in (200, 201):
        return None
    body = r.json()
    # The answer's url is built from the Host the server saw; the suite keeps its own base URL.
    return Site(body["name"], target.url(f"/sites/{body['name']}"), body["mp_api_key"], body["admin"])


def fault(target, site: Site, **spec) -> int:
    r = target.http.post(f"{site.url}{CONTROL}/faults", json=spec, headers=site.credentials("wordpress"))
    assert r.status_code in (200, 201), f"control API: a fault {spec} was refused: {r.status_code} {r.text[:200]}"
    return r.json()["id"]


def clear_faults(target, site: Site) -> None:
    target.http.delete(f"{site.url}{CONTROL}/faults", headers=site.credentials("wordpress"))


def remove(target, site: Site) -> None:
    target.http.delete(target.url(f"{CONTROL}/sites/{site.name}"), headers=target.credentials("wordpress") or {})


WORDPRESS_ERROR = {"code": "membermock_fault", "message": "Internal Server Error", "data": {"status": 500}}


@cache
def _error_shaped(api: str, status: str, op_id: str) -> bool:
    """The documented body of this 5xx is one a fault's WordPress error body fits."""
    op = contract.by_id(api)[op_id]
    answer = contract._resolve(api, op.raw["responses"][status])
    media = (answer.get("content") or {}).get("application/json")
    ref = ((media or {}).get("schema") or {}).get("$ref", "")
    if not ref or ref.startswith("#"):
        return False
    path = (contract.contracts.openapi_documents()[api].parent / ref).resolve()
    body = {**WORDPRESS_ERROR, "data": {"status": int(status)}}
    return contracts.is_valid(contracts.name_of(path), body)


def fault_statuses(op: contract.Operation) -> list[str]:
    """The 5xx statuses of ``op`` a fault can reach."""
    return [s for s in op.statuses if s.startswith("5") and _error_shaped(op.api, s, op.op_id)]
