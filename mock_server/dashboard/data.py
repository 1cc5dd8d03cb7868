"""What the site holds, by API, as the plugins' REST routes show it.

Where a plugin has a list route (MemberPress's six, PMPro's membership_levels) the page comes from
that route; where it has none (PMPro members and orders, WooCommerce Memberships plans and user
memberships, which the abilities only list per user or per query) the rows come from the store
through the same view functions the plugin's routes answer with. One object always opens as its
own route answers it. Routes are named by operationId, so their paths come from the contracts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mock_server import operations, wp
from mock_server.abilities import domain as wc
from mock_server.dashboard import rest
from mock_server.pmpro import domain as pmpro
from mock_server.sites import current

API_TITLES = {"memberpress": "MemberPress", "pmpro": "Paid Memberships Pro", "wc-memberships": "WooCommerce Memberships"}


class Unavailable(Exception):
    """The route the rows come from did not answer 200 (credentials changed by a scenario, say)."""

    def __init__(self, answer: rest.Answer):
        super().__init__(f"{answer.request_line} answered {answer.status}")
        self.answer = answer


@dataclass(frozen=True)
class Collection:
    api: str
    name: str
    title: str
    columns: tuple[str, ...]
    page: Callable[[int, int], tuple[list, int]]         # (page, per_page) -> (rows, total)
    one: Callable[[str], rest.Answer | None]              # id -> the route's answer, None: no such object
    source: str                                           # where the rows come from, said on the page


def _path(api: str, op_id: str, **params) -> str:
    path = operations.find(api, op_id).path
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _ok(answer: rest.Answer) -> rest.Answer:
    if answer.status != 200:
        raise Unavailable(answer)
    return answer


def _local_page(rows: list, page: int, per_page: int) -> tuple[list, int]:
    chunk, headers = wp.page_of(rows, page, per_page)
    return chunk, int(headers["X-WP-Total"])


# -- MemberPress: its list routes page themselves --------------------------------------------------

def _memberpress(name: str, title: str, list_op: str, get_op: str, columns: tuple[str, ...]) -> Collection:
    def page(number: int, per_page: int):
        answer = _ok(rest.get(_path("memberpress", list_op), {"page": number, "per_page": per_page}, mp_key=True))
        return answer.body, int(answer.headers.get("X-WP-Total", len(answer.body)))

    def one(object_id: str):
        answer = rest.get(_path("memberpress", get_op, id=object_id), mp_key=True)
        return answer if answer.status == 200 else None

    return Collection("memberpress", name, title, columns, page, one, f"GET {_path('memberpress', list_op)}")


# -- PMPro --------------------------------------------------------------------------------------------

def _pmpro_levels_page(number: int, per_page: int):
    body = _ok(rest.get(_path("pmpro", "listMembershipLevels"))).body
    rows = sorted(body.values() if isinstance(body, dict) else body, key=lambda lv: int(lv["id"]))
    return _local_page(rows, number, per_page)


def _pmpro_level(level_id: str):
    answer = rest.get(_path("pmpro", "getMembershipLevel"), {"id": level_id})
    return answer if answer.status == 200 and answer.body else None


def _pmpro_members_page(number: int, per_page: int):
    site = current()
    holders = sorted({int(m["user_id"]) for m in site.store.all(pmpro.MEMBERSHIP)})
    chunk, total = _local_page(holders, number, per_page)
    rows = []
    for user_id in chunk:
        user = site.user(user_id) or {}
        rows.append({"id": user_id, "user_login": user.get("user_login"), "user_email": user.get("user_email"),
                     "levels": pmpro.user_levels(site, user_id)})
    return rows, total


def _pmpro_member(user_id: str):
    if not user_id.isdigit() or current().user(user_id) is None:
        return None
    return rest.get(_path("pmpro", "getMembershipLevelsForUser"), {"user_id": user_id})


def _pmpro_orders_page(number: int, per_page: int):
    orders = sorted(current().store.all(pmpro.ORDER), key=lambda o: int(o["id"]), reverse=True)
    chunk, total = _local_page(orders, number, per_page)
    return [pmpro.order_view(o) for o in chunk], total


def _pmpro_order(order_id: str):
    order = current().store.get(pmpro.ORDER, int(order_id)) if order_id.isdigit() else None
    if order is None:
        return None
    return rest.get(_path("pmpro", "getOrder"), {"code": order["code"]})


# -- WooCommerce Memberships --------------------------------------------------------------------------

def _wc_page(kind: str):
    def page(number: int, per_page: int):
        rows = sorted(current().store.all(kind), key=lambda r: int(r["id"]), reverse=True)
        chunk, total = _local_page(rows, number, per_page)
        return [wc.public(r) for r in chunk], total
    return page


def _wc_one(op_id: str, kind: str):
    def one(object_id: str):
        if not object_id.isdigit() or current().store.get(kind, int(object_id)) is None:
            return None
        return rest.get(_path("wc-memberships", op_id), {"input": object_id})
    return one


COLLECTIONS = (
    _memberpress("members", "Members", "listMembers", "getMember",
                 ("id", "username", "email", "display_name", "active_memberships", "registered_at")),
    _memberpress("memberships", "Memberships", "listMemberships", "getMembership",
                 ("id", "title", "price", "period", "period_type", "status")),
    _memberpress("transactions", "Transactions", "listTransactions", "getTransaction",
                 ("id", "trans_num", "member", "membership", "total", "status", "gateway", "created_at",
                  "expires_at")),
    _memberpress("subscriptions", "Subscriptions", "listSubscriptions", "getSubscription",
                 ("id", "subscr_id", "member", "membership", "price", "period_type", "status", "created_at")),
    Collection("pmpro", "levels", "Levels", ("id", "name", "initial_payment", "billing_amount", "cycle_number",
                                             "cycle_period", "expiration_number", "expiration_period"),
               _pmpro_levels_page, _pmpro_level, f"GET {_path('pmpro', 'listMembershipLevels')}"),
    Collection("pmpro", "members", "Members", ("id", "user_login", "user_email", "levels"),
               _pmpro_members_page, _pmpro_member,
               "users holding a level; each as GET " + _path("pmpro", "getMembershipLevelsForUser")),
    Collection("pmpro", "orders", "Orders", ("id", "code", "user_id", "membership_id", "total", "status",
                                             "gateway", "timestamp"),
               _pmpro_orders_page, _pmpro_order, "stored orders; each as GET " + _path("pmpro", "getOrder")),
    Collection("wc-memberships", "plans", "Plans", ("id", "name", "slug", "status", "access.method",
                                                    "membership_length.type"),
               _wc_page(wc.PLAN), _wc_one("runPlansGet", wc.PLAN),
               "stored plans; each as GET " + _path("wc-memberships", "runPlansGet")),
    Collection("wc-memberships", "user-memberships", "User memberships", ("id", "plan_id", "user_id", "status",
                                                                          "start_date", "end_date"),
               _wc_page(wc.MEMBERSHIP), _wc_one("runUserMembershipsGet", wc.MEMBERSHIP),
               "stored user memberships; each as GET " + _path("wc-memberships", "runUserMembershipsGet")),
)
BY_KEY = {(c.api, c.name): c for c in COLLECTIONS}


def field(row: dict, dotted: str):
    for part in dotted.split("."):
        row = row.get(part) if isinstance(row, dict) else None
    return row
