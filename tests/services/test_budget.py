"""Budgets: amounts, ranges, currencies, hourly rates; gigs must be paid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.services.budget import MAX_CENTS, Budget, parse_budget


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("200", Budget(20000, 20000, "EUR")),
        ("  200  ", Budget(20000, 20000, "EUR")),
        ("150-300", Budget(15000, 30000, "EUR")),
        ("150 - 300 USD", Budget(15000, 30000, "USD")),
        ("150–300", Budget(15000, 30000, "EUR")),  # en dash
        ("150 to 300", Budget(15000, 30000, "EUR")),
        ("150 à 300 €", Budget(15000, 30000, "EUR")),
        ("€150-€300", Budget(15000, 30000, "EUR")),
        ("200 EUR", Budget(20000, 20000, "EUR")),
        ("200 eur", Budget(20000, 20000, "EUR")),
        ("€200", Budget(20000, 20000, "EUR")),
        ("200€", Budget(20000, 20000, "EUR")),
        ("$50", Budget(5000, 5000, "USD")),
        ("$ 50", Budget(5000, 5000, "USD")),
        ("£20", Budget(2000, 2000, "GBP")),
        ("$200 CAD", Budget(20000, 20000, "CAD")),  # the code says which dollar
        ("25 EUR/h", Budget(2500, 2500, "EUR", hourly=True)),
        ("25 EUR/H", Budget(2500, 2500, "EUR", hourly=True)),
        ("25/h", Budget(2500, 2500, "EUR", hourly=True)),
        ("25 per hour", Budget(2500, 2500, "EUR", hourly=True)),
        ("25 € par heure", Budget(2500, 2500, "EUR", hourly=True)),
        ("20-30 USD/hr", Budget(2000, 3000, "USD", hourly=True)),
        ("25,50", Budget(2550, 2550, "EUR")),  # French decimal comma
        ("25.50", Budget(2550, 2550, "EUR")),
        ("25.5", Budget(2550, 2550, "EUR")),
        ("1,500.00", Budget(150000, 150000, "EUR")),  # English: both marks, the last one is the decimal mark
        ("1.500,00 €", Budget(150000, 150000, "EUR")),  # French and German
        ("1 500,00", Budget(150000, 150000, "EUR")),
        ("1\u202f500,00\u00a0€", Budget(150000, 150000, "EUR")),  # narrow no-break space, as Babel writes French
        ("1\u00a0500", Budget(150000, 150000, "EUR")),
        ("1500,50", Budget(150050, 150050, "EUR")),
        ("1.500.000", Budget(150000000, 150000000, "EUR")),  # the same mark twice only groups
        ("1,500,000.50 USD", Budget(150000050, 150000050, "USD")),
        ("0.500", Budget(50, 50, "EUR")),  # no thousands start with 0
        ("1500.000", Budget(150000, 150000, "EUR")),  # four digits before: not a thousands group
        ("1 500", Budget(150000, 150000, "EUR")),
        ("1'500", Budget(150000, 150000, "EUR")),
        ("1,500.50 USD", Budget(150050, 150050, "USD")),
        ("0.50", Budget(50, 50, "EUR")),
        ("100000000", Budget(MAX_CENTS, MAX_CENTS, "EUR")),
        ("200 euros", Budget(20000, 20000, "EUR")),  # currency words, before or after
        ("200 Euro", Budget(20000, 20000, "EUR")),
        ("euros 200", Budget(20000, 20000, "EUR")),
        ("50 dollars", Budget(5000, 5000, "USD")),
        ("50 CAD", Budget(5000, 5000, "CAD")),
        ("CA$50", Budget(5000, 5000, "CAD")),
        ("50 $CA", Budget(5000, 5000, "CAD")),
        ("20 pounds/h", Budget(2000, 2000, "GBP", hourly=True)),
        ("150 € à 300 €", Budget(15000, 30000, "EUR")),
        ("300 francs", Budget(30000, 30000, "CHF")),
    ],
)
def test_parse_budget(raw: str, expected: Budget) -> None:
    assert parse_budget(raw, "EUR") == expected


def test_default_currency_is_used_only_without_one() -> None:
    assert parse_budget("200", "USD").currency == "USD"
    assert parse_budget("200 EUR", "USD").currency == "EUR"
    assert parse_budget("€200", "USD").currency == "EUR"


@pytest.mark.parametrize(
    "raw", ["0", "00", "0.00", "0,00", "0-0", "0 EUR", "free", "FREE", "Exposure", "gratuit", "bénévole", "unpaid",
            " none "]
)
def test_unpaid_is_refused(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR")
    assert caught.value.key == "gig.unpaid"


def test_range_upside_down() -> None:
    with pytest.raises(UserError) as caught:
        parse_budget("300-150", "EUR")
    assert caught.value.key == "gig.budget_range"
    assert caught.value.params == {"low": "300", "high": "150"}


@pytest.mark.parametrize(
    "raw", ["abc", "", "   ", "0.001", "1..2", "1-2-3", "EUR", "€", "5e3", "NaN", "-200", "²", "200 EUR/day",
            "1,50,00", "1.500.00", "1,5.00", "1 500.000,00", "1 50", "12,3456"]
)
def test_not_a_budget(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR")
    assert caught.value.key == "gig.bad_budget"


@pytest.mark.parametrize(
    ("raw", "large", "small"),
    [("1.000", "1000", "1.00"), ("1,000", "1000", "1,00"), ("12.345", "12345", "12.345"), ("1,500 EUR", "1500", "1,50"),
     ("€999.500", "999500", "999.50"), ("150-1.000", "1000", "1.00")],
)
def test_a_lone_mark_before_three_digits_is_refused_with_both_readings(raw: str, large: str, small: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR")
    assert caught.value.key == "gig.ambiguous_amount"
    assert (caught.value.params["large"], caught.value.params["small"]) == (large, small)


@pytest.mark.parametrize("raw", ["0.01", "9.99", "5", "5-300", "1 EUR/h", "$9"])
def test_a_token_budget_is_refused_below_the_community_minimum(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR", Decimal(10))
    assert caught.value.key == "gig.below_min_paid"
    assert caught.value.params["minimum"] == Decimal(10)
    assert parse_budget(raw, "EUR").low > 0  # without a minimum it is a budget


def test_the_minimum_is_in_the_gig_s_currency() -> None:
    assert parse_budget("10", "EUR", Decimal(10)) == Budget(1000, 1000, "EUR")
    assert parse_budget("10 JPY", "EUR", Decimal(10)) == Budget(1000, 1000, "JPY")
    with pytest.raises(UserError) as caught:
        parse_budget("9 USD", "EUR", Decimal(10))
    assert caught.value.params == {"value": Decimal(9), "minimum": Decimal(10), "currency": "USD"}


def test_two_currencies_are_refused() -> None:
    with pytest.raises(UserError) as caught:
        parse_budget("200 EUR - 300 USD", "EUR")
    assert caught.value.key == "gig.two_currencies"


@pytest.mark.parametrize(
    ("budget", "locale", "text"),
    [
        (Budget(150000, 150000, "EUR"), "en", "€1,500"),
        (Budget(150000, 150000, "EUR"), "fr", "1\u202f500\u00a0€"),
        (Budget(150050, 150050, "EUR"), "fr", "1\u202f500,50\u00a0€"),
        (Budget(15000, 30000, "USD"), "en", "$150 – $300"),
        (Budget(2550, 2550, "CAD", hourly=True), "fr", "25,50\u00a0$CA/h"),
        (Budget(10000, 10000, ""), "fr", "100"),
    ],
)
def test_display_follows_the_reader_s_locale(budget: Budget, locale: str, text: str) -> None:
    assert budget.display(locale) == text


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_CENTS), st.integers(0, MAX_CENTS), st.sampled_from(["EUR", "USD", "GBP", "CHF", "CAD"]),
       st.booleans())
def test_a_budget_displayed_in_french_parses_back(low: int, extra: int, currency: str, hourly: bool) -> None:
    budget = Budget(low, min(low + extra, MAX_CENTS), currency, hourly)
    assert parse_budget(budget.display("fr"), "XXX") == budget


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_CENTS), st.integers(0, MAX_CENTS), st.sampled_from(["EUR", "USD", "GBP", "CHF", "CAD"]))
def test_a_budget_displayed_in_english_parses_back_or_asks(low: int, extra: int, currency: str) -> None:
    budget = Budget(low, min(low + extra, MAX_CENTS), currency)
    try:
        assert parse_budget(budget.display("en"), "XXX") == budget
    except UserError as error:  # `€1,500`: to a reader of both conventions, one or fifteen hundred
        assert error.key == "gig.ambiguous_amount"
        assert any(cents % 100 == 0 and 1000_00 <= cents < 1_000_000_00 for cents in (budget.low, budget.high))


@pytest.mark.parametrize(
    "raw", ["100000001", "999999999999", "100000000.01", "1" * 27, "1" * 40, "9" * 5000, "1-" + "9" * 40,
            "150-300000000 USD"]
)
def test_absurdly_large_budget(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR")
    assert caught.value.key == "gig.budget_too_large"


@pytest.mark.parametrize(
    ("budget", "text"),
    [
        (Budget(20000, 20000, "EUR"), "200 EUR"),
        (Budget(15000, 30000, "USD"), "150-300 USD"),
        (Budget(2550, 2550, "EUR", hourly=True), "25.50 EUR/h"),
        (Budget(5, 105, "GBP"), "0.05-1.05 GBP"),
    ],
)
def test_format(budget: Budget, text: str) -> None:
    assert budget.format() == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_a_budget_or_a_user_error(raw: str) -> None:
    try:
        budget = parse_budget(raw, "EUR")
    except UserError as error:
        assert error.key in ("gig.unpaid", "gig.bad_budget", "gig.budget_range", "gig.budget_too_large",
                             "gig.ambiguous_amount", "gig.bad_currency", "gig.two_currencies")
        return
    assert 0 < budget.low <= budget.high <= MAX_CENTS
    assert len(budget.currency) == 3


budget_like = st.builds(
    lambda low, high, pre, cur, per: f"{pre}{low}{high}{cur}{per}",
    st.from_regex(r"[0-9][0-9 ,.']{0,12}", fullmatch=True),
    st.sampled_from(["", "-", " - ", " to ", "–"]).flatmap(
        lambda sep: st.just("") if not sep else st.from_regex(r"[0-9][0-9 ,.]{0,8}", fullmatch=True).map(
            lambda amount: sep + amount)),
    st.sampled_from(["", "€", "$", "£ "]),
    st.sampled_from(["", " EUR", " usd", "€", " CHF"]),
    st.sampled_from(["", "/h", " per hour", " /hr"]),
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(budget_like, st.text()), st.sampled_from(["EUR", "USD", "JPY"]))
def test_format_parses_back(raw: str, default_currency: str) -> None:
    try:
        budget = parse_budget(raw, default_currency)
    except UserError:
        return
    assert parse_budget(budget.format(), "XXX") == budget


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, MAX_CENTS), st.integers(0, MAX_CENTS), st.sampled_from(["EUR", "USD", "GBP", "CHF"]), st.booleans()
)
def test_every_budget_formats_to_text_that_parses_back(low: int, extra: int, currency: str, hourly: bool) -> None:
    budget = Budget(low, min(low + extra, MAX_CENTS), currency, hourly)
    assert parse_budget(budget.format(), "XXX") == budget


@pytest.mark.parametrize("raw", ["200 ABC", "200 xyz", "$200 EUX", "25 QQQ/h"])
def test_an_unknown_currency_code_is_refused_by_name(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_budget(raw, "EUR")
    assert caught.value.key == "gig.bad_currency"
    assert caught.value.params["value"].upper() == raw.split()[-1].removesuffix("/h").upper()


def test_without_a_default_a_budget_with_no_currency_has_none() -> None:
    assert parse_budget("100", "") == Budget(10000, 10000, "")
    assert parse_budget("100 usd", "") == Budget(10000, 10000, "USD")


def test_the_default_currency_setting_must_be_a_currency() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    assert Settings(default_currency="chf").default_currency == "CHF"
    with pytest.raises(ValidationError, match="ISO 4217 currency code"):
        Settings(default_currency="ABC")
