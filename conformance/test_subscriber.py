"""What a member may read, checked with a real member's account (--wp-subscriber USER:APP_PASSWORD).

PMPro's access rule: a post restricted to some levels is open to a member holding one of them,
and shut to one holding none of them. The posts, their restrictions and the member's levels are
all read from the site (as the administrator), so nothing here knows the data.
"""
from __future__ import annotations

import pytest

from conformance import found
from conformance.test_rules import _subscriber

PMPRO = "/wp-json/pmpro/v1"


def _held_levels(target, user_id: int) -> tuple[set[int], bool]:
    """The member's levels, and whether any of them also restricts categories (PMPro then opens
    posts in those categories too, which the post's own restrictions do not show)."""
    response = target.call("pmpro", "GET", f"{PMPRO}/get_membership_levels_for_user", params={"user_id": user_id})
    assert response.status_code == 200, f"get_membership_levels_for_user answered {response.status_code}"
    rows = response.json() or []
    held = {int(row["id"]) for row in rows}
    by_category = False
    for level_id in held:
        level = target.call("pmpro", "GET", f"{PMPRO}/membership_level", params={"id": level_id}).json()
        by_category |= bool(isinstance(level, dict) and level.get("categories"))
    return held, by_category


@pytest.mark.api("pmpro")
@pytest.mark.covers("hasMembershipAccess", "getPostRestrictions", "getMembershipLevelsForUser")
def test_member_access_to_restricted_posts(target):
    if target.credentials("pmpro") is None:
        pytest.skip("no administrator credentials to read restrictions and levels with")
    who = _subscriber(target)
    user_id = found.subscriber_id(who)
    if user_id is None:
        pytest.skip("cannot tell the subscriber's user id (no /wp/v2/users/me, and no order of theirs found)")
    restricted = [(post, levels) for post, levels in found.pmpro_posts() if levels]
    if not restricted:
        pytest.skip(f"no restricted post among posts 1-{found.PROBE}")
    held, by_category = _held_levels(target, user_id)
    checked = 0
    for post, levels in restricted:
        answer = target.call("pmpro", "GET", f"{PMPRO}/has_membership_access",
                             params={"post_id": post, "user_id": user_id})
        assert answer.status_code == 200, f"has_membership_access answered {answer.status_code} for post {post}"
        granted = answer.json()
        if held & set(levels):
            assert granted is True, (f"hasMembershipAccess: rule 'members read restricted posts' broken: user {user_id} "
                                     f"holds {sorted(held & set(levels))} of post {post}'s levels {list(levels)}, "
                                     f"yet access is {granted!r}")
            checked += 1
        elif not by_category:
            assert granted is False, (f"hasMembershipAccess: rule 'restricted posts shut to others' broken: user "
                                      f"{user_id} holds {sorted(held) or 'no level'}, post {post} needs one of "
                                      f"{list(levels)}, yet access is {granted!r}")
            checked += 1
    if not checked:
        pytest.skip("the member's levels restrict categories too, so no post's answer could be predicted")
