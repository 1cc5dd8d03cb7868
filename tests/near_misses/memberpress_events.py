"""Near-misses for the MemberPress webhook contracts: one envelope per event, and the dispatcher.

Every event gets its event name swapped (a body filed under the wrong event) and its type
swapped; several also get a broken payload. The dispatcher memberpress.event must reject a body
whose data does not have the shape its event name promises.
"""
import json

from tests.near_misses.miss import DELETE, Miss
from tests.samples.corpus import SAMPLES_DIR

EVENTS = sorted(p.stem for p in (SAMPLES_DIR / "004").glob("*.json"))
TYPES = {name: json.loads((SAMPLES_DIR / "004" / f"{name}.json").read_text(encoding="utf-8"))["type"] for name in EVENTS}
OTHER_TYPE = {"member": "transaction", "transaction": "subscription", "subscription": "member"}


def _data(name):
    return json.loads((SAMPLES_DIR / "004" / f"{name}.json").read_text(encoding="utf-8"))["data"]


def _base(name):
    return f"004/{name}.json"


CASES = [
    case
    for name in EVENTS
    for case in (
        Miss(f"memberpress.events.{name}", _base(name), "/event", "member-added" if name != "member-added" else "login",
             "const", "body filed under another event's name"),
        Miss(f"memberpress.events.{name}", _base(name), "/type", OTHER_TYPE[TYPES[name]], "const",
             "envelope type that does not go with this event"),
    )
] + [
    # payloads that are wrong for their event
    Miss("memberpress.events.member-added", _base("member-added"), "/data", _data("transaction-completed"), "required",
         "a transaction body sent as member-added"),
    Miss("memberpress.events.member-deleted", _base("member-deleted"), "/data/recent_transactions", {}, "type",
         "empty PHP array encoded as an object"),
    Miss("memberpress.events.login", _base("login"), "/data", DELETE, "required", "envelope without data"),
    Miss("memberpress.events.subscription-created", _base("subscription-created"), "/data/status", "trialing", "enum",
         "subscription status from another billing system"),
    Miss("memberpress.events.subscription-downgraded", _base("subscription-downgraded"), "/data/txn_type", "downgrade",
         "enum", "the transaction form of this event with an unknown transaction type"),
    Miss("memberpress.events.subscription-upgraded", _base("subscription-upgraded"), "/data/subscr_id", DELETE,
         "required", "the subscription form of this event without its gateway reference"),
    Miss("memberpress.events.transaction-refunded", _base("transaction-refunded"), "/data/total", -100, "type",
         "refund total as a negative number"),
    Miss("memberpress.events.mpca-lesson-started", _base("mpca-lesson-started"), "/data/lesson", DELETE, "required",
         "lesson event without its lesson"),
    Miss("memberpress.events.mpca-quiz-attempt-completed", _base("mpca-quiz-attempt-completed"), "/data/attempt",
         DELETE, "required", "quiz event without the attempt"),
    # the dispatcher
    Miss("memberpress.event", _base("member-added"), "/data", _data("transaction-completed"), "required",
         "event says member-added but data is a transaction: the member fields are missing"),
    Miss("memberpress.event", _base("transaction-completed"), "/data", _data("member-added"), "required",
         "event says transaction-completed but data is a member"),
    Miss("memberpress.event", _base("member-added"), "/event", "member-created", "enum", "event name that does not exist"),
    Miss("memberpress.event", _base("member-added"), "/type", "customer", "enum", "envelope type outside member/subscription/transaction"),
    Miss("memberpress.event", _base("transaction-completed"), "/type", "member", "const", "type that contradicts the event"),
    Miss("memberpress.event", _base("subscription-created"), "/data", [], "type", "data as an empty list"),
    Miss("memberpress.event", _base("login"), "/event", DELETE, "required", "body without an event name"),
]
