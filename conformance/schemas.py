"""The schemathesis view of the contracts, configured for this run."""
from __future__ import annotations

from functools import cache

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode

from conformance import contract, state


def load(api: str, negative: bool = True, stateful: bool = False):
    target = state.target()
    schema = schemathesis.openapi.from_path(contract.contracts.openapi_documents()[api])
    schema.config.update(base_url=target.base_url or "http://localhost")
    # The examples the contract gives, then generated requests; the exhaustive "coverage" phase
    # would multiply the request count roughly fifteenfold for little more than boundary values.
    schema.config.phases.update(phases=["stateful"] if stateful else ["examples", "fuzzing"])
    # Only the links the contracts declare: inferred ones would guess at relations they do not state.
    schema.config.phases.stateful.inference.algorithms = []
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if negative else [GenerationMode.POSITIVE]
    # Credentials are always the run's own (strip_generated_auth): generating them would be wasted.
    schema.config.generation.update(modes=modes, max_examples=target.options.max_examples, with_security_parameters=False)
    return schema


@cache
def positive(api: str):
    """The schema hand-made requests are built from (one per process, shared by the tests)."""
    return load(api, negative=False)


def hypothesis_settings(**extra) -> settings:
    """Repeatable (derandomized, no example database), no deadline, no shrinking: a verdict, fast."""
    chosen = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None,
                  max_examples=state.target().options.max_examples, phases=[Phase.explicit, Phase.generate])
    return settings(**{**chosen, **extra})


def strip_generated_auth(api: str, case) -> None:
    """Credentials are the run's, never generated ones."""
    if case.headers:
        for name in [n for n in case.headers if n.lower() in contract.auth_headers(api)]:
            del case.headers[name]


def _tolerate_type_lists() -> None:
    """schemathesis 4.32's dependency analysis (run for every state machine) hashes a schema's
    ``type``, which JSON Schema allows to be a list (``["string", "null"]``, as in PMPro's
    contracts) -> TypeError. Read a list as "interesting" when it names a structured type."""
    from schemathesis.specs.openapi.stateful.dependencies import schemas as dep

    original = dep._is_interesting_schema
    if getattr(original, "tolerates_type_lists", False):
        return

    def is_interesting(schema):
        ty = schema.get("type") if isinstance(schema, dict) else None
        if isinstance(ty, list):
            return bool({"object", "array"} & set(ty)) or "$ref" in schema
        return original(schema)

    is_interesting.tolerates_type_lists = True
    dep._is_interesting_schema = is_interesting


_tolerate_type_lists()
