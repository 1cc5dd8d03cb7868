"""The real-site lane: a real WordPress site with the real plugins, built on loopback ports, checked
by the conformance suite and compared with the mock request by request (docs/realsite.md).

``build-site.sh`` builds the site, ``abilities_php`` generates the abilities plugin from the
contracts, ``scenario`` reads the site back as a mock scenario, ``requests`` is the request list,
``compare`` and ``differential`` compare and tabulate, ``lane`` runs it all (``python -m realsite``).
"""
