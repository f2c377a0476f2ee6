"""Budgets: `200`, `150-300`, `200 EUR`, `€200`, `25 EUR/h`; gigs must be paid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.core.currency import CURRENCIES, SYMBOLS
from bot.core.errors import UserError

MAX_CENTS = 100_000_000 * 100
AMOUNT = r"\d[\d ,.']*"
BUDGET = re.compile(
    rf"^(?P<pre>[€$£¥₹])?\s*(?P<low>{AMOUNT})\s*(?:(?:-|–|to|à)\s*[€$£¥₹]?\s*(?P<high>{AMOUNT}))?"
    rf"\s*(?P<cur>[A-Za-z]{{3}}|[€$£¥₹])?\s*(?P<per>(?:/|per\s+|par\s+)\s*(?:h|hr|hour|heure))?$",
    re.IGNORECASE,
)
UNPAID = {"0", "free", "unpaid", "exposure", "gratuit", "bénévole", "benevole", "volunteer", "none"}


@dataclass(frozen=True)
class Budget:
    """An amount or a range in cents, a currency, fixed or hourly."""

    low: int
    high: int
    currency: str
    hourly: bool = False

    def format(self) -> str:
        """`150-300 EUR`, `25 EUR/h`."""
        amount = _money(self.low) if self.low == self.high else f"{_money(self.low)}-{_money(self.high)}"
        return f"{amount} {self.currency}" + ("/h" if self.hourly else "")


def _money(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}"


def _cents(text: str) -> int:
    cleaned = text.replace(" ", "").replace("'", "")
    if "," in cleaned and "." not in cleaned and len(cleaned.split(",")[-1]) == 2:
        cleaned = cleaned.replace(",", ".")  # French decimals: 25,50
    cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise UserError("gig.bad_budget", value=text) from exc
    if value > MAX_CENTS // 100:
        raise UserError("gig.budget_too_large")  # before quantize, which fails beyond 28 digits
    if value != value.quantize(Decimal("0.01")):
        raise UserError("gig.bad_budget", value=text)
    return int(value * 100)


def parse_budget(raw: str, default_currency: str) -> Budget:
    """Read a budget; zero, `free` or `exposure` is refused because gigs must be paid.

    Without a currency the budget is in `default_currency`; an empty default leaves it empty (a filter that
    compares amounts in any currency).
    """
    text = raw.strip()
    if text.lower() in UNPAID:
        raise UserError("gig.unpaid")
    match = BUDGET.match(text)
    if match is None:
        raise UserError("gig.bad_budget", value=raw)
    low = _cents(match.group("low"))
    high = _cents(match.group("high")) if match.group("high") else low
    symbol = match.group("cur") or match.group("pre") or ""  # a code wins over a symbol: `$200 CAD`
    currency = SYMBOLS.get(symbol.lower(), symbol.upper()) or default_currency
    if currency and currency not in CURRENCIES:
        raise UserError("gig.bad_currency", value=symbol)
    if low <= 0 or high <= 0:
        raise UserError("gig.unpaid")
    if high < low:
        raise UserError("gig.budget_range", low=_money(low), high=_money(high))
    if high > MAX_CENTS:
        raise UserError("gig.budget_too_large")
    return Budget(low, high, currency, hourly=bool(match.group("per")))
