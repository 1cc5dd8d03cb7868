"""Why a documented status was never seen in a run: every one is accounted for, or listed as not.

The reasons follow from the contract and the run's options (a 5xx only a server failure causes,
a 403 that needs a member without the capability, a route a default site has off); what they
cannot tell is stated per operation in effects.yaml under ``unreached``.
"""
from __future__ import annotations

from conformance import contract, effects, mocksite

UNACCOUNTED = "not reached by any request of this run"


def _stated(op: contract.Operation, status: str) -> str | None:
    for entry in effects.spec().get("unreached") or []:
        if op.op_id in entry["operations"] and int(status) in entry["statuses"]:
            return entry["reason"]
    return None


def reason(target, op: contract.Operation, status: str) -> str:
    options = target.options
    seen = target.ledger.statuses.get((op.api, op.op_id), set())
    if stated := _stated(op, status):
        return stated
    if op.raw.get("x-optional-route") and seen <= {"404"}:
        return f"optional route ({op.raw['x-optional-route']}) this site does not serve: it answered 404"
    if op.raw.get("x-optional-route") and status == "404" and "{" not in op.path:
        return (f"optional route ({op.raw['x-optional-route']}) this site serves: 404 is the answer of a site "
                f"that does not")
    if status == "401" and op.public:
        return ("public: 401 only where something reads the current user before WordPress's REST "
                "authentication check and refuses a wrong login (incorrect_password)")
    if status.startswith("5"):
        how = ("a membermock target reaches it through a fault" if status in mocksite.fault_statuses(op) else
               "its documented body is not the WordPress error object a fault of the mock answers with")
        return f"server-side failure only (a PHP error or a failed save); no valid request causes it ({how})"
    if options.read_only and op.method != "GET":
        return "--read-only: the operation is not called"
    if contract.irreversible(op) and not options.allow_irreversible and status not in ("401", "403"):
        return "exercised only with --allow-irreversible (it creates what no enabled operation deletes)"
    if not (op.raw.get("x-pmpro-capabilities") or {}).get("enabled_by_default", True) and status not in ("401", "403"):
        return "the route is off on a default site (x-pmpro-capabilities enabled_by_default: false)"
    if status == "403":
        from conformance import subscriber
        if not subscriber.credentials(target):
            return "needs a user who lacks the capability (--wp-subscriber)"
    if target.credentials(op.api) is None and not status.startswith("4"):
        return f"no credentials for {op.api}"
    return UNACCOUNTED


def unseen(target) -> list[tuple[contract.Operation, str, str]]:
    """(operation, status, reason) for each documented status no response carried."""
    out = []
    for api in target.options.apis:
        for op in contract.operations(api):
            seen = target.ledger.statuses.get((api, op.op_id), set())
            out += [(op, status, reason(target, op, status)) for status in op.statuses if status not in seen]
    return out
