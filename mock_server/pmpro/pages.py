"""HTML the admin-screen helper routes answer with: quick_search's result table and
email_log_popup's details. Built from the site's data with the structure PMPro 3.7 gives them
(a striped table of icon + link rows, one section per kind of result)."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from mock_server.pmpro import domain

TYPES = ("all", "users", "subscriptions", "orders", "reports", "levels", "discounts", "settings", "documentation")
REPORTS = {"memberships": "Membership Stats", "members_per_level": "Active Members Per Level",
           "sales": "Sales and Revenue", "login": "Visits, Views, and Logins", "email_log": "Email Log"}
SETTINGS = [("Levels", "pmpro-membershiplevels", "pmpro_membershiplevels"),
            ("Discount Codes", "pmpro-discountcodes", "pmpro_discountcodes"),
            ("Pages", "pmpro-pagesettings", "pmpro_pagesettings"),
            ("Payments", "pmpro-paymentsettings", "pmpro_paymentsettings"),
            ("Security", "pmpro-securitysettings", "pmpro_securitysettings"),
            ("Email", "pmpro-emailsettings", "pmpro_emailsettings"),
            ("Email Templates", "pmpro-emailtemplates", "pmpro_emailsettings"),
            ("User Fields", "pmpro-userfields", "pmpro_userfields"),
            ("Design", "pmpro-designsettings", "pmpro_designsettings"),
            ("Advanced", "pmpro-advancedsettings", "pmpro_advancedsettings")]
DOCS = [("Caching", "https://www.paidmembershipspro.com/documentation/advanced/caching/", ("cache", "caching", "performance")),
        ("Hosting Recommendations", "https://www.paidmembershipspro.com/recommendations-web-hosting-support-pmpro/",
         ("host", "hosting", "performance"))]


def _admin(root: str, query: str) -> str:
    return f"{root}/wp-admin/admin.php?{query}"


def _item(url: str, label: str, icon: str, new_tab: bool = False) -> dict:
    return {"url": url, "label": label, "icon": icon, "new_tab": new_tab}


def _starts(value, needle: str) -> bool:
    return str(value or "").lower().startswith(needle.lower())


def search_results(site, user, root: str, needle: str, kind: str) -> str:
    """The quick search answer's HTML: sections in PMPro's order, each only for callers who may see it."""
    kind = kind if kind in TYPES else "all"
    limit = 5 if kind == "all" else 10
    exact = kind == "all"
    number = int(needle) if needle.isdigit() else -1
    can = lambda cap: site.can(user, cap) or site.can(user, "manage_options")  # noqa: E731
    sections: list[tuple[str, list[dict]]] = []

    def wanted(name):
        return kind in ("all", name)

    if wanted("users") and can("pmpro_edit_members"):
        found = sorted((u for u in site.users() if u["id"] == number or _starts(u["user_login"], needle)
                        or _starts(u["user_email"], needle)), key=lambda u: u["display_name"].lower())[:limit]
        sections.append(("Users", [_item(_admin(root, f"page=pmpro-member&#038;user_id={u['id']}"),
                                         f"<strong>{escape(u['display_name'])}</strong> ({escape(u['user_email'])})",
                                         "dashicons-admin-users") for u in found]))
    if wanted("subscriptions") and can("pmpro_edit_members"):
        sections.append(("Subscriptions", []))   # the mock keeps no pmpro_subscriptions table
    if wanted("orders") and can("pmpro_orders"):
        def hit(o):
            values = (o["code"], o.get("payment_transaction_id", ""))
            return o["id"] == number or any((v == needle) if exact else _starts(v, needle) for v in values)
        found = [o for o in site.store.all(domain.ORDER) if hit(o)][:limit]
        items = []
        for o in found:
            owner = site.user(o["user_id"])
            suffix = f" ({escape(owner['display_name'])})" if owner else ""
            items.append(_item(_admin(root, f"page=pmpro-orders&#038;id={o['id']}"),
                               f"<strong>{escape(o['code'])}</strong>{suffix}", "dashicons-money-alt"))
        sections.append(("Orders", items))
    if wanted("reports") and can("pmpro_reports"):
        sections.append(("Reports", [_item(_admin(root, f"page=pmpro-reports&#038;report={slug}"),
                                           f"<strong>{escape(name)}</strong>", "dashicons-chart-line")
                                     for slug, name in REPORTS.items() if _starts(name, needle)]))
    if wanted("levels") and can("pmpro_membershiplevels"):
        found = [lv for lv in domain.levels(site) if lv["id"] == number or _starts(lv["name"], needle)][:limit]
        sections.append(("Membership Levels", [_item(_admin(root, f"page=pmpro-membershiplevels&#038;edit={lv['id']}"),
                                                     f"<strong>{escape(lv['name'])}</strong>", "dashicons-groups")
                                               for lv in found]))
    if wanted("discounts") and can("pmpro_discountcodes"):
        found = [c for c in site.store.all(domain.CODE) if c["id"] == number or _starts(c["code"], needle)][:limit]
        sections.append(("Discount Codes", [_item(_admin(root, f"page=pmpro-discountcodes&#038;edit={c['id']}"),
                                                  f"<strong>{escape(c['code'])}</strong>", "dashicons-tag")
                                            for c in found]))
    if wanted("settings"):
        sections.append(("Settings", [_item(_admin(root, f"page={slug}"), f"<strong>{escape(name)}</strong>",
                                            "dashicons-admin-generic")
                                      for name, slug, cap in SETTINGS if _starts(name, needle) and can(cap)]))
    if wanted("documentation"):
        docs = [_item(url, f"<strong>{escape(name)}</strong>", "dashicons-book", True)
                for name, url, tags in DOCS if any(_starts(tag, needle) for tag in tags)][:limit - 1]
        docs.append(_item(f"https://www.paidmembershipspro.com/?s={quote(needle)}",
                          "<strong>Search Paid Memberships Pro Website</strong>", "dashicons-search", True))
        sections.append(("Documentation", docs))
    return _table(sections, kind, limit)


def _table(sections, kind: str, limit: int) -> str:
    html = '<table class="widefat striped">'
    shown = False
    for label, items in sections:
        if not items:
            continue
        shown = True
        if kind == "all":
            html += f'<tbody><tr><th scope="rowgroup" colspan="2">{escape(label)}</th></tr>'
        for item in items[:limit]:
            icon = f'<span class="dashicons {item["icon"]}" aria-hidden="true"></span>'
            target = 'target="_blank"' if item["new_tab"] else ""
            html += f'<tr><td>{icon}</td><td><a href="{item["url"]}" {target}>{item["label"]}</a></td></tr>'
        html += "</tbody>"
    if not shown:
        html += '<tbody><tr><td colspan="2">No results found.</td></tr></tbody>'
    return html + "</table>"


def email_log_details(log: dict) -> str:
    """The e-mail log entry as the admin popup shows it: who, what, when, and the message."""
    rows = [("To", log["email_to"]), ("From", f"{log['from_name']} <{log['email_from']}>")]
    rows += [(name, log[key]) for name, key in (("Reply-To", "reply_to"), ("CC", "cc"), ("BCC", "bcc")) if log.get(key)]
    rows += [("Subject", log["subject"]), ("Template", log.get("template") or "—"), ("Status", log["status"]),
             ("Date", log["timestamp"])]
    cells = "".join(f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td></tr>" for name, value in rows)
    return ('<div class="pmpro_scrollable"><div class="pmpro-email-log-details">'
            '<div class="pmpro-email-log-header">Email Information</div>'
            f'<table class="wp-list-table widefat striped">{cells}</table>'
            f'<div class="pmpro-email-log-body">{log["body"]}</div></div></div>')
