from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.services.timing import (
    QuietHours,
    format_duration,
    outside_quiet_hours,
    parse_duration,
    parse_quiet_hours,
    parse_timezone,
)

NIGHT = QuietHours(time(21), time(9))


@pytest.mark.parametrize(("raw", "expected"), [
    ("2d", timedelta(days=2)), ("36h", timedelta(hours=36)), ("90m", timedelta(minutes=90)), ("3", timedelta(days=3)),
    (" 14D ", timedelta(days=14)),
])
def test_durations(raw: str, expected: timedelta) -> None:
    assert parse_duration(raw, "x") == expected


@pytest.mark.parametrize("raw", ["0d", "0m", "366d", "soon", "2w", "-1d", "1.5d", ""])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_duration(raw, "first_nudge")
    assert caught.value.key == "settings.bad_duration" and caught.value.params["name"] == "first_nudge"


@given(st.integers(1, 365 * 24 * 60))
def test_durations_round_trip(minutes: int) -> None:
    delta = timedelta(minutes=minutes)
    assert parse_duration(format_duration(delta), "x") == delta


def test_quiet_hours_parsing() -> None:
    assert parse_quiet_hours("21-9") == NIGHT
    assert parse_quiet_hours("22:30 - 07:00") == QuietHours(time(22, 30), time(7))
    assert parse_quiet_hours("13h-14h") == QuietHours(time(13), time(14))
    assert parse_quiet_hours("off") is None
    assert NIGHT.format() == "21-9" and QuietHours(time(22, 30), time(7)).format() == "22:30-7"
    for bad in ("9-9", "25-3", "21", "evening", "21:60-9"):
        with pytest.raises(UserError):
            parse_quiet_hours(bad)


def test_timezones() -> None:
    assert parse_timezone(" Europe/Paris ") == "Europe/Paris"
    for bad in ("Paris", "Mars/Base", "", "../etc"):
        with pytest.raises(UserError):
            parse_timezone(bad)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("due", "expected"), [
    (at(2026, 11, 23, 12, 0), at(2026, 11, 23, 12, 0)),  # daytime: unchanged
    (at(2026, 11, 23, 21, 0), at(2026, 11, 24, 9, 0)),  # the evening start moves to next morning
    (at(2026, 11, 24, 3, 0), at(2026, 11, 24, 9, 0)),  # after midnight: the same morning
    (at(2026, 11, 24, 9, 0), at(2026, 11, 24, 9, 0)),  # the end itself is not quiet
])
def test_quiet_hours_across_midnight_in_utc(due: datetime, expected: datetime) -> None:
    assert outside_quiet_hours(due, NIGHT, "UTC") == expected


def test_a_daytime_window() -> None:
    lunch = QuietHours(time(12), time(14))
    assert outside_quiet_hours(at(2026, 11, 23, 13, 0), lunch, "UTC") == at(2026, 11, 23, 14, 0)
    assert outside_quiet_hours(at(2026, 11, 23, 23, 0), lunch, "UTC") == at(2026, 11, 23, 23, 0)


def test_the_members_timezone_decides() -> None:
    due = at(2026, 11, 23, 12, 0)  # 21:00 in Tokyo, 07:00 in New York, 13:00 in Paris
    assert outside_quiet_hours(due, NIGHT, "Asia/Tokyo") == at(2026, 11, 24, 0, 0)  # 09:00 JST
    assert outside_quiet_hours(due, NIGHT, "America/New_York") == at(2026, 11, 23, 14, 0)  # 09:00 EST
    assert outside_quiet_hours(due, NIGHT, "Europe/Paris") == due
    assert outside_quiet_hours(due, None, "Asia/Tokyo") == due


def test_across_dst_changes() -> None:
    # Paris springs forward on 2027-03-28 (02:00 CET -> 03:00 CEST): 09:00 that morning is 07:00 UTC.
    assert outside_quiet_hours(at(2027, 3, 27, 22, 0), NIGHT, "Europe/Paris") == at(2027, 3, 28, 7, 0)
    # New York falls back on 2026-11-01 (02:00 EDT -> 01:00 EST): 09:00 that morning is 14:00 UTC.
    assert outside_quiet_hours(at(2026, 11, 1, 5, 30), NIGHT, "America/New_York") == at(2026, 11, 1, 14, 0)
    # A window ending inside the skipped hour ends when the clocks have jumped.
    gap = QuietHours(time(0), time(2, 30))
    assert outside_quiet_hours(at(2027, 3, 28, 0, 30), gap, "Europe/Paris") == at(2027, 3, 28, 1, 30)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]),
       st.integers(0, 23), st.integers(0, 23))
def test_the_result_is_never_earlier_nor_quiet_nor_more_than_a_day_away(due: datetime, zone: str, start: int,
                                                                          end: int) -> None:
    if start == end:
        return
    quiet = QuietHours(time(start), time(end))
    result = outside_quiet_hours(due, quiet, zone)
    assert due <= result <= due + timedelta(hours=25)
    from zoneinfo import ZoneInfo

    local = result.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    assert not quiet.contains(local) or result == due
