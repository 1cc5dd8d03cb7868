"""Objects of the site under test that the suite did not make and no route lists: found by reading.

PMPro has no route that lists orders or posts, but its order route reads an all-digit code as an
order id and its post_restrictions route answers 200 for any post that exists (401/403 for one
that does not: ``edit_post`` maps to ``do_not_allow``). Reading ids 1..PROBE as the administrator
finds the first few of each, with GET requests only, so this works in --read-only runs too.
"""
from __future__ import annotations

from functools import cache

from conformance import state

PMPRO = "/wp-json/pmpro/v1"
PROBE = 30


@cache
def pmpro_orders() -> tuple[dict, ...]:
    """Orders with ids 1..PROBE, as the administrator reads them."""
    target, found = state.target(), []
    if target.credentials("pmpro") is None:
        return ()
    for order_id in range(1, PROBE + 1):
        response = target.call("pmpro", "GET", f"{PMPRO}/order", params={"code": str(order_id)})
        body = response.json() if response.status_code == 200 and response.content else None
        if isinstance(body, dict) and body.get("code") and body.get("user_id") not in (None, "", "0", 0):
            found.append(body)
    return tuple(found)


@cache
def pmpro_posts() -> tuple[tuple[int, tuple[int, ...]], ...]:
    """(post id, ids of the levels restricting it) for the posts with ids 1..PROBE."""
    target, found = state.target(), []
    if target.credentials("pmpro") is None:
        return ()
    for post_id in range(1, PROBE + 1):
        response = target.call("pmpro", "GET", f"{PMPRO}/post_restrictions", params={"post_id": post_id})
        if response.status_code == 200 and isinstance(response.json(), list):
            found.append((post_id, tuple(int(row["membership_id"]) for row in response.json())))
    return tuple(found)


def subscriber_id(auth: dict) -> int | None:
    """The subscriber's user id: WordPress's own users/me, or else the owner of an order they may read."""
    target = state.target()
    me = target.http.get(target.url("/wp-json/wp/v2/users/me"), headers=auth, timeout=30)
    if me.status_code == 200 and isinstance(me.json(), dict) and me.json().get("id"):
        return int(me.json()["id"])
    for order in pmpro_orders():
        response = target.call("pmpro", "GET", f"{PMPRO}/order", auth=auth, params={"code": order["code"]})
        if response.status_code == 200:
            return int(order["user_id"])
    return None


@cache
def pmpro_member() -> tuple[int, tuple[int, ...], tuple[int, ...]] | None:
    """(user id, ids of the levels they hold, ids of the site's levels they do not hold) for an
    owner of one of the orders found, who holds a level and is no administrator: the arguments on
    which PMPro's user routes act, so only the permission check can refuse a caller. Changing a
    member to a level they hold, or cancelling one they do not, changes nothing (the plugin returns
    early), so even a server that wrongly lets the caller through alters no data."""
    target = state.target()
    if target.credentials("pmpro") is None:
        return None
    listed = target.call("pmpro", "GET", f"{PMPRO}/membership_levels", auth=None)
    levels = listed.json() if listed.status_code == 200 and listed.content else {}
    every = {int(k) for k in levels} if isinstance(levels, dict) else {int(v["id"]) for v in levels or []}
    for user_id in dict.fromkeys(int(order["user_id"]) for order in pmpro_orders()):
        response = target.call("pmpro", "GET", f"{PMPRO}/get_membership_levels_for_user", params={"user_id": user_id})
        held = response.json() if response.status_code == 200 and response.content else None
        if not isinstance(held, list) or not held:
            continue
        user = target.http.get(target.url(f"/wp-json/wp/v2/users/{user_id}"), params={"context": "edit"},
                               headers=target.credentials("pmpro"), timeout=30)
        if user.status_code == 200 and "administrator" in (user.json().get("roles") or []):
            continue
        mine = tuple(sorted(int(level["id"]) for level in held))
        return user_id, mine, tuple(sorted(every - set(mine)))
    return None
