"""The injected clock: services ask it for the time, tests and the console move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


class SystemClock:
    """The real time, plus an offset that the console's /clock can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """Return the system time plus the offset."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by delta."""
        self.offset += delta

    def set(self, when: datetime) -> None:
        """Move the clock to a given time."""
        self.offset += when - self.now()


class FrozenClock:
    """A clock that moves only when told to; used by tests and scripted console runs."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        """Return the frozen time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by delta."""
        self._now += delta

    def set(self, when: datetime) -> None:
        """Move the clock to a given time."""
        self._now = as_utc(when)


def local_date(when: datetime, timezone: str | None) -> date:
    """The date at `when` in a timezone (UTC when none is set)."""
    return when.astimezone(ZoneInfo(timezone or "UTC")).date()


def as_utc(when: datetime) -> datetime:
    """Return when as an aware UTC datetime; naive values are taken as UTC (SQLite returns them so)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
