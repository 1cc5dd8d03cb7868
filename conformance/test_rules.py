"""Rules about refusals: error bodies, PMPro's permission table, abilities input validation.

PMPro's matrix is driven from ``x-pmpro-capabilities`` (per operation: public, the capabilities
that open it, whether it is enabled by default): anonymous, a subscriber (a user with none of
those capabilities) and the administrator each get the answer the table implies.
"""
from __future__ import annotations

import pytest

from conformance import contract, found, subscriber
from conformance.target import FOREIGN_ID

DENIED = (401, 403)


def _error_shape(response, op_id: str, status: int) -> None:
    assert response.status_code == status, f"{op_id}: expected {status}, got {response.status_code}: {response.text[:200]}"
    body = response.json()
    rule = f"{op_id}: rule 'WordPress error body on {status}' broken"
    assert isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"], f"{rule}: no code in {body!r:.200}"
    assert isinstance(body.get("message"), str), f"{rule}: no message in {body!r:.200}"
    assert isinstance(body.get("data"), dict) and body["data"].get("status") == status, \
        f"{rule}: data.status is {body.get('data')!r:.100}, not {status}"


def _require(target, api):
    if target.credentials(api) is None:
        pytest.skip(f"no credentials for {api}")


# -- error bodies ------------------------------------------------------------------------------

@pytest.mark.api("memberpress")
@pytest.mark.covers("listMembers", "getMember")
def test_memberpress_error_bodies(target):
    _require(target, "memberpress")
    _error_shape(target.call("memberpress", "GET", "/wp-json/mp/v1/members", auth=None), "listMembers", 401)
    _error_shape(target.call("memberpress", "GET", f"/wp-json/mp/v1/members/{FOREIGN_ID}"), "getMember", 404)
    bad = target.call("memberpress", "GET", "/wp-json/mp/v1/members", params={"per_page": "many"})
    _error_shape(bad, "listMembers", 400)
    params = (bad.json()["data"].get("params") or {})
    assert "per_page" in params, f"listMembers: rule '400 names the parameter' broken: data.params is {params!r}"


@pytest.mark.api("pmpro")
@pytest.mark.covers("getMembershipLevelForUser", "getMembershipLevel")
def test_pmpro_error_bodies(target):
    _error_shape(target.call("pmpro", "GET", "/wp-json/pmpro/v1/get_membership_level_for_user", auth=None),
                 "getMembershipLevelForUser", 401)


@pytest.mark.api("wc-memberships")
@pytest.mark.covers("getAbility", "listAbilities")
def test_abilities_error_bodies(target):
    _require(target, "wc-memberships")
    _error_shape(target.call("wc-memberships", "GET", "/wp-json/wp-abilities/v1/abilities", auth=None),
                 "listAbilities", 401)
    _error_shape(target.call("wc-memberships", "GET", "/wp-json/wp-abilities/v1/abilities/conformance/no-such-ability"),
                 "getAbility", 404)


# -- abilities input validation ----------------------------------------------------------------

def _ability_runs():
    """Each specific ability run whose input has a declared type, with a value of another type."""
    out = []
    for op in contract.operations("wc-memberships"):
        if not op.op_id.startswith("run") or "With" in op.op_id or op.op_id.startswith("runAbility"):
            continue
        out.append(pytest.param(op, id=op.op_id, marks=pytest.mark.covers(op.op_id)))
    return out


@pytest.mark.api("wc-memberships")
@pytest.mark.parametrize("op", _ability_runs())
def test_ability_rejects_invalid_input(op, target):
    _require(target, op.api)
    # An integer-typed or object-typed input both refuse a non-numeric string; nothing is acted on.
    if op.method == "GET":
        response = target.call(op.api, "GET", op.path, params={"input": "not-valid-input"})
    else:
        response = target.call(op.api, op.method, op.path, json={"input": "not-valid-input"})
    _error_shape(response, op.op_id, 400)
    assert response.json()["code"] == "ability_invalid_input", \
        f"{op.op_id}: rule 'ability_invalid_input' broken: code is {response.json()['code']!r}"


# -- PMPro permissions -------------------------------------------------------------------------

def _subscriber(target):
    """--wp-subscriber, or a subscriber the server lists at /__mock__/users (the mock does)."""
    return subscriber.credentials(target) or \
        pytest.skip("no subscriber credentials (--wp-subscriber-user/--wp-subscriber-app-password)")


def _pmpro_ops():
    return [pytest.param(op, id=op.op_id, marks=pytest.mark.covers(op.op_id)) for op in contract.operations("pmpro")
            if op.raw.get("x-pmpro-capabilities")]


# The user routes whose handlers answer 404 ("No user information passed through.") when no user
# is named: sent without one, a 404 could be the handler's, not a refusal. They get a real member
# and level (conformance/found.py), so a server that lets the caller through answers 200.
USER_ROUTES = {"/has_membership_access", "/change_membership_level", "/cancel_membership_level"}


def _user_route(op) -> bool:
    return op.path.removeprefix("/wp-json/pmpro/v1") in USER_ROUTES


def _member_args(op) -> dict:
    """A member, and a level on which the route acts without changing anything: the member's own
    level for a change (PMPro returns early), a level they do not hold for a cancel (returns false)."""
    member = found.pmpro_member()
    if member is None:
        pytest.skip(f"{op.op_id}: no member holding a level found (owners of orders 1-{found.PROBE}), "
                    f"so only a 404 for no user could be checked")
    user_id, held, others = member
    route = op.path.removeprefix("/wp-json/pmpro/v1")
    if route == "/has_membership_access":
        posts = found.pmpro_posts()
        return {"user_id": user_id, **({"post_id": posts[0][0]} if posts else {})}
    if route == "/change_membership_level":
        return {"user_id": user_id, "level_id": held[0]}
    if not others:
        pytest.skip(f"{op.op_id}: member {user_id} holds every level, so no cancel would leave them unchanged")
    return {"user_id": user_id, "level_id": others[0]}


def _send(target, op, auth):
    if _user_route(op):
        args = _member_args(op)
        kw = {"params": args} if op.method == "GET" else {"json": args}
        return target.call("pmpro", op.method, op.path, auth=auth, **kw)
    kw = {"json": {}} if op.method != "GET" else {}
    # WordPress refuses a missing required arg (400) before any permission check; give it one.
    present = {name: 1 for name in op.raw.get("x-wp-required-args", [])}
    return target.call("pmpro", op.method, op.path, auth=auth, params=present, **kw)


def _refusals(op) -> tuple[int, ...]:
    """What may answer a caller without the capability: 401/403, or for a route sent made-up
    arguments also the handler's own 404 (the permission check cannot be told apart there)."""
    return DENIED if _user_route(op) else (*DENIED, 404)


@pytest.mark.api("pmpro")
@pytest.mark.parametrize("op", _pmpro_ops())
def test_pmpro_anonymous(op, target):
    caps = op.raw["x-pmpro-capabilities"]
    response = _send(target, op, auth=None)
    if caps.get("public") and caps.get("enabled_by_default", True):
        assert response.status_code not in DENIED, \
            f"{op.op_id}: rule 'public route' broken: anonymous request refused with {response.status_code}"
    else:
        assert not 200 <= response.status_code < 300, \
            f"{op.op_id}: rule 'capability required' broken: anonymous request answered {response.status_code}"
        assert response.status_code in _refusals(op), \
            f"{op.op_id}: rule 'capability required' broken: anonymous request answered {response.status_code}"


@pytest.mark.api("pmpro")
@pytest.mark.parametrize("op", _pmpro_ops())
def test_pmpro_subscriber(op, target):
    caps = op.raw["x-pmpro-capabilities"]
    who = _subscriber(target)
    if caps.get("owner_may_read"):
        return _owner_may_read(op, target, who)
    if caps.get("object_param"):
        # on an object that exists, so only the capability can refuse (a write names no levels,
        # so even a wrongly allowed one changes nothing)
        params = _existing_object(op)
        response = target.call("pmpro", op.method, op.path, auth=who,
                               **({"params": params} if op.method == "GET" else {"json": params}))
    else:
        response = _send(target, op, auth=who)
    if caps.get("public") and caps.get("enabled_by_default", True):
        assert response.status_code not in DENIED, \
            f"{op.op_id}: rule 'public route' broken: subscriber refused with {response.status_code}"
    else:
        assert response.status_code in [code for code in _refusals(op) if code != 401] \
            or not caps.get("enabled_by_default", True) and response.status_code in DENIED, \
            f"{op.op_id}: rule 'capability required' broken: a subscriber got {response.status_code}, expected 403"


def _owner_may_read(op, target, who) -> None:
    """A member reads the objects that are theirs (the same answer the administrator gets) and is
    refused the others (403); found among the site's own orders (conformance/found.py)."""
    caps = op.raw["x-pmpro-capabilities"]
    param, owner = caps["owner_may_read"]["param"], caps["owner_may_read"]["owner_field"]
    objects = found.pmpro_orders()
    if not objects:
        pytest.skip(f"{op.op_id}: no object found to read (orders 1-{found.PROBE}, as the administrator)")
    mine, owners = [], set()
    for obj in objects:
        response = target.call("pmpro", op.method, op.path, auth=who, params={param: obj[param]})
        if response.status_code == 200:
            assert response.json() == obj, f"{op.op_id}: rule 'members read their own' broken: the member's " \
                                           f"answer for {param}={obj[param]} differs from the administrator's"
            mine.append(obj)
            owners.add(str(obj[owner]))
        else:
            assert response.status_code == 403, f"{op.op_id}: rule 'members read their own' broken: " \
                                                f"{param}={obj[param]} answered {response.status_code}, expected 200 or 403"
    if not mine:
        pytest.skip(f"{op.op_id}: the subscriber owns none of the {len(objects)} objects found")
    assert len(owners) == 1, f"{op.op_id}: rule 'members read their own' broken: the member read objects of {sorted(owners)}"
    theirs = [o for o in objects if str(o[owner]) in owners]
    assert len(theirs) == len(mine), \
        f"{op.op_id}: rule 'members read their own' broken: refused {len(theirs) - len(mine)} of their own objects"


def _existing_object(op) -> dict:
    """Arguments naming an object the capability can be checked on (a post that exists)."""
    param = op.raw["x-pmpro-capabilities"]["object_param"]
    posts = found.pmpro_posts()
    if not posts:
        pytest.skip(f"{op.op_id}: no post found to check the capability on (posts 1-{found.PROBE})")
    return {param: posts[0][0]}


@pytest.mark.api("pmpro")
@pytest.mark.parametrize("op", [p for p in _pmpro_ops() if p.values[0].method == "GET"])
def test_pmpro_administrator(op, target):
    _require(target, "pmpro")
    caps = op.raw["x-pmpro-capabilities"]
    if caps.get("object_param"):
        response = target.call("pmpro", op.method, op.path, params=_existing_object(op))
        assert response.status_code == 200, \
            f"{op.op_id}: rule 'administrator allowed' broken: refused on an existing object with {response.status_code}"
        return
    response = _send(target, op, auth="default")
    assert response.status_code not in DENIED, \
        f"{op.op_id}: rule 'administrator allowed' broken: refused with {response.status_code}: {response.text[:200]}"
