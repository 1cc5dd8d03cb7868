"""Sequences, not single calls: schemathesis follows the contracts' OpenAPI links.

A create's answer feeds the operations its links name (get, update, delete; PMPro's level and
discount-code reads; the abilities' get and delete runs), so each run exercises create -> get ->
update -> delete chains against objects the run itself made. Every answer gets the same checks
as the single-request tests; the test then checks that each create that links to a delete was
followed through at least once.
"""
from __future__ import annotations

import pytest
from hypothesis.errors import Flaky
from schemathesis.engine.errors import is_inconsistent_replay

from conformance import checking, contract, schemas, state

TARGET = state.target()


def _machine(api: str, found: list[str]):
    """The state machine of ``api``; each nonconformance it meets is also appended to ``found``."""
    schema = schemas.load(api, negative=False, stateful=True)
    if not TARGET.options.allow_irreversible:
        skipped = [op.op_id for op in contract.operations(api) if contract.irreversible(op)]
        if skipped:
            schema = schema.exclude(operation_id=skipped)
    base = schema.as_state_machine()

    class Machine(base):
        def before_call(self, case):
            schemas.strip_generated_auth(api, case)
            TARGET.defang(case)

        def get_call_kwargs(self, case):
            return {"session": TARGET.http, "base_url": TARGET.base_url, "headers": TARGET.credentials(api)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            __tracebackhide__ = True
            try:
                checking.validate(case, response)
            except checking.Nonconformance as exc:
                found.append(str(exc))
                raise

    Machine.__name__ = f"{api.title().replace('-', '')}StateMachine"
    return Machine


def _chains(api: str) -> list[tuple[str, str]]:
    allowed = TARGET.options.allow_irreversible
    return [(op.op_id, link.target) for op in contract.operations(api) for link in contract.deleters(op)
            if allowed or not contract.irreversible(op)]


def _run(api: str, sessions: int = 3) -> None:
    """Run the state machine, in a fresh session when the server's state changed what a replayed
    sequence drew, as schemathesis's own runner does: a real server keeps what earlier sequences
    did, so the same draws can take another path the second time (a create that worked now
    answers 400, a bundle stays empty), which hypothesis calls flaky. That says nothing about
    conformance: only the nonconformances actually seen count."""
    for session in range(sessions):
        found: list[str] = []
        settings = schemas.hypothesis_settings(stateful_step_count=10, **({"derandomize": False} if session else {}))
        try:
            _machine(api, found).run(settings=settings)
            return
        except (Flaky, AssertionError) as exc:
            if isinstance(exc, AssertionError) and not is_inconsistent_replay(exc):
                raise
            if session == sessions - 1:
                if found:
                    raise checking.Nonconformance(found[0]) from None
                return


@pytest.mark.writes
@pytest.mark.parametrize("api", [pytest.param(a, marks=pytest.mark.api(a), id=a) for a in contract.API_NAMES])
def test_linked_sequences(api, target, request):
    if target.credentials(api) is None:
        pytest.skip(f"no credentials for {api}")
    before = len(target.ledger.cleanups)
    _run(api)
    made = {c.source for c in target.ledger.cleanups[before:]}
    chains = _chains(api)
    followed = [f"{create} -> {delete}" for create, delete in chains if create in made]
    request.node.user_properties.append(("linked sequences", ", ".join(followed) or "none"))
    # Random data cannot always satisfy a create (a transaction needs a member that exists), so
    # one chain per API is the floor; the report lists which were followed.
    assert not chains or followed, f"{api}: rule 'linked sequences exercised': no create succeeded, so no link was followed"
