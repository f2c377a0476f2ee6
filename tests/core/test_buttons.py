"""Button ids: `gig:<action>:<value>`, built and parsed in one place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.buttons import MAX_LENGTH, ButtonPress, button_id, parse_button_id
from bot.core.errors import UserError

actions = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)
values = st.from_regex(r"[A-Za-z0-9_.@+-]{0,60}", fullmatch=True)


def test_button_id_for_a_gig() -> None:
    assert button_id("apply", 12) == "gig:apply:12"
    assert button_id("show", "7") == "gig:show:7"


def test_button_id_without_value() -> None:
    assert button_id("list") == "gig:list:"
    assert parse_button_id("gig:list:") == ButtonPress("list", "")


def test_parse_button_id() -> None:
    assert parse_button_id("gig:apply:12") == ButtonPress("apply", "12")
    assert parse_button_id("gig:role_add:alice@example.com") == ButtonPress("role_add", "alice@example.com")


def test_parse_tolerates_surrounding_whitespace() -> None:
    assert parse_button_id("  gig:apply:12\n") == ButtonPress("apply", "12")


@settings(max_examples=200, deadline=None)
@given(actions, values)
def test_round_trip(action: str, value: str) -> None:
    built = button_id(action, value)
    assert len(built) <= MAX_LENGTH
    assert parse_button_id(built) == ButtonPress(action, value)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "gig",
        "gig:",
        "gig::12",  # no action
        "gog:apply:12",  # wrong prefix
        "GIG:apply:12",
        "apply:12",
        "gig:Apply:12",  # actions are lower-case
        "gig:apply-now:12",
        "gig:apply:12:13",  # extra colon
        "gig:apply:1 2",
        "gig:apply:12\nx",
        "gig:apply:" + "1" * (MAX_LENGTH - len("gig:apply:") + 1),  # 101 characters
        "gig:apply:" + "1" * 500,
        "x" * 10_000,
    ],
)
def test_malformed_ids_are_user_errors(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_button_id(raw)
    assert caught.value.key == "errors.bad_button"
    assert caught.value.params == {"id": raw}


def test_an_id_of_exactly_max_length_is_accepted() -> None:
    raw = "gig:apply:" + "1" * (MAX_LENGTH - len("gig:apply:"))
    assert len(raw) == MAX_LENGTH
    assert parse_button_id(raw).value == "1" * (MAX_LENGTH - len("gig:apply:"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_a_user_error(raw: str) -> None:
    try:
        press = parse_button_id(raw)
    except UserError as error:
        assert error.key == "errors.bad_button"
    else:
        assert button_id(press.action, press.value) == raw.strip()


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("Apply", 12),
        ("", 12),
        ("apply now", 12),
        ("apply:x", 12),
        ("apply", "a:b"),
        ("apply", "a b"),
        ("apply", "12\n"),  # `$` alone would let a trailing newline through
        ("apply\n", 12),
        ("apply", "é"),
        ("apply", "x" * MAX_LENGTH),
    ],
)
def test_button_id_refuses_invalid_input(action: str, value: object) -> None:
    with pytest.raises(ValueError):
        button_id(action, value)
