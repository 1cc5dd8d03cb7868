"""The changes the suite makes to cause every documented webhook event, and what each must send.

A change is one action (a REST call, or a control-API trigger when the target offers it) and the
events it must send, in the documented order, each about one object (``docs/memberpress-webhooks.md``,
Rules: the general event first, then its recurring / non-recurring variant, then renewal, then the
offline-payment event; a purchase along an upgrade path sends its own events, then the old
membership's end, then the move). Every object is made for the run, so the ids in a payload can
be checked against what the suite itself created, and all of it is removed at the end through
the contract's links.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from conformance import memberpress as mp
from conformance import webhook_checks as checks

CONTROL = "/__mock__"
PAST = "2001-01-01 00:00:00"


@dataclass(frozen=True)
class Expect:
    event: str
    id: str | None          # the object the payload is about (None: the target picks it)

    @property
    def label(self) -> str:
        return f"{self.event}({self.id})" if self.id is not None else self.event


@dataclass
class Change:
    name: str
    cause: str              # "REST" or "control API"
    expects: list[Expect] = field(default_factory=list)


class Plan:
    """Runs the changes against the target, keeping what each must send."""

    def __init__(self, target):
        self.target = target
        self.changes: list[Change] = []
        self.tag = uuid.uuid4().hex[:8]

    # -- helpers ------------------------------------------------------------------------------
    def note(self, name: str, *expects: tuple[str, object], cause: str = "REST") -> None:
        """A change made, and the (event, id) pairs it must send, in order."""
        self.changes.append(Change(name, cause, [Expect(e, None if i is None else str(i)) for e, i in expects]))

    def change(self, name: str, response, what: str, *expects: tuple[str, object]):
        body = mp.ok(response, what)
        self.note(name, *expects)
        return body

    def create(self, path: str, body: dict, what: str) -> dict:
        return mp.ok(mp.call(self.target, "POST", path, json=body), what)

    def txn(self, member, level, status="complete", gateway=None, subscription=None, **extra) -> dict:
        body = {"member": member, "membership": level, "amount": "10.00", "total": "10.00", "status": status,
                "gateway": gateway or self.gateway, "trans_num": f"conformance-{uuid.uuid4().hex[:12]}", **extra}
        if subscription is not None:
            body["subscription"] = subscription
        return body

    def sub(self, member, level, status="active") -> dict:
        return {"member": member, "membership": level, "gateway": self.gateway, "price": "5.00", "total": "5.00",
                "status": status, "subscr_id": f"conformance-{uuid.uuid4().hex[:12]}"}

    def _card_gateway(self) -> str:
        """A gateway of the site's that is not the offline one (whose payments add the offline events)."""
        found = mp.ok(mp.call(self.target, "GET", "/transactions", params={"per_page": 50}), "listTransactions")
        cards = [str(t.get("gateway")) for t in found if t.get("gateway") and str(t.get("gateway")) != "manual"]
        return cards[0] if cards else "manual"

    def _created_txn(self, member: str) -> str:
        found = mp.ok(mp.call(self.target, "GET", "/transactions", params={"member": member}), "listTransactions")
        return str(found[0]["id"])

    def _txn(self, response, what, name, *events, about=None):
        """A transaction change whose events are all about one transaction: ``about``, or the one
        the call answers with (a create)."""
        body = mp.ok(response, what)
        about = str(about or body["id"])
        self.note(name, *[(e, about) for e in events])
        return body

    # -- the REST changes -------------------------------------------------------------------------
    def run_rest(self) -> None:
        t, tag = self.target, self.tag
        call = lambda method, path, **kw: mp.call(t, method, path, **kw)  # noqa: E731
        self.gateway = self._card_gateway()
        level = str(self.create("/memberships", {"title": f"Conformance {tag}", "price": "10.00",
                                                 "period_type": "lifetime"}, "createMembership")["id"])
        group = str(self.create("/groups", {"title": f"Conformance path {tag}", "is_upgrade_path": True},
                                "createGroup")["id"])
        low, high = (str(self.create("/memberships", {"title": f"Conformance {name} {tag}", "price": price,
                                                      "period_type": "lifetime", "group": group, "group_order": order},
                                     "createMembership")["id"])
                     for name, price, order in (("low", "5.00", 0), ("high", "20.00", 1)))

        def member(**extra):
            return {"email": f"conformance-{uuid.uuid4().hex[:10]}@example.com",
                    "username": f"conformance-{uuid.uuid4().hex[:10]}", **extra}

        m1 = str(mp.ok(call("POST", "/members", json=member()), "createMember")["id"])
        self.note("create a member (POST /members)", ("member-added", m1))
        self.change("update a member's name (PATCH /members/{id})",
                    call("PATCH", f"/members/{m1}", json={"first_name": f"Changed{tag}"}), "patchMember",
                    ("member-account-updated", m1))
        first_payment = {k: v for k, v in self.txn(None, level).items() if k != "member"}
        signup = mp.ok(call("POST", "/members", json=member(transaction=first_payment)), "createMember")
        m2 = str(signup["id"])
        t0 = self._created_txn(m2)
        self.note("sign up with a completed payment (POST /members with transaction)", ("member-added", m2),
                  ("transaction-completed", t0), ("non-recurring-transaction-completed", t0),
                  ("member-signup-completed", m2))

        t1 = self._txn(call("POST", "/transactions", json=self.txn(m1, level)), "createTransaction",
                       "complete a one-time payment (POST /transactions)",
                       "transaction-completed", "non-recurring-transaction-completed")["id"]
        self._txn(call("POST", f"/transactions/{t1}/refund"), "refundTransaction",
                  "refund it (POST /transactions/{id}/refund)", "transaction-refunded", about=t1)
        self._txn(call("POST", "/transactions", json=self.txn(m1, level, status="failed")), "createTransaction",
                  "a failed one-time payment (POST /transactions)", "transaction-failed")
        self._txn(call("PATCH", f"/transactions/{t0}", json={"expires_at": PAST}), "patchTransaction",
                  "a one-time payment's expiry moved into the past (PATCH /transactions/{id})",
                  "transaction-expired", "non-recurring-transaction-expired", about=t0)

        s1 = str(mp.ok(call("POST", "/subscriptions", json=self.sub(m1, level)), "createSubscription")["id"])
        self.note("create a subscription (POST /subscriptions)", ("subscription-created", s1))
        first = self._txn(call("POST", "/transactions", json=self.txn(m1, level, subscription=s1)), "createTransaction",
                          "a subscription's first payment (POST /transactions)",
                          "transaction-completed", "recurring-transaction-completed")["id"]
        second = self._txn(call("POST", "/transactions", json=self.txn(m1, level, subscription=s1)), "createTransaction",
                           "a subscription's renewal (POST /transactions)",
                           "transaction-completed", "recurring-transaction-completed",
                           "renewal-transaction-completed")["id"]
        self._txn(call("POST", "/transactions", json=self.txn(m1, level, status="failed", subscription=s1)),
                  "createTransaction", "a subscription's failed payment (POST /transactions)",
                  "transaction-failed", "recurring-transaction-failed")
        self.change("suspend it (POST /subscriptions/{id}/suspend)", call("POST", f"/subscriptions/{s1}/suspend"),
                    "suspendSubscription", ("subscription-paused", s1))
        self.change("resume it (POST /subscriptions/{id}/resume)", call("POST", f"/subscriptions/{s1}/resume"),
                    "resumeSubscription", ("subscription-resumed", s1))
        self.change("expire it (POST /subscriptions/{id}/expire)", call("POST", f"/subscriptions/{s1}/expire"),
                    "expireSubscription", *[(e, t) for t in sorted((first, second), key=int)
                                            for e in ("transaction-expired", "recurring-transaction-expired")],
                    ("subscription-expired", s1))

        s2 = str(mp.ok(call("POST", "/subscriptions", json=self.sub(m2, level)), "createSubscription")["id"])
        self.note("create another subscription (POST /subscriptions)", ("subscription-created", s2))
        paid = self._txn(call("POST", "/transactions", json=self.txn(m2, level, subscription=s2)), "createTransaction",
                         "its first payment (POST /transactions)",
                         "transaction-completed", "recurring-transaction-completed")["id"]
        self.change("refund and cancel (POST /transactions/{id}/refund_and_cancel)",
                    call("POST", f"/transactions/{paid}/refund_and_cancel"), "refundAndCancelTransaction",
                    ("transaction-refunded", paid), ("subscription-stopped", s2))

        offline = self._txn(call("POST", "/transactions", json=self.txn(m2, level, status="pending", gateway="manual")),
                            "createTransaction", "an offline payment, pending (POST /transactions, manual gateway)",
                            "offline-payment-pending")["id"]
        self._txn(call("PATCH", f"/transactions/{offline}", json={"status": "complete"}), "patchTransaction",
                  "the offline payment completed (PATCH /transactions/{id})",
                  "transaction-completed", "non-recurring-transaction-completed", "offline-payment-complete",
                  about=offline)
        self._txn(call("POST", f"/transactions/{offline}/refund"), "refundTransaction",
                  "the offline payment refunded (POST /transactions/{id}/refund)",
                  "transaction-refunded", "offline-payment-refunded", about=offline)

        self.upgrade_path(call, low, high)
        gone = str(mp.ok(call("POST", "/members", json=member()), "createMember")["id"])
        self.note("create a member to delete (POST /members)", ("member-added", gone))
        self.change("delete it (DELETE /members/{id})", call("DELETE", f"/members/{gone}"),
                    "deleteMember", ("member-deleted", None))
        self.deleted = gone
        self.members = (m1, m2)

    def upgrade_path(self, call, low: str, high: str) -> None:
        """One member moving along an upgrade path: one-time up, recurring down, recurring up,
        one-time down; each move ends the old membership, then names the move and its variant."""
        m3 = str(mp.ok(call("POST", "/members", json={"email": f"conformance-up-{self.tag}@example.com",
                                                       "username": f"conformance-up-{self.tag}"}), "createMember")["id"])
        self.note("create a member for the upgrade path (POST /members)", ("member-added", m3))
        start = self._txn(call("POST", "/transactions", json=self.txn(m3, low)), "createTransaction",
                          "buy the path's lower membership, one-time (POST /transactions)",
                          "transaction-completed", "non-recurring-transaction-completed")["id"]
        up = mp.ok(call("POST", "/transactions", json=self.txn(m3, high)), "createTransaction")["id"]
        self.note("upgrade, one-time (POST /transactions for the higher membership)",
                  ("transaction-completed", up), ("non-recurring-transaction-completed", up),
                  ("transaction-expired", start), ("non-recurring-transaction-expired", start),
                  ("subscription-upgraded", up), ("subscription-upgraded-to-one-time", up))
        down = mp.ok(call("POST", "/subscriptions", json=self.sub(m3, low)), "createSubscription")["id"]
        self.note("downgrade, recurring (POST /subscriptions for the lower membership)",
                  ("subscription-created", down), ("transaction-expired", up), ("non-recurring-transaction-expired", up),
                  ("subscription-downgraded", down), ("subscription-downgraded-to-recurring", down))
        again = mp.ok(call("POST", "/subscriptions", json=self.sub(m3, high)), "createSubscription")["id"]
        self.note("upgrade, recurring (POST /subscriptions for the higher membership)",
                  ("subscription-created", again), ("subscription-stopped", down),
                  ("subscription-upgraded", again), ("subscription-upgraded-to-recurring", again))
        last = mp.ok(call("POST", "/transactions", json=self.txn(m3, low)), "createTransaction")["id"]
        self.note("downgrade, one-time (POST /transactions for the lower membership)",
                  ("transaction-completed", last), ("non-recurring-transaction-completed", last),
                  ("subscription-stopped", again), ("subscription-downgraded", last),
                  ("subscription-downgraded-to-one-time", last))

    # -- the control API -------------------------------------------------------------------------
    def offers_control(self) -> bool:
        """The target is a membermock site: its open health route answers with the site's name."""
        try:
            r = self.target.http.get(self.target.url(CONTROL + "/health"), timeout=5)
            return r.status_code == 200 and isinstance(r.json(), dict) and "site" in r.json()
        except (ValueError, OSError):   # no JSON, or no answer (requests' errors are OSErrors)
            return False

    def trigger(self, event: str, about: str | None) -> None:
        body = {"id": int(about)} if about is not None else {}
        auth = self.target.credentials("wordpress") or {}
        r = self.target.http.post(self.target.url(f"{CONTROL}/events/{event}"), json=body, headers=auth)
        assert r.status_code == 202, f"control API trigger {event}: expected 202, got {r.status_code}: {r.text[:200]}"
        data = r.json().get("data") or {}
        self.note(f"POST {CONTROL}/events/{event}", (event, checks.ident(data.get("id")) if about is None else about),
                  cause="control API")

    def run_control(self, events: list[str]) -> None:
        """Events no REST call causes, sent through the control route about objects of this run
        where the event's payload can be about any of them (member events); the others let the
        target pick the object that fits (a card, a trial, a corporate account)."""
        member = self.members[1]
        for event in events:
            self.trigger(event, member if checks.event_type(event) == "member" else None)
