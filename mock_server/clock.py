"""Each site's clock: real time by default, or moved (an offset) or frozen at a moment.

Every time the plugins show (created and expiry dates, PMPro and WooCommerce dates, webhook
payloads, the HTTP ``Date`` header) comes from ``now()`` here, which reads the clock of the site
the current request, seeding or lifecycle run is for. This module is the only place that reads
the machine's time for domain purposes; the rest of the mock asks it.

A site's clock is stored in its database (meta ``clock``), so every worker reads the same time,
and a change retires the cached GET answers like any other change. A request reads it once, at
its start (``Reading``); the lifecycle pins it to each moment it runs (``at``).
"""
from __future__ import annotations

import calendar
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from functools import lru_cache

META = "clock"
UTC = timezone.utc


@dataclass(frozen=True)
class Reading:
    """A clock's setting: real time plus ``offset`` seconds, or ``frozen_at`` (Unix seconds)."""

    offset: float = 0.0
    frozen_at: float | None = None

    def timestamp(self) -> float:
        return self.frozen_at if self.frozen_at is not None else time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(int(self.timestamp()), UTC)

    def as_json(self) -> dict:
        return {"offset": self.offset, "frozen_at": self.frozen_at}


REAL = Reading()
_current: ContextVar[Reading] = ContextVar("membermock_clock", default=REAL)


def now() -> datetime:
    """The current site's time, aware, in UTC, to the second (MySQL keeps no fractions)."""
    return _current.get().now()


def http_date(reading: Reading | None = None) -> str:
    """The HTTP ``Date`` of the current (or the given) reading; each answer carries one."""
    return _http_date(int((reading or _current.get()).timestamp()))


@lru_cache(maxsize=4)
def _http_date(second: int) -> str:
    return formatdate(second, usegmt=True)


@contextmanager
def using(reading: Reading):
    token = _current.set(reading)
    try:
        yield reading
    finally:
        _current.reset(token)


def at(moment: datetime):
    """The clock pinned to ``moment`` (the lifecycle runs each occurrence at its own time)."""
    return using(Reading(frozen_at=moment.timestamp()))


class SiteClock:
    """A site's clock as stored; ``reading()`` is cached until the site's store changes."""

    def __init__(self, store):
        self.store = store
        self._cached = (None, REAL)

    def reading(self) -> Reading:
        version = self.store.version()
        if self._cached[0] != version:
            stored = self.store.get_meta(META) or {}
            self._cached = (version, Reading(stored.get("offset", 0.0), stored.get("frozen_at")))
        return self._cached[1]

    def write(self, db, reading: Reading) -> None:
        self.store.set_meta(db, META, reading.as_json())

    def moved_to(self, moment: datetime, frozen: bool | None = None) -> Reading:
        """The reading that shows ``moment`` now, frozen or running (keeping the current mode)."""
        frozen = self.reading().frozen_at is not None if frozen is None else frozen
        stamp = moment.timestamp()
        return Reading(0.0, stamp) if frozen else Reading(stamp - time.time(), None)

    def frozen(self, frozen: bool) -> Reading:
        current = self.reading()
        return self.moved_to(current.now(), frozen) if frozen != (current.frozen_at is not None) else current


# -- reading times and durations --------------------------------------------------------------

_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class ClockError(ValueError):
    pass


def parse_moment(text) -> datetime:
    if not isinstance(text, str):
        raise ClockError("a time is an ISO 8601 string, e.g. 2027-01-01T00:00:00Z")
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(f"not an ISO 8601 time: {text!r} (e.g. 2027-01-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC).replace(microsecond=0)
        moment.timestamp()
    except (OverflowError, ValueError, OSError):
        raise ClockError(f"out of range: {text!r}") from None
    if not 1971 <= moment.year <= 9998:
        raise ClockError(f"out of range: {text!r} (years 1971 to 9998)")
    return moment


def advanced(moment: datetime, duration) -> datetime:
    """``moment`` plus an ISO 8601 duration (``P1M``, ``P1Y2M``, ``PT36H``, ``P2W``) or seconds.
    Months and years are calendar ones: 31 January plus P1M is the last day of February."""
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        if duration < 0:
            raise ClockError("the clock only advances; use set to go back")
        return moment + timedelta(seconds=duration)
    match = _DURATION.match(duration) if isinstance(duration, str) else None
    if not match:
        raise ClockError(f"not an ISO 8601 duration or seconds: {duration!r} (e.g. P1M, P1Y, PT12H, 3600)")
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in match.groups()[:6])
    seconds = float(match.group(7) or 0)
    return add_months(moment, years * 12 + months) + timedelta(weeks=weeks, days=days, hours=hours,
                                                                minutes=minutes, seconds=seconds)


def add_months(moment: datetime, months: int) -> datetime:
    if not months:
        return moment
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
