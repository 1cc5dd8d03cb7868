"""Samples of seed 004: the Developer Tools webhook events, one sample body per event.

Every sample is a JSON object that starts at column 0 on the line after a "Sample Response"
heading and is closed by the matching brace. The seed is clean English JSON except for two
bodies that carry a trailing comma after the last key of the nested member object; those get
the named step "strip-trailing-commas" (a comma directly before a closing brace or bracket is
dropped, nothing else changes). A sample is named after its own "event" value and validated
against that event's contract.
"""
from __future__ import annotations

import json
import re

from .corpus import Sample, block_end

HEADING = "Sample Response"
TRAILING_COMMA = re.compile(r",(\s*[}\]])")

NOTES = {
    "member-deleted": "The user is already deleted when the body is built: every user field is null.",
    "subscription-resumed": "A never-saved subscription object: integer 0 ids and amounts, null dates and card fields, membership false.",
    "subscription-stopped": "A never-saved subscription object: integer 0 ids and amounts, null dates and card fields, membership false.",
    "subscription-downgraded": "Typed 'subscription' but the body is the one-time transaction the downgrade produced (older field subscription_id, gateway expanded).",
    "subscription-paused": "The only body whose coupon is expanded to an object (valid_memberships as id strings).",
}


def _blocks(lines):
    """(start, end) indexes of each JSON object that follows a "Sample Response" heading."""
    waiting = False
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if text == HEADING:
            waiting = True
        elif waiting and lines[i].startswith("{"):
            end = block_end(lines, i)
            yield i, end
            waiting = False
            i = end
        i += 1


def _parse(text):
    try:
        return json.loads(text), []
    except json.JSONDecodeError:
        return json.loads(TRAILING_COMMA.sub(r"\1", text)), ["strip-trailing-commas"]


def extract(lines):
    for start, end in _blocks(lines):
        payload, transforms = _parse("\n".join(lines[start:end + 1]))
        event = payload["event"]
        yield Sample(
            name=event,
            schema=f"memberpress.events.{event}",
            start=start + 1,
            end=end + 1,
            payload=payload,
            transforms=transforms,
            note=NOTES.get(event, ""),
        )
