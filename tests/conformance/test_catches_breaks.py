"""`membermock conformance` against real server processes: the mock passes, each break is caught.

Each broken variant (tests/conformance/broken_server.py) runs only the part of the suite that can
see it, with few examples, to keep CI short; the clean run covers everything. Each run is a whole
`membermock conformance` process (10-40 s of CPU), so `make test` keeps one clean run with one
example per operation and one variant per family of rules (FAST); the others, and the clean run
with five examples, are marked exhaustive (`make test-exhaustive`, CI).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.harness import ADMIN_PASSWORD, API_KEY, EXE, running

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ["--mp-api-key", API_KEY, "--wp-user", "admin", "--wp-app-password", ADMIN_PASSWORD]


def conformance(base: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    report = tmp_path / "report.md"
    done = subprocess.run([EXE, "conformance", "--base-url", base, "--report", str(report), *CREDENTIALS, *args],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    return done.returncode, done.stdout + done.stderr, report.read_text(encoding="utf-8") if report.exists() else ""


@pytest.mark.parametrize("examples", ["1", pytest.param("5", marks=pytest.mark.exhaustive)])
def test_the_mock_conforms(examples, tmp_path):
    """The whole suite, every API, against `membermock serve` (1 or 5 generated examples per
    operation: the effects, statuses and webhook checks run whole whatever the count, and the
    exhaustive fuzzing of tests/server/test_fuzz.py explores further; the mock is disposable, so
    creates nothing can undo are exercised too)."""
    with running(tmp_path / "site.sqlite3", workers=2) as server:
        junit = tmp_path / "junit.xml"
        code, out, report = conformance(server.base, tmp_path, "--api", "all", "--max-examples", examples,
                                        "--allow-irreversible", "--junit-xml", str(junit))
    assert code == 0, out[-4000:]
    assert "Verdict: **conforms**" in report
    assert re.search(r"\| \*\*all\*\* \| 141/141", report), report[:1500]
    assert junit.exists() and "<testsuite" in junit.read_text()
    assert "## Webhook events" in report and "transaction-refunded | pass" in report


def broken(variant: str, db: Path):
    """A mock with one deliberate break, as a real server process (tests/conformance/broken_server.py)."""
    command = lambda port, path: [sys.executable, "-m", "tests.conformance.broken_server", variant, str(port), str(path)]
    return running(db, command=command)


# variant -> (the part of the suite that sees it, operation or event named, rule named[, API when not memberpress])
BREAKS = {
    "renamed-field": ("test_memberpress and members", r"(get|list|create|update|patch|replace)Member\b",
                      "response body conforms"),
    "number-amount": ("test_memberpress and transactions", r"(get|list|create|update|patch|replace)Transaction\b",
                      "response body conforms"),
    "create-202": ("test_memberpress and POST and members and not id", r"createMember", "status code documented"),
    "key-ignored": ("test_memberpress_error_bodies or (test_memberpress and GET and members)", r"listMembers",
                    "auth enforced"),
    "no-total": ("test_pages_add_up", r"listMembers", "pagination headers"),
    "refund-silent": ("test_event_arrives_valid", r"transaction-refunded", "event sent"),
    "total-per-page": ("test_pages_add_up and listMembers", r"listMembers", "X-WP-Total counts the items"),
    "coupon-code-wrong-field": ("test_filter_really_filters and listCoupons", r"listCoupons", "filter code"),
    "delete-ignored": ("test_linked_sequences", r"test_linked_sequences\[memberpress\]", "linked sequences exercised"),
    "pmpro-user-routes-open": ("(test_pmpro_anonymous or test_pmpro_subscriber) and "
                               "(hasMembershipAccess or changeMembershipLevel or cancelMembershipLevel)",
                               r"(hasMembershipAccess|changeMembershipLevel|cancelMembershipLevel)",
                               "capability required", "pmpro"),
    "bad-event-payload": ("test_event_arrives_valid", r"transaction-refunded", "payload conforms"),
    "wrong-member": ("test_event_arrives_valid", r"\| transaction-completed \|", "payload ids match REST"),
    "events-reversed": ("test_event_arrives_valid", r"non-recurring-transaction-completed", "order within one change"),
    "double-delivery": ("test_event_arrives_valid", r"member-added", "no duplicate delivery"),
    "no-webhook-key": ("test_event_arrives_valid", r"member-added", "delivery headers conform"),
    "server-error-body": ("test_documented_server_failure and (getMember or createMember)", r"(getMember|createMember)",
                          "response body conforms"),
    "read-for-everyone": ("test_documented_refusals and (listAbilities or getAbility)", r"listAbilities",
                          "capability required", "wc-memberships"),
}


# One variant per family of rules (a module of conformance/) runs in `make test`, the cheapest: a
# per-call response check (test_schema), an access rule (test_rules), a documented refusal
# (test_statuses), a list rule (test_lists), linked sequences (test_stateful), a webhook rule
# (test_webhooks), an effect read back (test_effects).
FAST = {"renamed-field", "pmpro-user-routes-open", "read-for-everyone", "total-per-page", "delete-ignored",
        "bad-event-payload", "update-noop"}


def variants(breaks: dict) -> list:
    return [v if v in FAST else pytest.param(v, marks=pytest.mark.exhaustive) for v in breaks]


@pytest.mark.parametrize("variant", variants(BREAKS))
def test_break_is_reported(variant, tmp_path):
    subset, where, rule, *api = BREAKS[variant]
    with broken(variant, tmp_path / "site.sqlite3") as server:
        code, out, report = conformance(server.base, tmp_path, "--api", *(api or ["memberpress"]), "--max-examples", "5",
                                        "--", "-k", subset)
    assert code != 0, f"{variant} passed unnoticed:\n{out[-3000:]}"
    failures = report.split("## Failures", 1)[-1].split("\n## ", 1)[0]
    assert re.search(where, failures), f"{variant}: report does not name {where}:\n{failures[:3000]}"
    assert rule in failures, f"{variant}: report does not name rule {rule!r}:\n{failures[:3000]}"
    assert rule in out, out[-3000:]


@pytest.mark.exhaustive   # the webhook family's break (bad-event-payload) runs in `make test`
def test_webhooks_skipped_where_not_offered(tmp_path):
    with broken("no-webhooks", tmp_path / "site.sqlite3") as server:
        code, out, report = conformance(server.base, tmp_path, "--api", "memberpress", "--", "-k", "test_event_arrives_valid")
    assert code == 0, out[-3000:]
    assert "does not offer webhooks (subscribeWebhook answered 404)" in report
    assert "| transaction-refunded | skipped |" in report


# variant -> (API, effects resource whose read-back sees it, operation named, rule named)
EFFECT_BREAKS = {
    "update-noop": ("memberpress", "memberpress-member", r"updateMember", "sent fields read back"),
    "patch-resets": ("memberpress", "memberpress-member", r"patchMember", "unsent fields unchanged"),
    "delete-keeps": ("memberpress", "memberpress-member", r"deleteMember", "deleted is gone"),
    "cancel-noop": ("memberpress", "memberpress-subscription]", r"cancelSubscription", "derived fields follow the plugin"),
    "refund-keeps-subscription": ("memberpress", "memberpress-refund-and-cancel", r"refundAndCancelTransaction",
                                  "derived fields follow the plugin"),
    "expire-404": ("memberpress", "memberpress-subscription-expiry", r"expireSubscription", "success status reached"),
    "change-level-noop": ("pmpro", "pmpro-user-level", r"changeMembershipLevel", "derived fields follow the plugin"),
    "restrictions-append": ("pmpro", "pmpro-post-restrictions", r"setPostRestrictionsPut",
                            "derived fields follow the plugin"),
}


@pytest.mark.parametrize("variant", variants(EFFECT_BREAKS))
def test_effect_break_is_reported(variant, tmp_path):
    """Only the one read-back test that sees the break runs (a few seconds each)."""
    api, resource, where, rule = EFFECT_BREAKS[variant]
    with broken(variant, tmp_path / "site.sqlite3") as server:
        code, out, report = conformance(server.base, tmp_path, "--api", api, "--",
                                        "-k", f"test_effects_read_back and {resource.rstrip(']')}")
    assert code != 0, f"{variant} passed unnoticed:\n{out[-3000:]}"
    failures = report.split("## Failures", 1)[-1].split("\n## ", 1)[0]
    assert re.search(where, failures), f"{variant}: report does not name {where}:\n{failures[:3000]}"
    assert rule in failures, f"{variant}: report does not name rule {rule!r}:\n{failures[:3000]}"
