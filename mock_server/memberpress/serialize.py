"""Stored rows → the JSON the add-on sends (MpdtBaseUtils / Mpdt*Utils::extend_obj).

A reference is replaced by the object it points to when that object exists and left as the id
otherwise. Top-level REST objects get the richer form (author as a member, a membership's group
as a group, a coupon's memberships as objects); objects nested in them keep plain ids inside.
"""
from __future__ import annotations

from functools import cache

from membermock import contracts
from mock_server.memberpress import domain
from mock_server.memberpress.domain import KIND, MEMBER_DATA

HIDDEN_RULE_FIELDS = ("authorized_memberships", "authorized_members", "authorized_roles", "authorized_capabilities")
EMPTY_ADDRESS = {"mepr-address-one": "", "mepr-address-two": "", "mepr-address-city": "",
                 "mepr-address-state": "", "mepr-address-zip": "", "mepr-address-country": ""}


@cache
def _key_order(resource: str) -> dict[str, int]:
    props = contracts.schema(f"memberpress.{domain.OBJECT_SCHEMA[resource]}").get("properties", {})
    return {name: i for i, name in enumerate(props)}


def ordered(resource: str, obj: dict) -> dict:
    """Keys in the order the add-on sends them (the contract lists them in that order)."""
    rank = _key_order(resource)
    return dict(sorted(obj.items(), key=lambda kv: rank.get(kv[0], len(rank))))


class Lookup:
    """Memoised store reads for one request, so a list expands each referenced object once."""

    def __init__(self, site):
        self.site = site
        self.store = site.store
        self._one: dict = {}
        self._all: dict = {}
        self.now = domain.now()

    def get(self, kind: str, id_) -> dict | None:
        try:
            key = (kind, int(id_))
        except (TypeError, ValueError):
            return None
        if key not in self._one:
            self._one[key] = self.store.get(kind, key[1])  # the store answers None past SQLite's range
        return self._one[key]

    def all(self, kind: str) -> list[dict]:
        if kind not in self._all:
            self._all[kind] = self.store.all(kind)
        return self._all[kind]

    def where(self, kind: str, field: str, value) -> list[dict]:
        """The objects whose ``field`` names ``value`` (a reference, kept as a string in rows)."""
        if kind in self._all:
            return [o for o in self._all[kind] if str(o.get(field)) == str(value)]
        key = (kind, field, str(value))
        if key not in self._all:
            self._all[key] = self.store.where(kind, field, value)
        return self._all[key]


# -- members -----------------------------------------------------------------------------------

def member_short(user: dict, lk: Lookup, extra: bool = False) -> dict:
    out = {
        "id": user["id"], "email": user.get("user_email", ""), "username": user.get("user_login", ""),
        "nicename": user.get("user_nicename", ""), "url": user.get("user_url", ""),
        "message": user.get("description", ""), "registered_at": user.get("user_registered", ""),
        "first_name": user.get("first_name", ""), "last_name": user.get("last_name", ""),
        "display_name": user.get("display_name", ""),
    }
    if extra:
        data = lk.get(MEMBER_DATA, user["id"]) or {}
        out["address"] = {**EMPTY_ADDRESS, **data.get("address", {})}
        out["profile"] = data.get("profile", {})
    return out


def member_ref(member_id, lk: Lookup, extra: bool = False):
    user = lk.get(KIND["members"], member_id)
    return member_short(user, lk, extra) if user else str(member_id)


def member(user: dict, lk: Lookup) -> dict:
    data = lk.get(MEMBER_DATA, user["id"]) or {}
    act = domain.member_activity(user["id"], lk.where(KIND["transactions"], "member", user["id"]),
                                 lk.where(KIND["subscriptions"], "member", user["id"]), lk.now)
    out = member_short(user, lk)
    out.update({
        "active_memberships": [membership_embedded(m) for m in
                               (lk.get(KIND["memberships"], i) for i in act["active_membership_ids"]) if m],
        "active_txn_count": act["active_txn_count"],
        "expired_txn_count": act["expired_txn_count"],
        "trial_txn_count": act["trial_txn_count"],
        "sub_count": act["sub_count"],
        "login_count": str(data.get("login_count", "0")),
    })
    if act["first_txn"]:
        out["first_txn"] = row(act["first_txn"])
        out["latest_txn"] = row(act["latest_txn"])
    out["address"] = {**EMPTY_ADDRESS, **data.get("address", {})}
    out["profile"] = data.get("profile", {})
    out["recent_transactions"] = [row(t) for t in act["recent_transactions"]]
    out["recent_subscriptions"] = [row(s) for s in act["recent_subscriptions"]]
    return out


def row(stored: dict) -> dict:
    """A raw custom-table row as the add-on embeds it (references stay id strings)."""
    resource = "subscriptions" if "subscr_id" in stored else "transactions"
    return ordered(resource, {k: v for k, v in stored.items() if not k.startswith("_")})


# -- posts -------------------------------------------------------------------------------------

def membership_embedded(m: dict) -> dict:
    return ordered("memberships", {k: v for k, v in m.items() if not k.startswith("_")})


def membership(m: dict, lk: Lookup) -> dict:
    out = membership_embedded(m)
    out["author"] = member_ref(m.get("author"), lk)
    group = lk.get(KIND["groups"], m.get("group"))
    out["group"] = {k: v for k, v in group.items() if not k.startswith("_")} if group else str(m.get("group", "0"))
    return out


def membership_ref(membership_id, lk: Lookup, missing):
    m = lk.get(KIND["memberships"], membership_id)
    return membership_embedded(m) if m else missing


def coupon_embedded(c: dict) -> dict:
    return ordered("coupons", {k: v for k, v in c.items() if not k.startswith("_")})


def coupon(c: dict, lk: Lookup) -> dict:
    out = coupon_embedded(c)
    out["author"] = member_ref(c.get("author"), lk)
    out["valid_memberships"] = [membership_ref(i, lk, str(i)) for i in c.get("valid_memberships", [])]
    return out


def coupon_ref(coupon_id, lk: Lookup, missing):
    c = lk.get(KIND["coupons"], coupon_id)
    return coupon_embedded(c) if c else missing


def rule(r: dict, lk: Lookup) -> dict:
    out = ordered("rules", {k: v for k, v in r.items() if not k.startswith("_") and k not in HIDDEN_RULE_FIELDS})
    out["author"] = member_ref(r.get("author"), lk)
    return out


def group(g: dict, lk: Lookup) -> dict:
    out = ordered("groups", {k: v for k, v in g.items() if not k.startswith("_")})
    out["author"] = member_ref(g.get("author"), lk)
    return out


def reminder(r: dict, lk: Lookup) -> dict:
    out = ordered("reminders", {k: v for k, v in r.items() if not k.startswith("_")})
    out["author"] = member_ref(r.get("author"), lk)
    return out


# -- the event log -----------------------------------------------------------------------------

def recorded_event(e: dict, lk: Lookup) -> dict:
    """A log row with its object's stored record as it is now (no expansions); null once it is gone."""
    out = ordered("events", {k: v for k, v in e.items() if not k.startswith("_")})
    kind, evt_id = e.get("evt_id_type"), e.get("evt_id")
    if kind == "users":
        user = lk.get(KIND["members"], evt_id)
        out["data"] = member_short(user, lk) if user else None
    else:
        stored = lk.get(KIND[kind], evt_id) if kind in KIND else None
        out["data"] = row(stored) if stored else None
    return out


# -- rows --------------------------------------------------------------------------------------

def gateway_ref(gateway_id):
    gateway = domain.GATEWAYS.get(gateway_id)
    return gateway if gateway else gateway_id


def subscription(s: dict, lk: Lookup) -> dict:
    out = row(s)
    out["coupon"] = coupon_ref(s.get("coupon"), lk, False)
    out["membership"] = membership_ref(s.get("membership"), lk, False)
    out["member"] = member_ref(s.get("member"), lk)
    out["gateway"] = gateway_ref(s.get("gateway"))
    return out


def transaction(t: dict, lk: Lookup) -> dict:
    out = row(t)
    out["membership"] = membership_ref(t.get("membership"), lk, str(t.get("membership")))
    out["member"] = member_ref(t.get("member"), lk, extra=True)
    out["coupon"] = coupon_ref(t.get("coupon"), lk, str(t.get("coupon", "0")))
    sub = lk.get(KIND["subscriptions"], t.get("subscription"))
    out["subscription"] = row(sub) if sub else str(t.get("subscription", "0"))
    sub_txns = lk.where(KIND["transactions"], "subscription", sub["id"]) if sub else []
    index = domain.payment_index(t, sub_txns) if sub else False
    out["rebill"] = bool(index and index > 1)
    out["subscription_payment_index"] = index
    out["commissions"] = []
    return out


SERIALIZERS = {"memberships": membership, "coupons": coupon, "rules": rule, "groups": group, "reminders": reminder,
               "events": recorded_event, "subscriptions": subscription, "transactions": transaction, "members": member}
