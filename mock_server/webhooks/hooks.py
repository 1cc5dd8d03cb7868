"""Subscriptions given on the command line (`serve --webhook URL[=event,...]`)."""
from __future__ import annotations

from mock_server.webhooks import outbox


def parse(spec: str) -> tuple[str, tuple[str, ...]]:
    """``URL`` or ``URL=event,event``; a URL may itself hold '=' (a query), so only a suffix made of
    event names counts as the event list."""
    url, sep, tail = spec.rpartition("=")
    if sep:
        names = tuple(n.strip() for n in tail.split(",") if n.strip())
        if names and all(n in outbox.events() or n == outbox.ALL for n in names):
            return url, names
    if not spec.startswith(("http://", "https://")):
        raise ValueError(f"not a webhook URL: {spec!r} (expected http(s)://host/path[=event,...])")
    return spec, (outbox.ALL,)


def install(site, db) -> None:
    """Store the configured subscriptions unless an equal one exists (restarts reuse the database)."""
    existing = {(h.get("url"), tuple(sorted(outbox.hook_events(h)))) for h in site.store.all(outbox.HOOKS)}
    for url, events in site.config.webhooks:
        if (url, tuple(sorted(events))) in existing:
            continue
        hook_id = site.store.next_id(db, "cli_webhooks")
        site.store.put(db, outbox.HOOKS, {"id": 100000 + hook_id, "url": url,
                                          "event": events[0] if len(events) == 1 else ",".join(events),
                                          "events": list(events), "source": "command line"})
