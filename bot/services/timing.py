"""Durations, timezones and quiet hours: when a nudge may reach a member."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton, format_time

from bot.core.errors import UserError

DURATION = re.compile(r"^(\d{1,6})\s*([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}
HOUR = r"([01]?\d|2[0-3])(?::([0-5]\d))?h?"
QUIET = re.compile(rf"^{HOUR}\s*-\s*{HOUR}$")
OFF = ("off", "none", "no", "non", "aucune")


def parse_duration(raw: str, name: str) -> timedelta:
    """`2d`, `36h`, `90m` (a bare number counts days); at least one minute, at most 365 days."""
    text = raw.strip().lower()
    if text.isdigit():
        text += "d"
    match = DURATION.fullmatch(text)
    delta = timedelta(**{UNITS[match.group(2)]: int(match.group(1))}) if match else None
    if delta is None or not timedelta(minutes=1) <= delta <= timedelta(days=365):
        raise UserError("settings.bad_duration", name=name, value=raw)
    return delta


def format_duration(delta: timedelta) -> str:
    """The shortest of `2d`, `36h`, `90m`."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def parse_timezone(raw: str) -> str:
    """An IANA timezone name such as Europe/Paris."""
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError("settings.bad_timezone", value=raw) from exc
    return name


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in local time, when no nudge is sent; it may cross midnight (21:00-09:00)."""

    start: time
    end: time

    def format(self) -> str:
        """`21-9`, or `21:30-8` when minutes are set."""
        return f"{_hour(self.start)}-{_hour(self.end)}"

    def contains(self, local: time) -> bool:
        """Whether a local time falls in the window."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def _hour(value: time) -> str:
    return f"{value.hour}" if value.minute == 0 else f"{value.hour}:{value.minute:02d}"


def parse_quiet_hours(raw: str) -> QuietHours | None:
    """`21-9`, `21:30-08:00`, or `off` (None)."""
    text = raw.strip().lower()
    if text in OFF:
        return None
    match = QUIET.fullmatch(text)
    if match is None:
        raise UserError("settings.bad_quiet", value=raw)
    start = time(int(match.group(1)), int(match.group(2) or 0))
    end = time(int(match.group(3)), int(match.group(4) or 0))
    if start == end:
        raise UserError("settings.bad_quiet", value=raw)
    return QuietHours(start, end)


def outside_quiet_hours(due: datetime, quiet: QuietHours | None, zone: str) -> datetime:
    """The due time, or the end of the quiet period it falls in (the member's local clock, across DST)."""
    if quiet is None:
        return due
    tz = ZoneInfo(zone)
    local = due.astimezone(tz)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return due
    end_day = local.date()
    if quiet.start > quiet.end and local.time().replace(tzinfo=None) >= quiet.start:
        end_day += timedelta(days=1)  # the window started this evening and ends tomorrow morning
    end = datetime.combine(end_day, quiet.end, tzinfo=tz)
    return end.astimezone(due.tzinfo)


def format_moment(when: datetime, zone: str, locale: str) -> str:
    """A moment as the reader says it, on their clock: `Thu, Nov 26, 2026 10:00 AM`, `jeu. 26 nov. 2026 10:00`."""
    tz = ZoneInfo(zone)
    day = format_skeleton("yMMMEd", when, tzinfo=tz, locale=locale)
    hour = format_time(when, "short", tzinfo=tz, locale=locale).replace("\u202f", " ")  # CLDR's narrow space before AM
    return f"{day} {hour}"

