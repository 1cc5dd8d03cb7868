"""The vendor README's optional routes: /me/permissions, /member_options, /membership_options and
/memberships/{id}/member_options.

The README says many sites lack them, so the mock binds them only when started with
``--mp-optional-routes`` (their operations carry ``x-optional-route``; see ``app._bind``) and they
answer ``rest_no_route`` otherwise. The README shows no answer for any of them: the shapes are the
mock's (``schemas/memberpress/responses/*options.json``, ``me-permissions.json``), filled from
the contracts and the site's own data.
"""
from __future__ import annotations

from functools import cache

from membermock import contracts
from mock_server import wp
from mock_server.memberpress import domain
from mock_server.memberpress.auth import CAPABILITY, api_key, key_ok
from mock_server.memberpress.domain import KIND, MEMBER_DATA
from mock_server.site import ROLE_CAPS


def me_permissions(call):
    if key_ok(call):
        who, roles = api_key(call.request), []
    else:
        who, roles = call.user.get("display_name", ""), list(call.user.get("roles", []))
    return wp.reply({"success": True, "data": {"username": who, "roles": roles, "capabilities": [CAPABILITY]}})


def _profile_fields(site) -> list[str]:
    return sorted({name for data in site.store.all(MEMBER_DATA) for name in (data.get("profile") or {})})


def member_options(call):
    address = list(contracts.schema("memberpress.address")["properties"])
    return wp.reply({"roles": sorted(ROLE_CAPS), "address_fields": address, "profile_fields": _profile_fields(call.site)})


@cache
def _setting_values() -> dict[str, list]:
    """Every enumerated membership setting, as the membership contract lists its values."""
    props = contracts.schema("memberpress.membership")["properties"]
    return {name: list(spec["enum"]) for name, spec in props.items() if "enum" in spec and name != "status"}


def membership_options(call):
    return wp.reply({**_setting_values(), "payment_methods": list(domain.GATEWAYS)})


def membership_member_options(call):
    membership = call.site.store.get(KIND["memberships"], call.path["id"])
    if membership is None:
        return wp.error("mp_no_records_found", "No records found.", 404)
    methods = membership.get("custom_payment_methods") or []
    if not domain.truthy(membership.get("customize_payment_methods")) or not methods:
        methods = list(domain.GATEWAYS)
    fields = membership.get("custom_profile_fields") or []
    if not domain.truthy(membership.get("customize_profile_fields")) or not fields:
        fields = _profile_fields(call.site)
    return wp.reply({"id": membership["id"], "payment_methods": [str(m) for m in methods],
                     "profile_fields": [str(f.get("field_key", "")) if isinstance(f, dict) else str(f) for f in fields],
                     "group": str(membership.get("group", "0"))})


HANDLERS = {"getMyPermissions": me_permissions, "getMemberOptions": member_options,
            "getMembershipOptions": membership_options, "getMembershipMemberOptions": membership_member_options}
