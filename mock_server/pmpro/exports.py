"""PMPro_Exports: members/orders CSV exports, synchronous when small, in chunks otherwise.

The real plugin runs big exports through Action Scheduler; the mock has no scheduler, so (as
PMPro's own status self-heal does when no task is queued) every status poll of a running export
processes the next chunk. Async exports use chunks of a quarter of the rows, so a client sees
``running`` with growing ``processed_count`` for a few polls before ``complete``.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from datetime import datetime
from urllib.parse import urlencode

from mock_server.pmpro import domain
from mock_server.pmpro.php import digits, floatval, intval, text

EXPORT = "pmpro_export"
SEQ = "pmpro_exports"
ASYNC_THRESHOLD = 499          # PMPro_Exports::$default_async_threshold
CHUNK_SIZE = 250               # PMPro_Exports::$default_chunk_size
ASYNC_STEPS = 4                # mock: polls an async export takes
FINISHED = ("complete", "error", "cancelled")

MEMBER_HEADER = ["id", "username", "firstname", "lastname", "email", "membership", "membership_id",
                 "discount_code_id", "discount_code", "subscription_transaction_id", "billing_amount",
                 "cycle_number", "cycle_period", "next_payment_date", "joined", "startdate"]
ORDER_HEADER = ["id", "code", "user_id", "user_login", "first_name", "last_name", "user_email", "billing_name",
                "billing_street", "billing_city", "billing_state", "billing_zip", "billing_country",
                "billing_phone", "membership_id", "level_name", "subtotal", "tax", "total", "payment_type",
                "cardtype", "accountnumber", "expirationmonth", "expirationyear", "status", "gateway",
                "gateway_environment", "payment_transaction_id", "subscription_transaction_id",
                "discount_code_id", "discount_code", "timestamp"]


# -- records ----------------------------------------------------------------------------

def record(site, export_id: str) -> dict | None:
    if not export_id:
        return None
    return next((e for e in site.store.all(EXPORT) if e["export_id"] == export_id), None)


def active_record(site, user_id: int, export_type: str) -> dict | None:
    return next((e for e in site.store.all(EXPORT)
                 if e["user_id"] == user_id and e["type"] == export_type and e.get("active")), None)


def public(site, export: dict, base_url: str) -> dict:
    """format_public_export_response."""
    out = {"export_id": export["export_id"], "type": export["type"], "status": export["status"],
           "total_count": int(export["total_count"]), "processed_count": int(export["processed_count"])}
    if export["status"] == "complete":
        out["download_url"] = download_url(export, base_url)
    if export.get("error"):
        out["error"] = export["error"]
    return out


def download_url(export: dict, base_url: str) -> str:
    query = {"pmpro_restricted_file_dir": "exports", "pmpro_restricted_file": export["file_name"],
             "export_id": export["export_id"], "token": export["token"],
             "_wpnonce": hashlib.sha256(("nonce" + export["export_id"]).encode()).hexdigest()[:10]}
    return base_url.rstrip("/") + "/?" + urlencode(query)


def token_ok(export: dict, token: str) -> bool:
    return bool(token) and hmac.compare_digest(export["token"], token)


# -- start and poll ---------------------------------------------------------------------

def start(site, user: dict, export_type: str, params: dict, force_async: bool) -> dict:
    """start_export: reuse a running export of the type, else count, create, and run or queue it."""
    active = active_record(site, user["id"], export_type)
    if active and active["status"] not in FINISHED:
        return active
    filters = (member_filters if export_type == "members" else order_filters)(params)
    ids = (member_ids if export_type == "members" else order_ids)(site, filters)
    with site.store.transaction() as db:
        for old in site.store.all(EXPORT):
            if old["user_id"] == user["id"] and old["type"] == export_type and old.get("active"):
                old["active"] = False
                site.store.put(db, EXPORT, old)
        export_id = str(uuid.uuid4())
        export = {"id": site.store.next_id(db, SEQ), "export_id": export_id, "user_id": user["id"],
                  "type": export_type, "status": "running", "filters": filters, "ids": ids,
                  "total_count": len(ids), "processed_count": 0, "next_offset": 0, "error": "",
                  "file_name": f"{export_type}-{export_id}.csv", "token": uuid.uuid4().hex + uuid.uuid4().hex[:8],
                  "active": True, "csv": "", "created_at": domain.now().isoformat()}
        should_async = force_async or len(ids) > ASYNC_THRESHOLD
        export["chunk_size"] = max(1, math.ceil(len(ids) / ASYNC_STEPS)) if should_async else CHUNK_SIZE
        _chunk(site, export)
        while not should_async and export["status"] not in FINISHED:
            _chunk(site, export)
        site.store.put(db, EXPORT, export)
    return export


def status(site, user: dict, export_type: str, export_id: str) -> dict:
    """get_status: the named export (or the caller's active one); a running one advances a chunk."""
    export = record(site, export_id) if export_id else active_record(site, user["id"], export_type)
    if not export or export["user_id"] != user["id"] or export["type"] != export_type:
        return {"error": "No export found."}
    if export["status"] in ("queued", "running"):
        with site.store.transaction() as db:
            _chunk(site, export)
            site.store.put(db, EXPORT, export)
    return export


def finish_download(site, export: dict) -> None:
    """cleanup_after_download: the record and the active pointer go (the link is single-use)."""
    with site.store.transaction() as db:
        site.store.delete(db, EXPORT, export["id"])


def _chunk(site, export: dict) -> None:
    """process_export_chunk_record: write the next chunk of rows; complete when the offset reaches the end."""
    offset, total = export["next_offset"], export["total_count"]
    if offset >= total:
        if not export["csv"]:
            export["csv"] = _header(export)
        export["status"] = "complete"
        return
    chunk = export["ids"][offset:offset + export["chunk_size"]]
    lines = (member_rows if export["type"] == "members" else order_rows)(site, export, chunk)
    if offset == 0:
        export["csv"] = _header(export)
    export["csv"] += "".join(lines)
    export["processed_count"] += len(lines)
    export["next_offset"] = offset + len(chunk)
    export["status"] = "complete" if export["next_offset"] >= total else "running"


def _header(export: dict) -> str:
    if export["type"] == "orders":
        return ",".join(ORDER_HEADER) + "\n"
    last = "ended" if export["filters"].get("l") == "oldmembers" else "expires"
    return ",".join(MEMBER_HEADER + [last]) + "\n"


def _enclose(value) -> str:
    """csv_enclose: always quoted, inner quotes backslash-escaped."""
    return '"' + ("" if value is None else str(value)).replace('"', '\\"') + '"'


def _line(values) -> str:
    return ",".join(_enclose(v) for v in values) + "\n"


# -- members ----------------------------------------------------------------------------

def member_filters(params: dict) -> dict:
    return {"l": text(params.get("l")), "s": text(params.get("s"))}


def _member_rows_for(site, user_id: int, filters: dict) -> list[dict]:
    rows = domain.memberships(site, user_id)
    l = filters["l"]
    if l == "oldmembers":
        return [r for r in rows if r["status"] != "active"]
    if l in ("expired", "cancelled"):
        if any(r["status"] == "active" for r in rows):
            return []
        wanted = ("expired",) if l == "expired" else ("cancelled", "admin_cancelled")
        return [r for r in rows if r["status"] in wanted]
    if digits(l):
        return [r for r in rows if r["status"] == "active" and int(r["membership_id"]) == intval(l)]
    return [r for r in rows if r["status"] == "active"]


def _matches_user(user: dict, search: str) -> bool:
    if not search:
        return True
    key, _, value = search.partition(":") if ":" in search else ("", "", search)
    value = value.replace("*", "").lower()
    if key in ("login", "nicename", "email", "url", "display_name"):
        return value in str(user.get(f"user_{key}" if key != "display_name" else "display_name", "")).lower()
    if key:
        return value in str(user.get(key, "")).lower()
    fields = ("user_login", "user_email", "display_name", "first_name", "last_name")
    return any(value in str(user.get(f, "")).lower() for f in fields)


def member_ids(site, filters: dict) -> list[int]:
    return [u["id"] for u in site.users()
            if _member_rows_for(site, u["id"], filters) and _matches_user(u, filters["s"])]


def _last_code(site, user_id: int) -> dict | None:
    uses = sorted((u for u in site.store.all(domain.CODE_USE) if int(u["user_id"]) == user_id),
                  key=lambda u: int(u["code_id"]), reverse=True)
    return site.store.get(domain.CODE, int(uses[0]["code_id"])) if uses else None


def _date(value: str | None, fallback: str = "N/A") -> str:
    return value[:10] if value and not value.startswith("0000") else fallback


def member_rows(site, export: dict, user_ids: list[int]) -> list[str]:
    lines = []
    for user_id in user_ids:
        user = site.user(user_id)
        if not user:
            continue
        code = _last_code(site, user_id)
        by_level: dict[int, list[dict]] = {}
        for row in _member_rows_for(site, user_id, export["filters"]):
            by_level.setdefault(int(row["membership_id"]), []).append(row)
        for level_id, rows in sorted(by_level.items()):
            lv = domain.level(site, level_id)
            recurring = next((r for r in rows if r["status"] == "active" and floatval(r["billing_amount"]) > 0), None)
            sub = _subscription_order(site, user_id, level_id) if recurring else None
            ends = [r["enddate"] for r in rows if r.get("enddate")]
            lines.append(_line([
                user["id"], user["user_login"], user.get("first_name", ""), user.get("last_name", ""),
                user["user_email"], lv["name"] if lv else "", level_id,
                code["id"] if code else "", code["code"] if code else "",
                sub or "", recurring["billing_amount"] if recurring else "",
                recurring["cycle_number"] if recurring else "", recurring["cycle_period"] if recurring else "",
                "" if not recurring else _date(_next_payment(recurring), ""),
                _date(user.get("user_registered")), _date(min(r["startdate"] for r in rows)),
                _date(max(ends) if ends and len(ends) == len(rows) else None),
            ]))
    return lines


def _subscription_order(site, user_id: int, level_id: int) -> str:
    orders = [o for o in site.store.all(domain.ORDER)
              if int(o["user_id"]) == user_id and int(o["membership_id"]) == level_id
              and o.get("subscription_transaction_id")]
    return orders[-1]["subscription_transaction_id"] if orders else ""


def _next_payment(row: dict) -> str | None:
    from datetime import timedelta
    start = datetime.strptime(row["startdate"], "%Y-%m-%d %H:%M:%S")
    step = {"Day": 1, "Week": 7, "Month": 30, "Year": 365}.get(row["cycle_period"], 30) * max(intval(row["cycle_number"]), 1)
    today = domain.now().replace(tzinfo=None)
    moment = start
    while moment <= today:
        moment += timedelta(days=step)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# -- orders -----------------------------------------------------------------------------

def order_filters(params: dict) -> dict:
    limit, pn = max(intval(params.get("limit")), 0), max(intval(params.get("pn", 1)), 1)
    return {"s": text(params.get("s")), "l": intval(params.get("l")),
            "discount_code": intval(params.get("discount-code")), "status": text(params.get("status")),
            "predefined_date": text(params.get("predefined-date")), "start_date": text(params.get("start-date")),
            "end_date": text(params.get("end-date")), "gateway": text(params.get("gateway")),
            "total": text(params.get("total")), "limit": limit, "pn": pn,
            "offset": (pn * limit - limit) if limit else 0}


def _date_range(filters: dict) -> tuple[str, str] | None:
    today = domain.now().date()
    named = filters["predefined_date"]
    if named:
        if named == "Last Month":
            first = today.replace(day=1)
            end = first.fromordinal(first.toordinal() - 1)
            return end.replace(day=1).isoformat(), end.isoformat()
        if named == "This Year":
            return f"{today.year}-01-01", f"{today.year}-12-31"
        if named == "Last Year":
            return f"{today.year - 1}-01-01", f"{today.year - 1}-12-31"
        return today.replace(day=1).isoformat(), f"{today.isoformat()[:8]}31"
    if filters["start_date"] and filters["end_date"]:
        return filters["start_date"], filters["end_date"]
    return None


def _order_matches(site, order: dict, filters: dict) -> bool:
    if filters["l"] and int(order["membership_id"]) != filters["l"]:
        return False
    if filters["status"] and order["status"] != filters["status"]:
        return False
    if filters["discount_code"] and not any(int(u["code_id"]) == filters["discount_code"]
                                            and int(u.get("order_id") or 0) == int(order["id"])
                                            for u in site.store.all(domain.CODE_USE)):
        return False
    span = _date_range(filters)
    if span and not (span[0] + " 00:00:00" <= order["timestamp"] <= span[1] + " 23:59:59"):
        return False
    gateway = filters["gateway"]
    if gateway and (order["gateway"] != ("" if gateway == "no_gateway" else gateway)):
        return False
    if filters["total"] == "paid" and floatval(order["total"]) <= 0:
        return False
    if filters["total"] == "free" and floatval(order["total"]) != 0:
        return False
    search = filters["s"]
    if search:
        user = site.user(order["user_id"]) or {}
        key, _, value = search.partition(":") if ":" in search else ("", "", search)
        value = value.lower()
        if key in ("login", "nicename", "email", "url", "display_name"):
            return value in str(user.get(f"user_{key}" if key != "display_name" else key, "")).lower()
        if key:
            return value in str(order.get(key, order.get("billing", {}).get(key.removeprefix("billing_"), ""))).lower()
        lv = domain.level(site, order["membership_id"]) or {}
        haystack = [order[f] for f in ("id", "code", "payment_type", "cardtype", "accountnumber", "status",
                                       "gateway", "gateway_environment", "payment_transaction_id",
                                       "subscription_transaction_id", "notes")]
        haystack += list(order["billing"].values()) + [user.get("user_login"), user.get("user_email"),
                                                        user.get("display_name"), lv.get("name")]
        return any(value in str(v or "").lower() for v in haystack)
    return True


def order_ids(site, filters: dict) -> list[int]:
    ids = [o["id"] for o in sorted(site.store.all(domain.ORDER), key=lambda o: (-o["id"], o["timestamp"]))
           if _order_matches(site, o, filters)]
    if filters["limit"]:
        ids = ids[filters["offset"]:filters["offset"] + filters["limit"]]
    return ids


def order_rows(site, export: dict, ids: list[int]) -> list[str]:
    lines = []
    for order_id in ids:
        order = site.store.get(domain.ORDER, order_id)
        if not order:
            continue
        user = site.user(order["user_id"]) or {}
        lv = domain.level(site, order["membership_id"]) or {}
        use = next((u for u in site.store.all(domain.CODE_USE) if int(u.get("order_id") or 0) == order_id), None)
        code = site.store.get(domain.CODE, int(use["code_id"])) if use else None
        billing = order["billing"]
        stamp = datetime.strptime(order["timestamp"], "%Y-%m-%d %H:%M:%S").strftime("%B %-d, %Y %-I:%M %p")
        lines.append(_line([
            order["id"], order["code"], user.get("id", ""), user.get("user_login", ""), user.get("first_name", ""),
            user.get("last_name", ""), user.get("user_email", ""), billing["name"], billing["street"],
            billing["city"], billing["state"], billing["zip"], billing["country"], billing["phone"],
            order["membership_id"], lv.get("name", ""), order["subtotal"], order["tax"], order["total"],
            order["payment_type"], order["cardtype"], order["accountnumber"], order["expirationmonth"],
            order["expirationyear"], order["status"], order["gateway"], order["gateway_environment"],
            order["payment_transaction_id"], order["subscription_transaction_id"],
            code["id"] if code else "", code["code"] if code else "", stamp,
        ]))
    return lines
