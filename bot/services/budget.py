"""Budgets: `200`, `150-300`, `1.500,00 €`, `$1,500.50`, `200 euros`, `25 EUR/h`; gigs must be paid."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal

from bot.core.currency import CURRENCIES, CURRENCY_WORDS, SYMBOLS
from bot.core.errors import UserError
from bot.core.i18n import babel_locale

MAX_CENTS = 100_000_000 * 100
DEFAULT_MIN_PAID = Decimal(10)  # in the gig's currency: below it a budget is a token, not pay
SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")  # no-break and narrow no-break spaces: how French groups digits
AMOUNT = r"\d(?:[\d,.'’ ]*\d)?"
WORDS = sorted((re.escape(word) for word in CURRENCY_WORDS), key=len, reverse=True)  # `euros` before `euro`
CURRENCY = "|".join(WORDS) + r"|[a-z]{3}\b|[€$£¥₹]"
BUDGET = re.compile(
    rf"^(?P<pre>{CURRENCY})?\s*(?P<low>{AMOUNT})\s*(?P<mid>{CURRENCY})?"
    rf"(?:\s*(?:-|–|—|to|à)\s*(?P<pre2>{CURRENCY})?\s*(?P<high>{AMOUNT}))?"
    rf"\s*(?P<cur>{CURRENCY})?\s*(?P<per>(?:/|per\s+|par\s+|an\s+|de\s+l')\s*(?:h|hr|hour|heure))?$",
    re.IGNORECASE,
)
UNPAID = {"0", "free", "unpaid", "exposure", "gratuit", "bénévole", "benevole", "volunteer", "none"}
GROUPS = re.compile(r"^\d{1,3}(?:(?P<sep>[,.' ’])\d{3})(?:(?P=sep)\d{3})*$")  # 1,500 · 1.500.000 · 1 500


@dataclass(frozen=True)
class Budget:
    """An amount or a range in cents, a currency, fixed or hourly."""

    low: int
    high: int
    currency: str
    hourly: bool = False

    def format(self) -> str:
        """`150-300 EUR`, `25.50 EUR/h`: one spelling in every language, which parse_budget reads back."""
        amount = _money(self.low) if self.low == self.high else f"{_money(self.low)}-{_money(self.high)}"
        return f"{amount} {self.currency}" + ("/h" if self.hourly else "")

    def display(self, locale: str) -> str:
        """The budget as the reader's locale writes money: `€1,500`, `1 500 €`, `CA$25.50/h`, `150 € – 300 €`."""
        ends = [self.low] if self.low == self.high else [self.low, self.high]
        amount = " – ".join(money(cents, self.currency, locale) for cents in ends)
        return amount + ("/h" if self.hourly else "")


def money(cents: int, currency: str, locale: str) -> str:
    """An amount in the reader's locale, with its currency; whole amounts without `.00`."""
    value = Decimal(cents) / 100
    if currency not in CURRENCIES:  # a filter in any currency, or an odd stored code
        return " ".join(part for part in (format_decimal(value, locale=locale), currency) if part)
    if cents % 100:
        return format_currency(value, currency, locale=locale)
    pattern = babel_locale(locale).currency_formats["standard"].pattern.split(";")[0]
    return format_currency(value, currency, locale=locale, format=re.sub(r"\.0+", "", pattern), currency_digits=False)


def _money(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}"


def _cents(text: str) -> int:
    """Read one amount as its poster wrote it, in cents.

    `1.500,00` and `1,500.00`: with both marks, the last one is the decimal mark. Spaces and apostrophes only
    group digits. A lone `,` or `.` is the decimal mark, unless three digits follow it and one to three digits
    (not a lone 0) come before it: `1.000` could be one or a thousand, so it is refused with both readings.
    """
    text = SPACES.sub(" ", text)
    marks = [c for c in text if c in ",."]
    whole, point, fraction, lone = text, "", "", False
    if marks:
        last = text.rfind(marks[-1])
        lone = len(set(marks)) == 1 and len(marks) == 1
        if len(set(marks)) == 2 or lone:
            whole, point, fraction = text[:last], marks[-1], text[last + 1:]
    if point and lone and not any(c in " '’" for c in whole) and len(fraction) == 3 and whole[:1] != "0" \
            and len(whole) <= 3:
        raise UserError("gig.ambiguous_amount", value=text, large=whole + fraction,
                        small=f"{whole}{point}{fraction.rstrip('0').ljust(2, '0')}")
    if not whole.isdecimal() and not GROUPS.match(whole):
        raise UserError("gig.bad_budget", value=text)
    if not fraction.isdecimal() and point:
        raise UserError("gig.bad_budget", value=text)
    digits = re.sub(r"\D", "", whole)
    if len(digits.lstrip("0")) > len(str(MAX_CENTS // 100)):
        raise UserError("gig.budget_too_large")  # before Decimal arithmetic on thousands of digits
    try:
        value = Decimal(f"{digits}.{fraction or 0}")
    except InvalidOperation as exc:
        raise UserError("gig.bad_budget", value=text) from exc
    if value > MAX_CENTS // 100:
        raise UserError("gig.budget_too_large")
    if value != value.quantize(Decimal("0.01")):
        raise UserError("gig.bad_budget", value=text)
    return int(value * 100)


def _currency(match: re.Match[str], default_currency: str) -> str:
    """The currency the budget names: a code or a word wins over a symbol (`$200 CAD`); else the default."""
    given = [match.group(name) for name in ("pre", "mid", "pre2", "cur") if match.group(name)]
    codes = [CURRENCY_WORDS.get(word.lower(), word.upper()) for word in given if word not in SYMBOLS]
    symbols = [SYMBOLS[word] for word in given if word in SYMBOLS]
    for word, code in zip((w for w in given if w not in SYMBOLS), codes, strict=True):
        if code not in CURRENCIES:
            raise UserError("gig.bad_currency", value=word)
    named = codes or symbols
    if len(set(codes)) > 1 or (not codes and len(set(symbols)) > 1):
        raise UserError("gig.two_currencies", first=named[0], second=next(c for c in named if c != named[0]))
    return named[0] if named else default_currency


def parse_budget(raw: str, default_currency: str, min_paid: Decimal = Decimal(0)) -> Budget:
    """Read a budget; zero, `free` or `exposure` is refused because gigs must be paid, and so is less than min_paid.

    Without a currency the budget is in `default_currency`; an empty default leaves it empty (a filter that
    compares amounts in any currency).
    """
    text = SPACES.sub(" ", raw).strip()
    if text.lower() in UNPAID:
        raise UserError("gig.unpaid")
    match = BUDGET.match(text)
    if match is None:
        raise UserError("gig.bad_budget", value=raw)
    low = _cents(match.group("low"))
    high = _cents(match.group("high")) if match.group("high") else low
    currency = _currency(match, default_currency)
    if low <= 0 or high <= 0:
        raise UserError("gig.unpaid")
    if high < low:
        raise UserError("gig.budget_range", low=_money(low), high=_money(high))
    if high > MAX_CENTS:
        raise UserError("gig.budget_too_large")
    if low < min_paid * 100:
        raise UserError("gig.below_min_paid", value=Decimal(low) / 100, minimum=min_paid, currency=currency)
    return Budget(low, high, currency, hourly=bool(match.group("per")))


def min_paid(settings: Mapping[str, Any]) -> Decimal:
    """The community's minimum paid amount (`min_paid` in its settings), 10 in the gig's currency by default."""
    stored = settings.get("min_paid")
    return DEFAULT_MIN_PAID if stored is None else Decimal(str(stored))


def parse_min_paid(raw: str) -> str:
    """Read the minimum paid amount an admin sets: a plain amount such as 10 or 12,50; 0 accepts any paid budget."""
    text = raw.strip()
    value = Decimal(0) if text in ("0", "0.00", "0,00") else Decimal(_cents(text)) / 100
    return _money(int(value * 100))
