"""The mp/v1 callbacks: one generic set for the resources (the six of the page, groups, reminders,
and the read-only event log), plus me, webhooks, the actions and the optional routes (``options``).

Which resource an operation serves comes from its path in the OpenAPI document
(``/wp-json/mp/v1/<resource>[/{id}[/<action>]]``), which request contract an update reads from
its name (``<singular>-update``).
"""
from __future__ import annotations

import random
import string
from urllib.parse import urlencode

from mock_server import operations, wp
from mock_server.memberpress import domain, events, options, serialize, upgrades
from mock_server.memberpress.auth import api_key, key_ok
from mock_server.memberpress.domain import KIND, MEMBER_DATA, SEQUENCE, Refused
from mock_server.memberpress.serialize import Lookup

API = "memberpress"
SINGULAR = {"subscriptions": "subscription", "members": "member", "rules": "rule", "memberships": "membership",
            "coupons": "coupon", "transactions": "transaction", "groups": "group", "reminders": "reminder",
            "events": "event"}
ADDRESS_FIELDS = {"address1": "mepr-address-one", "address2": "mepr-address-two", "city": "mepr-address-city",
                  "state": "mepr-address-state", "zip": "mepr-address-zip", "country": "mepr-address-country"}
MESSAGES = {
    "cancel": "The subscription was successfully cancelled.",
    "expire": "This subscription is now expired.",
    "refund": "The transaction was successfully refunded.",
    "refund_and_cancel": "The transaction was successfully refunded and its associated subscription was cancelled.",
    "suspend": "The subscription was successfully paused.",
    "resume": "The subscription was successfully resumed.",
}
# Free-text `search` and the README's search[field] form: which stored fields each one looks at.
SEARCH_FIELDS = {
    "members": ("user_login", "user_email", "first_name", "last_name", "display_name"),
    "memberships": ("title",), "rules": ("title", "rule_content"), "coupons": ("coupon_code",),
    "subscriptions": ("subscr_id", "id", "status"), "transactions": ("trans_num", "id", "status"),
    "groups": ("title", "content"), "reminders": ("title",), "events": ("event", "args"),
}
FIELD_ALIASES = {"members": {"email": "user_email", "username": "user_login", "registered_at": "user_registered"}}
EXACT_FIELDS = {"id", "member", "membership", "subscription", "status", "event", "evt_id", "evt_id_type"}
FILTERS = ("member", "membership", "coupon", "status", "gateway", "subscription", "group")


def not_found():
    # The add-on's WP_Error has no status (HTTP 500); the mock answers 404 with its code and message.
    return wp.error("mp_no_records_found", "No records found.", 404)


def refused(reason: str):
    # mp_db_create_error is status-less (HTTP 500) on a real site; a refused input is a 400 here.
    return wp.error("mp_db_create_error", reason, 400)


def _fetch(store, kind: str, id_) -> dict | None:
    try:
        id_ = int(id_)
    except (TypeError, ValueError):
        return None
    return store.get(kind, id_)


def resource_of(op) -> str:
    return op.path.split("/")[4]


# -- me and webhooks ---------------------------------------------------------------------------

def get_me(call):
    username = api_key(call.request) if key_ok(call) else (call.user or {}).get("display_name", "")
    return wp.reply({"success": True, "data": {"username": username}})


def webhook_error(message: str):
    return wp.reply({"success": False, "data": {"message": message}}, 409)


def subscribe_webhook(call):
    body = call.body if isinstance(call.body, dict) else {}
    url, event = body.get("url"), body.get("event")
    if not url or not event or not isinstance(url, str) or not isinstance(event, str):
        return webhook_error("Both url and event are required.")
    validator = operations.find(API, call.op.op_id).body.get("application/json")
    problems = list(validator.iter_errors({"url": url, "event": event})) if validator else []
    if problems:
        bad = "event" if any(p.absolute_path and p.absolute_path[0] == "event" for p in problems) else "url"
        return webhook_error(f"Invalid {bad}: {event if bad == 'event' else url}")
    store = call.site.store
    with store.transaction() as db:
        taken = {w["id"] for w in store.all(KIND["webhooks"])}
        rng = random.Random(f"webhook:{store.next_id(db, 'mp_webhooks')}")   # the same run, the same ids
        free = [i for i in (rng.randint(1, 99999) for _ in range(50)) if i not in taken]
        if not free:
            return webhook_error("The webhook could not be saved.")
        hook = {"id": free[0], "url": url, "event": event, "created_at": domain.mysql(domain.now())}
        store.put(db, KIND["webhooks"], hook)
    return wp.reply({"success": True, "data": {"id": hook["id"]}}, 201)


def unsubscribe_webhook(call):
    store = call.site.store
    with store.transaction() as db:
        if not _fetch(store, KIND["webhooks"], call.path["id"]) or not store.delete(db, KIND["webhooks"], call.path["id"]):
            return webhook_error("The webhook could not be found.")
    return wp.reply({"success": True})


# -- lists -------------------------------------------------------------------------------------

def list_items(call):
    resource = resource_of(call.op)
    lk = Lookup(call.site)
    rows = lk.all(KIND[resource])
    q = call.query
    declared = {p.name for p in call.op.params}
    for name in FILTERS:
        if name in declared and q.get(name) not in (None, ""):
            wanted = str(q[name]).lower()
            rows = [r for r in rows if str(r.get(name, "")).lower() == wanted]
    if "code" in declared and q.get("code") not in (None, ""):
        rows = [r for r in rows if str(r.get("coupon_code", "")).lower() == str(q["code"]).lower()]
    search = q.get("search")
    if isinstance(search, str) and search:
        rows = [r for r in rows if domain.matches_text(r, search, SEARCH_FIELDS[resource])]
    elif isinstance(search, dict):
        for field, value in search.items():
            column = FIELD_ALIASES.get(resource, {}).get(field, field)
            if field in EXACT_FIELDS:
                rows = [r for r in rows if str(r.get(column, "")).lower() == str(value).lower()]
            else:
                rows = [r for r in rows if domain.matches_text(r, str(value), (column,))]
    order, direction = q.get("order"), q.get("order_dir")
    if isinstance(order, str) and order.upper() in ("ASC", "DESC"):
        direction, order = order, None
    column = order or q.get("orderby")
    column = FIELD_ALIASES.get(resource, {}).get(column, column)
    rows = domain.order_rows(rows, column, direction)
    page, per_page = int(q.get("page") or 1), int(q.get("per_page") or 10)
    chunk, headers = wp.page_of(rows, page, per_page)
    link = _links(call, page, int(headers["X-WP-TotalPages"]))
    if link:
        headers["Link"] = link
    serializer = serialize.SERIALIZERS[resource]
    return wp.reply([serializer(r, lk) for r in chunk], headers=headers)


def _links(call, page: int, pages: int) -> str:
    """WP_REST_Controller-style prev/next links."""
    args = [(k, v) for k, v in call.request.args.items(multi=True) if k != "page"]

    def url(number):
        return f"{call.request.base_url}?{urlencode(args + [('page', number)])}"

    parts = []
    if 1 < page <= pages + 1:
        parts.append(f'<{url(min(page - 1, pages))}>; rel="prev"')
    if page < pages:
        parts.append(f'<{url(page + 1)}>; rel="next"')
    return ", ".join(parts)


# -- get / create / update / delete ----------------------------------------------------------

def get_item(call):
    resource = resource_of(call.op)
    lk = Lookup(call.site)
    obj = lk.get(KIND[resource], call.path["id"])
    if obj is None:
        return not_found()
    return wp.reply(serialize.SERIALIZERS[resource](obj, lk))


def _author(call) -> int:
    if call.user:
        return call.user["id"]
    admin = next((u for u in call.site.users() if "administrator" in u.get("roles", [])), None)
    return admin["id"] if admin else 0


def _check_refs(lk: Lookup, row: dict, fields=("member", "membership")) -> None:
    for field in fields:
        if field in ("member", "membership") and not lk.get(KIND[field + "s"], row.get(field)):
            raise Refused(f"The {field} {row.get(field)!r} does not exist.")
    sub = str(row.get("subscription", "0"))
    if "subscription" in row and sub not in ("0", "") and not lk.get(KIND["subscriptions"], sub):
        raise Refused(f"The subscription {sub!r} does not exist.")
    coupon = str(row.get("coupon", "0"))
    if coupon not in ("0", "") and not lk.get(KIND["coupons"], coupon):
        raise Refused(f"The coupon {coupon!r} does not exist.")


def create_item(call):
    resource = resource_of(call.op)
    body = call.body if isinstance(call.body, dict) else {}
    store = call.site.store
    try:
        with store.transaction() as db:
            new_id = _create(call, resource, body, db)
    except Refused as exc:
        return refused(str(exc))
    lk = Lookup(call.site)
    return wp.reply(serialize.SERIALIZERS[resource](lk.get(KIND[resource], new_id), lk))


def _create(call, resource: str, body: dict, db) -> int:
    store, now = call.site.store, domain.now()
    lk = Lookup(call.site)
    if resource == "members":
        return _create_member(call, body, db, lk)
    new_id = store.next_id(db, SEQUENCE[resource])
    if resource in domain.POSTS:
        obj = domain.new_post(resource, new_id, _author(call), body, f"{SINGULAR[resource]}-create", now)
        if resource == "coupons" and not obj["coupon_code"]:
            rng = random.Random(f"coupon:{new_id}")
            obj["coupon_code"] = "".join(rng.choices(string.ascii_uppercase + string.digits, k=10))
        if resource == "rules" and not obj["title"]:
            obj["title"] = domain.rule_title(obj)
    elif resource == "subscriptions":
        membership = lk.get(KIND["memberships"], body.get("membership"))
        obj = domain.new_subscription(new_id, body, membership, now)
        _check_refs(lk, obj)
    else:
        obj = domain.new_transaction(new_id, body, now)
        _check_refs(lk, obj)
    store.put(db, KIND[resource], obj)
    _row_changed(call.site, db, resource, None, obj)
    return new_id


def _row_changed(site, db, resource: str, before: dict | None, after: dict) -> None:
    """The events of a subscription or transaction row's change, then a move along an upgrade path."""
    if resource == "subscriptions":
        events.subscription_changed(site, db, before, after)
    elif resource == "transactions":
        events.transaction_changed(site, db, before, after)
    else:
        return
    upgrades.purchased(site, db, before, after, resource)


def _member_fields(body: dict) -> tuple[dict, dict, dict]:
    """User fields, address and custom profile fields of a member body."""
    accepted = domain.accepted_fields("member-create")
    user = {k: body[k] for k in ("first_name", "last_name") if k in body}
    address = {ADDRESS_FIELDS[k]: str(body[k]) for k in ADDRESS_FIELDS if k in body}
    profile = {k: (v if isinstance(v, list) else str(v)) for k, v in body.items() if k not in accepted}
    return user, address, profile


def _create_member(call, body: dict, db, lk: Lookup) -> int:
    site = call.site
    username, email = str(body["username"]), str(body["email"])
    if site.user_by("user_login", username):
        raise Refused("Sorry, that username already exists!")
    if site.user_by("user_email", email):
        raise Refused("Sorry, that email address is already used!")
    fields, address, profile = _member_fields(body)
    name = " ".join(v for v in (fields.get("first_name"), fields.get("last_name")) if v) or username
    user = site.add_user(db, user_login=username, user_email=email, display_name=name,
                         user_registered=domain.mysql(domain.now()), **fields)
    site.store.put(db, MEMBER_DATA, {"id": user["id"], "address": address, "profile": profile, "login_count": "0"})
    if isinstance(body.get("transaction"), dict):
        txn_body = {**body["transaction"], "member": user["id"]}
        txn = domain.new_transaction(site.store.next_id(db, SEQUENCE["transactions"]), txn_body, domain.now())
        lk._one[(KIND["members"], user["id"])] = user
        _check_refs(lk, txn)
        events.member_added(site, db, user["id"])   # registered; the payment is recorded next
        site.store.put(db, KIND["transactions"], txn)
        events.signup_completed(site, db, user["id"], events.transaction_changed(site, db, None, txn))
        upgrades.purchased(site, db, None, txn, "transactions")
    else:
        events.member_added(site, db, user["id"])
    return user["id"]


def update_item(call):
    resource = resource_of(call.op)
    body = call.body if isinstance(call.body, dict) else {}
    store = call.site.store
    try:
        with store.transaction() as db:
            obj = _fetch(store, KIND[resource], call.path["id"])
            if obj is None:
                return not_found()
            _update(call, resource, obj, body, db)
    except Refused as exc:
        return refused(str(exc))
    lk = Lookup(call.site)
    return wp.reply(serialize.SERIALIZERS[resource](lk.get(KIND[resource], call.path["id"]), lk))


def _update(call, resource: str, obj: dict, body: dict, db) -> None:
    store = call.site.store
    before = dict(obj)
    if resource == "members":
        stored_data = store.get(MEMBER_DATA, obj["id"])
        fields, address, profile = _member_fields(body)
        if "email" in body and body["email"] != obj.get("user_email"):
            other = call.site.user_by("user_email", body["email"])
            if other and other["id"] != obj["id"]:
                raise Refused("Sorry, that email address is already used!")
            obj["user_email"] = str(body["email"])
        obj.update(fields)   # user_login cannot change (wp_update_user ignores it)
        store.put(db, KIND["members"], obj)
        data = store.get(MEMBER_DATA, obj["id"]) or {"id": obj["id"], "address": {}, "profile": {}, "login_count": "0"}
        data["address"] = {**data.get("address", {}), **address}
        data["profile"] = {**data.get("profile", {}), **profile}
        store.put(db, MEMBER_DATA, data)
        if obj != before or data != stored_data:
            events.member_updated(call.site, db, obj["id"])
        if isinstance(body.get("transaction"), dict):
            txn = domain.new_transaction(store.next_id(db, SEQUENCE["transactions"]),
                                         {**body["transaction"], "member": obj["id"]}, domain.now())
            _check_refs(Lookup(call.site), txn)
            store.put(db, KIND["transactions"], txn)
            _row_changed(call.site, db, "transactions", None, txn)
        return
    domain.apply_changes(resource, obj, body, f"{SINGULAR[resource]}-update")
    if resource in domain.POSTS:
        domain.touch(obj, domain.now())
        if resource == "reminders":
            domain.finish_reminder(obj, body)
    else:
        domain.check_gateway(obj["gateway"])
        _check_refs(Lookup(call.site), obj)
    store.put(db, KIND[resource], obj)
    _row_changed(call.site, db, resource, before, obj)


def delete_item(call):
    resource = resource_of(call.op)
    store = call.site.store
    with store.transaction() as db:
        obj = _fetch(store, KIND[resource], call.path["id"])
        if obj is None:
            return not_found()
        farewell = events.member_deleting(call.site, obj["id"]) if resource == "members" else None
        for kind, dependant in _dependants(call.site, resource, obj):
            store.delete(db, kind, int(dependant["id"]))
        store.delete(db, KIND[resource], call.path["id"])
        if resource == "members":
            events.member_deleted(call.site, db, obj["id"], farewell)
    return wp.reply(True)   # MpdtBaseApi::delete_item answers true


def _dependants(site, resource: str, obj: dict):
    """What goes with the object: a subscription's payments; a user's MemberPress rows."""
    if resource == "subscriptions":
        return [(KIND["transactions"], t) for t in site.store.all(KIND["transactions"])
                if str(t.get("subscription")) == str(obj["id"])]
    if resource == "members":
        uid = str(obj["id"])
        out = [(KIND["transactions"], t) for t in site.store.all(KIND["transactions"]) if str(t.get("member")) == uid]
        out += [(KIND["subscriptions"], s) for s in site.store.all(KIND["subscriptions"]) if str(s.get("member")) == uid]
        return out + [(MEMBER_DATA, {"id": obj["id"]})]
    return []   # memberships, coupons, rules: references to them stay, dangling (see docs)


# -- actions -----------------------------------------------------------------------------------

def _action_reply(message: str, obj: dict):
    """MpdtBaseApi puts the inner WP_REST_Response into the answer: its public fields show."""
    return wp.reply({"message": message, "data": {"data": obj, "headers": [], "status": 200}})


def subscription_action(call):
    action = call.op.path.rsplit("/", 1)[1]
    store = call.site.store
    try:
        with store.transaction() as db:
            sub = _fetch(store, KIND["subscriptions"], call.path["id"])
            if sub is None:
                return not_found()
            _subscription_action(call, db, action, sub)
    except Refused as exc:
        return refused(str(exc))
    lk = Lookup(call.site)
    return _action_reply(MESSAGES[action], serialize.subscription(lk.get(KIND["subscriptions"], sub["id"]), lk))


def _subscription_action(call, db, action: str, sub: dict) -> None:
    store = call.site.store
    before = dict(sub)
    if action == "cancel":
        store.put(db, KIND["subscriptions"], domain.cancel(sub))
        events.subscription_changed(call.site, db, before, sub)
    elif action in domain.SUBSCRIPTION_MOVES:
        if domain.move_subscription(sub, action):
            store.put(db, KIND["subscriptions"], sub)
            events.subscription_changed(call.site, db, before, sub)
    else:
        txns = [t for t in store.all(KIND["transactions"]) if str(t.get("subscription")) == sub["id"]]
        befores = [dict(t) for t in txns]
        for txn in domain.expire_txns(txns, domain.now()):
            store.put(db, KIND["transactions"], txn)
        events.transactions_expired(call.site, db, sub["id"], list(zip(befores, txns)))


def transaction_action(call):
    action = call.op.path.rsplit("/", 1)[1]
    store = call.site.store
    with store.transaction() as db:
        txn = _fetch(store, KIND["transactions"], call.path["id"])
        if txn is None:
            return not_found()
        before = dict(txn)
        store.put(db, KIND["transactions"], domain.refund(txn))
        events.transaction_changed(call.site, db, before, txn)
        if action == "refund_and_cancel":
            sub = _fetch(store, KIND["subscriptions"], txn.get("subscription"))
            if sub:
                sub_before = dict(sub)
                store.put(db, KIND["subscriptions"], domain.cancel(sub))
                events.subscription_changed(call.site, db, sub_before, sub)
    lk = Lookup(call.site)
    return _action_reply(MESSAGES[action], serialize.transaction(lk.get(KIND["transactions"], txn["id"]), lk))


# -- binding ---------------------------------------------------------------------------------

def handler_for(op):
    special = {"getMe": get_me, "subscribeWebhook": subscribe_webhook, "unsubscribeWebhook": unsubscribe_webhook,
               **options.HANDLERS}
    if op.op_id in special:
        return special[op.op_id]
    parts = op.path.split("/")   # ['', 'wp-json', 'mp', 'v1', resource, '{id}', action]
    if len(parts) == 7:
        return subscription_action if parts[4] == "subscriptions" else transaction_action
    if len(parts) == 5:
        return list_items if op.method == "GET" else create_item
    return {"GET": get_item, "DELETE": delete_item}.get(op.method, update_item)


HANDLERS = {op.op_id: handler_for(op) for op in operations.load(API) if "x-wp-discovery" not in op.spec}
