"""Callbacks of pmpro/v1, answering the way includes/rest-api.php answers (bare strings, false, {})."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Response, request

from mock_server import wp
from mock_server.pmpro import domain, exports, pages
from mock_server.pmpro.php import boolean, email, empty, floatval, format_price, intval, number, text, textarea

NO_USER = "No user information passed through."


def _arg(call, name: str, convert, default):
    """A request arg through the plugin's sanitizer, or ``default`` when it was not sent at all."""
    value = call.arg(name)
    return default if value is None else convert(value)


def _json_mode(call) -> bool:
    return text(call.arg("response_type")) == "json"


def _envelope(success: bool, data) -> Response:
    """wp_send_json_success / wp_send_json_error: always HTTP 200."""
    return wp.reply({"success": success, "data": data})


def _user_id_from(call, legacy_id: bool = False) -> int | None:
    """user_id, then (optionally) the legacy id, then the email's account; None when nothing resolves."""
    user_id = _arg(call, "user_id", intval, 0)
    if not user_id and legacy_id and not empty(call.arg("id")):
        user_id = intval(call.arg("id"))
    if not user_id and not empty(call.arg("email")):
        user = call.site.user_by("user_email", email(call.arg("email")))
        user_id = user["id"] if user else 0
    return user_id or None


# -- members ----------------------------------------------------------------------------

def has_membership_access(call):
    post_id = intval(call.arg("post_id"))
    user_id = _arg(call, "user_id", intval, 0)
    if not user_id:
        if empty(call.arg("email")):
            return wp.reply(NO_USER, 404)
        user = call.site.user_by("user_email", email(call.arg("email")))
        user_id = user["id"] if user else 0
    if not user_id:
        return wp.reply(False)
    return wp.reply(domain.has_access(call.site, post_id, user_id))


def get_membership_level_for_user(call):
    user_id = _user_id_from(call, legacy_id=True)
    views = (domain.user_level_view(call.site, row) for row in domain.active_memberships(call.site, user_id)) \
        if user_id else ()
    return wp.reply(next((v for v in views if v is not None), False))


def get_membership_levels_for_user(call):
    user_id = _user_id_from(call, legacy_id=True)
    return wp.reply(domain.user_levels(call.site, user_id) if user_id else False)


def change_membership_level(call):
    site = call.site
    user_id = _arg(call, "user_id", intval, 0)
    level_id = _arg(call, "level_id", intval, 0)
    address = _arg(call, "email", email, None)
    as_json = _json_mode(call)

    def fail(message, status):
        return _envelope(False, {"email": address, "error": message}) if as_json else wp.reply(message, status)

    if not user_id:
        if empty(address):
            return fail(NO_USER, 404)
        user = site.user_by("user_email", address)
        if user is None and boolean(call.arg("create_user", False)):
            login = _arg(call, "user_login", text, address)
            problem = _insert_user_problem(site, login, address)
            if problem:
                # PMPro sends wp_insert_user()'s message with a 500; a taken login is the caller's
                # mistake, so the mock keeps the message and answers 400 (docs/pmpro.md).
                return wp.reply(problem, 400)
            with site.store.transaction() as db:
                user = site.add_user(db, user_login=login, user_email=address,
                                     display_name=login, first_name=text(call.arg("first_name", "")),
                                     last_name=text(call.arg("last_name", "")),
                                     user_url=text(call.arg("user_url", "")),
                                     description=textarea(call.arg("description", "")),
                                     user_registered=domain.mysql(domain.now()))
        user_id = user["id"] if user else 0
    if not user_id or site.user(user_id) is None:
        return fail("No user found with that email address. Try the create_user parameter.", 404)
    if site.can(site.user(user_id), "manage_options"):
        return fail("Sorry, you are not allowed to edit admin accounts.", 403)
    with site.store.transaction() as db:
        result = domain.change_level(site, db, user_id, level_id)
    if as_json:
        changed = level_id if call.arg("level_id") is not None else None
        return _envelope(True, {"user_id": user_id, "level_changed": changed, "response": result, "status": 200})
    return wp.reply(result)


def _insert_user_problem(site, login: str, address: str) -> str | None:
    """The messages wp_insert_user() fails with."""
    if not login:
        return "Cannot create a user with an empty login name."
    if len(login) > 60:
        return "Username may not be longer than 60 characters."
    if site.user_by("user_login", login):
        return "Sorry, that username already exists!"
    if site.user_by("user_email", address):
        return "Sorry, that email address is already used!"
    return None


def cancel_membership_level(call):
    site = call.site
    user_id = _arg(call, "user_id", intval, 0)
    level_id = _arg(call, "level_id", intval, 0)
    address = _arg(call, "email", email, None)
    as_json = _json_mode(call)
    if not user_id:
        if empty(address):
            return _envelope(False, {"email": address}) if as_json else wp.reply(NO_USER, 404)
        user = site.user_by("user_email", address)
        user_id = user["id"] if user else 0
    if not level_id:
        return _envelope(False, {"email": address}) if as_json else wp.reply("No membership level ID data.", 400)
    result = False
    if user_id:
        with site.store.transaction() as db:
            result = domain.cancel_level(site, db, user_id, level_id)
    return _envelope(True, {"email": address}) if as_json else wp.reply(result)


# -- levels -----------------------------------------------------------------------------

def get_membership_level(call):
    level_id = _arg(call, "id", intval, 0)
    if not level_id:
        return wp.reply("ID not passed through", 400)
    lv = domain.level(call.site, level_id)
    view = domain.level_object(lv) if lv else {}
    if view.get("confirmation") and not domain.holds(call.site, call.user, level_id) \
            and not call.site.can(call.user, "pmpro_edit_members"):
        view["confirmation"] = ""
    return _envelope(True, {"level": view}) if _json_mode(call) else wp.reply(view)


def set_membership_level(call):
    """POST creates; PUT/PATCH update the level named by id (no id: false)."""
    site, method = call.site, call.request.method
    level_id = _arg(call, "id", intval, 0)
    if method in ("PUT", "PATCH") and not level_id:
        return wp.reply(False)
    stored = domain.level(site, level_id) if method != "POST" else None
    if stored:
        echo = domain.level_object(stored)
    elif method == "POST":
        echo = {"ID": "", "id": "", "name": "", "description": "", "confirmation": "", "initial_payment": "",
                "billing_amount": "", "cycle_number": "", "cycle_period": "", "billing_limit": "", "trial_amount": "",
                "trial_limit": "", "allow_signups": "", "expiration_number": "", "expiration_period": "",
                "categories": []}
    else:
        # new PMPro_Membership_Level($unknown_id) sets no property at all; every field the route
        # copies back reads as false through __get, and save() then inserts a new level.
        echo = dict.fromkeys(("name", "description", "confirmation", "initial_payment", "billing_amount",
                              "cycle_number", "billing_limit", "trial_amount", "allow_signups", "expiration_number",
                              "expiration_period", "categories"), False)
    fields = {}
    for name in ("name", "description", "confirmation"):
        if call.arg(name) is not None:
            echo[name] = fields[name] = text(call.arg(name))
    for name in domain.PRICE_FIELDS:
        if call.arg(name) is not None:
            echo[name] = number(floatval(call.arg(name)))
            fields[name] = domain.price(echo[name])
    if call.arg("cycle_number") is not None:
        echo["cycle_number"] = fields["cycle_number"] = intval(call.arg("cycle_number"))   # a negative one stays
    if call.arg("expiration_number") is not None:
        echo["expiration_number"] = intval(call.arg("expiration_number"))
        fields["expiration_number"] = max(echo["expiration_number"], 0)   # the column keeps no negative number
    if call.arg("billing_limit") is not None:
        fields["billing_limit"] = intval(call.arg("billing_limit"))  # a negative number is stored as sent
        echo["billing_limit"] = str(fields["billing_limit"])     # sanitize_text_field keeps it text
    if call.arg("allow_signups") is not None:
        echo["allow_signups"] = intval(call.arg("allow_signups"))
        fields["allow_signups"] = max(-128, min(127, echo["allow_signups"]))  # a TINYINT column keeps this much
    if call.arg("expiration_period") is not None:
        echo["expiration_period"] = intval(call.arg("expiration_period"))   # intval() of a period name: 0
        fields["expiration_period"] = str(echo["expiration_period"])       # ... written to a text column
    if call.arg("categories") is not None:
        parts = text(call.arg("categories")).split(",")
        echo["categories"] = parts                                         # explode(): every part, as text
        fields["categories"] = [intval(p) for p in parts if intval(p) > 0]
    with site.store.transaction() as db:
        if stored:
            stored.update(fields)
            saved = site.store.put(db, domain.LEVEL, stored)
        else:
            saved = domain.new_level(site, db, fields)
    echo["id"] = saved["id"]
    if stored:
        echo["ID"] = str(saved["id"])
    return _envelope(True, {"level": echo}) if _json_mode(call) else wp.reply(echo)


def delete_membership_level(call):
    level_id = _arg(call, "id", intval, 0)
    if not level_id:
        return wp.reply("ID not passed through.", 400)
    with call.site.store.transaction() as db:
        return wp.reply(domain.delete_level(call.site, db, level_id))


def list_membership_levels(call):
    site, user = call.site, call.user
    sees_all = site.can(user, "manage_options") or site.can(user, "pmpro_membershiplevels")
    held = {int(m["membership_id"]) for m in domain.active_memberships(site, user["id"])} if user else set()
    levels = {}
    for lv in domain.levels(site):
        row = domain.all_levels_row(lv)
        if not sees_all and int(lv["id"]) not in held:
            row["confirmation"] = ""
        levels[row["id"]] = row
    body = levels or []
    return _envelope(True, {"levels": body}) if _json_mode(call) else wp.reply(body)


def get_checkout_level(call):
    for name in ("pmpro_level", "level_id", "level"):
        if call.arg(name) is not None:
            level_id = intval(call.arg(name))
            break
    else:
        level_id = 0
    if level_id <= 0:
        return wp.reply("No level found.", 400)
    raw_code = call.arg("pmpro_discount_code") if call.arg("pmpro_discount_code") is not None \
        else call.arg("discount_code")
    row = domain.checkout_level(call.site, level_id, text(raw_code) if raw_code is not None else None)
    if row is None:
        return wp.reply(None)
    if row["confirmation"] and not domain.holds(call.site, call.user, level_id) \
            and not call.site.can(call.user, "pmpro_edit_members"):
        row["confirmation"] = ""
    row["initial_payment_formatted"] = format_price(row["initial_payment"])
    return wp.reply(row)


# -- discount codes and orders ----------------------------------------------------------

def get_discount_code(call):
    code = _arg(call, "code", text, "")
    if empty(code):
        return wp.reply("No discount code sent.", 400)
    found = domain.code_by_text(call.site, code)
    # An unknown code leaves the PMPro_Discount_Code object with its class defaults.
    return wp.reply(domain.code_view(found) if found else
                    {"id": 0, "code": "", "starts": "", "expires": "", "uses": 0, "levels": []})


def set_discount_code(call):
    """PMPro_Discount_Code::save() as the route drives it: a new code text is inserted; an existing
    one is refused by POST and, for PUT/PATCH, fails to insert again (the object's id is 0, so save()
    never updates): nothing changes and the echo says id 0. The echo is the object as the route
    filled it, or the stored code when level rows were written (save() reloads it then)."""
    site, method = call.site, call.request.method
    code = _arg(call, "code", text, "")
    uses = intval(call.arg("uses")) if call.arg("uses") is not None else ""
    starts, expires = (text(call.arg(name)) if call.arg(name) is not None else "" for name in ("starts", "expires"))
    raw_levels = _arg(call, "levels", text, None)
    levels_sent, pricing = None, {}
    if not empty(raw_levels):
        try:
            levels_sent = json.loads(raw_levels)
        except ValueError:
            levels_sent = None
        if isinstance(levels_sent, list):
            for entry in levels_sent:
                if isinstance(entry, dict) and intval(entry.get("level")) > 0:
                    pricing[str(intval(entry["level"]))] = domain.store_pricing(_route_copy(entry))
    if method == "POST" and code and domain.code_by_text(site, code):
        return wp.reply("Discount code already exists.", 400)
    if not code:  # save() makes one up, with default dates and uses
        code = domain.random_code()
        starts = starts or domain.now().strftime("%Y-%m-%d")
        expires = expires or (domain.now() + timedelta(days=1)).strftime("%Y-%m-%d")
        uses = uses or 0
    echo = {"id": 0, "code": code, "starts": starts, "expires": expires, "uses": uses,
            "levels": pricing or (levels_sent if isinstance(levels_sent, list) else None)}
    with site.store.transaction() as db:
        if any(c["code"] == code for c in site.store.all(domain.CODE)):
            site.store.next_id(db, domain.SEQ_CODES)  # the failed INSERT still uses up an AUTO_INCREMENT id
            return wp.reply(echo)  # the INSERT hits the unique code: nothing is stored
        stored = {"id": site.store.next_id(db, domain.SEQ_CODES), "code": code, "starts": _date(starts),
                  "expires": _date(expires), "uses": intval(uses), "levels": pricing}
        site.store.put(db, domain.CODE, stored)
    echo["id"] = stored["id"]
    return wp.reply(domain.code_view(stored) if pricing else echo)


def _route_copy(entry: dict) -> dict:
    """The route's copy of one level entry: billing_limit takes cycle_period, the expiration fields 1 or null."""
    return {**entry, "billing_limit": entry.get("cycle_period"),
            "expiration_number": 1 if entry.get("expiration_number") is not None else None,
            "expiration_period": None}


def _date(value: str) -> str:
    """What a MySQL DATE column keeps of a text: the date, or 0000-00-00 (WordPress runs MySQL non-strict)."""
    return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "0000-00-00"


def get_order(call):
    code = _arg(call, "code", text, "")
    if empty(code):
        return wp.reply("No order code sent.", 400)
    order = domain.order_by_code(call.site, code)
    return wp.reply(domain.order_view(order) if order else {})


# -- content ----------------------------------------------------------------------------

def get_post_restrictions(call):
    post_id = _arg(call, "post_id", intval, 0)
    if post_id <= 0:
        return wp.reply({"error": "No post ID provided."}, 400)
    return wp.reply([{"membership_id": str(i)} for i in domain.restriction_ids(call.site, post_id)])


def set_post_restrictions(call):
    post_id = _arg(call, "post_id", intval, 0)
    raw = call.arg("level_ids")
    if post_id <= 0:
        return wp.reply({"error": "No post ID provided."}, 400)
    if isinstance(raw, dict):
        raw = list(raw.values())
    if not isinstance(raw, list):
        # PHP would throw in array_map (a 500); the mock refuses like a missing list instead.
        return wp.reply({"error": "No level IDs provided."}, 400)
    level_ids = [intval(v) for v in raw]
    with call.site.store.transaction() as db:
        domain.set_restrictions(call.site, db, post_id, [i for i in level_ids if i > 0])
    return wp.reply({"success": level_ids})


# -- exports ----------------------------------------------------------------------------

def _base_url() -> str:
    return request.host_url


def start_export(call):
    export_type = _arg(call, "type", text, "")
    if not export_type:
        return wp.reply({"error": "Missing export type."}, 400)
    params = dict(call.raw_query)
    if isinstance(call.body, dict):
        params.update(call.body)
    force_async = not empty(call.arg("force_async"))
    export = exports.start(call.site, call.user, export_type, params, force_async)
    body = exports.public(call.site, export, _base_url())
    return wp.reply(body, 400 if "error" in body else 200)


def get_export_status(call):
    export_type = _arg(call, "type", text, "")
    if not export_type:
        return wp.reply({"error": "Missing export type."}, 400)
    export_id = _arg(call, "export_id", text, "")
    export = exports.status(call.site, call.user, export_type, export_id)
    if "export_id" not in export:
        return wp.reply({**export, "http_status": 200})
    body = exports.public(call.site, export, _base_url())
    if "error" in body:
        body["http_status"] = 200
    return wp.reply(body)


def download_export(site):
    """The site root with pmpro_restricted_file_dir=exports: the CSV, once, for the owner's token."""
    args = request.args
    if args.get("pmpro_restricted_file_dir") != "exports" or not args.get("pmpro_restricted_file"):
        return wp.no_route()
    user, failure = site.authenticate(request.headers.get("Authorization"))
    export = exports.record(site, args.get("export_id", ""))
    denied = Response("You do not have permission to access this file.", status=403, mimetype="text/html")
    if failure or export is None or export["status"] != "complete":
        return denied
    if export["file_name"] != args.get("pmpro_restricted_file") or not exports.token_ok(export, args.get("token", "")):
        return denied
    if user is not None and user["id"] != export["user_id"]:
        return denied
    exports.finish_download(site, export)
    return Response(export["csv"], mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{export["file_name"]}"'})


# -- helper routes beyond the documented ones ---------------------------------------------

def me(call):
    """validate_me: wp_send_json_success with the caller's display name (false when anonymous)."""
    return _envelope(True, {"username": call.user["display_name"] if call.user else False})


def recent_memberships(call):
    limit = _arg(call, "limit", intval, 1)
    raw = text(call.arg("level_status")) if not empty(call.arg("level_status")) else ""
    statuses = raw.split(",") if raw else ["active"]
    # PMPro dies on an empty result (500); the mock answers the empty list (docs/pmpro.md).
    return wp.reply(domain.recent_memberships(call.site, statuses, limit))


def recent_orders(call):
    return wp.reply(domain.recent_orders(call.site, _arg(call, "limit", intval, 1)))


def get_checkout_levels(call):
    """The deprecated plural route: one intval'd level id (a '+' list keeps its first), priced like
    checkout_level, keyed by that id, with the summed initial payment."""
    for name in ("pmpro_level", "level_id", "level"):
        if call.arg(name) is not None:
            level_ids = [intval(call.arg(name))]
            break
    else:
        return wp.reply("No levels found.", 400)
    code = text(call.arg("discount_code")) if call.arg("discount_code") is not None else ""
    if not code and call.arg("pmpro_discount_code") is not None:
        code = re.sub(r"[^A-Za-z0-9\-]", "", text(call.arg("pmpro_discount_code")))
    body, total = {"initial_payment": 0.0}, 0.0
    for level_id in level_ids:
        priced = level_id or domain.default_level_id(call.site)
        row = domain.checkout_level(call.site, priced, code or None) if priced > 0 else None
        if row and row["confirmation"] and not domain.holds(call.site, call.user, level_id) \
                and not call.site.can(call.user, "pmpro_membershiplevels"):
            row["confirmation"] = ""
        body[str(level_id)] = row
        total += floatval(row["initial_payment"]) if row else 0.0
    body["initial_payment"] = int(total) if total.is_integer() else total   # PHP prints 20.0 as 20
    body["initial_payment_formatted"] = format_price(total)
    return wp.reply(body)


def quick_search(call):
    needle = text(call.arg("search")) if call.arg("search") is not None else ""
    if not needle:
        return wp.reply({"error": "No search string provided."}, 400)
    kind = text(call.arg("type")) if call.arg("type") is not None else "all"
    html = pages.search_results(call.site, call.user, request.url_root.rstrip("/"), needle, kind)
    return _envelope(True, html)


def get_email_log_popup(call):
    log_id = abs(intval(call.arg("log_id")))   # absint
    if not log_id:
        return wp.reply({"error": "No log ID provided."}, 400)
    log = domain.email_log(call.site, log_id)
    if log is None:
        return wp.reply({"error": "Email log not found."}, 404)
    return wp.reply({"html": pages.email_log_details(log)})
