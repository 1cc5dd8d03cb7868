"""The conformance suite: checks any server, real or mock, against the contracts (docs/conformance.md)."""
