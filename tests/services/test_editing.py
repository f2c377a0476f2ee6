"""bot.services.editing without a database: the merged draft, what changed, and which changes matter to applicants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.core.errors import FieldErrors
from bot.core.i18n import Translator
from bot.services.budget import Budget
from bot.services.editing import changes, edited, mattering, typed
from bot.services.gigs import GigDraft
from bot.store.models import Gig, GigTag

TODAY = date(2026, 11, 23)
TEXT = ("The contact form on my bakery site stopped sending emails after a plugin update, and customers cannot "
        "reach us any more. Please find the cause and fix it.")
BEFORE = GigDraft(title="Fix my WordPress form", budget=Budget(15000, 15000, "EUR"), apply_by=date(2026, 12, 7),
                  description=TEXT, tags=["wordpress", "php"], remote=True)


def stored(**values: object) -> Gig:
    gig = Gig(id=1, title="Fix my WordPress form", description=TEXT, budget_min=15000, budget_max=15000,
              currency="USD", hourly=False, remote=True, location="", hours=None, apply_by=date(2026, 11, 24),
              apply_url=None, source="", status="open")
    gig.tags = [GigTag(tag="wordpress", position=0), GigTag(tag="php", position=1)]
    for name, value in values.items():
        setattr(gig, name, value)
    return gig


def told(after: GigDraft, locale: str = "en") -> list[str]:
    t = Translator(locale)
    return [str(change.text(t)) for change in mattering(BEFORE, after)]


def test_fields_not_given_keep_their_stored_values_given_ones_are_validated() -> None:
    gig = stored()
    draft = edited(gig, {"budget": "250", "location": "Lyon"}, TODAY, Decimal(10))
    assert draft.budget == Budget(25000, 25000, "USD")  # no currency typed: the gig's
    assert (draft.remote, draft.location, draft.apply_by, draft.tags) == (True, "Lyon", date(2026, 11, 24),
                                                                          ["wordpress", "php"])
    later = date(2026, 12, 1)  # the stored apply-by date has passed: it does not block other fields
    assert edited(gig, {"hours": "3"}, later, Decimal(10)).apply_by == date(2026, 11, 24)
    assert edited(gig, {"hours": "3"}, TODAY, Decimal(500)).budget.low == 15000  # a minimum raised since
    with pytest.raises(FieldErrors) as error:
        edited(gig, {"budget": "100", "apply_by": "2026-11-01", "tags": "c++!"}, TODAY, Decimal(500))
    assert set(error.value.errors) == {"budget", "apply_by", "tags"}


def test_changes_are_each_field_as_typed_before_and_after() -> None:
    after = replace(BEFORE, budget=Budget(15000, 30000, "EUR", hourly=False), tags=["wordpress"], hours=4)
    assert changes(BEFORE, after) == {"budget": ["150 EUR", "150-300 EUR"], "tags": ["wordpress, php", "wordpress"],
                                      "hours": ["", "4"]}
    assert changes(BEFORE, replace(BEFORE)) == {}
    assert typed(BEFORE)["remote"] == "yes" and typed(BEFORE)["apply_by"] == "2026-12-07"


@pytest.mark.parametrize(("low", "high", "expected"), [
    (16500, 16500, []), (13500, 13500, []),  # exactly 10 %: not more than 10 %
    (16600, 16600, ["the budget is now €166 (was €150): +11%"]),
    (10000, 10000, ["the budget is now €100 (was €150): −33%"]),
    (15000, 30000, ["the budget is now €150 – €300 (was €150): maximum +100%"]),
    (12000, 30000, ["the budget is now €120 – €300 (was €150): minimum −20%, maximum +100%"]),
])
def test_a_budget_matters_when_a_bound_moves_more_than_ten_percent(low: int, high: int, expected: list[str]) -> None:
    assert told(replace(BEFORE, budget=Budget(low, high, "EUR"))) == expected


def test_currency_or_rate_changes_always_matter() -> None:
    assert told(replace(BEFORE, budget=Budget(15000, 15000, "USD"))) == ["the budget is now $150 (was €150)"]
    assert told(replace(BEFORE, budget=Budget(1500, 1500, "EUR", hourly=True))) == [
        "the budget is now €15/h (was €150)"]


def test_dates_places_and_descriptions() -> None:
    assert told(replace(BEFORE, apply_by=date(2026, 12, 31))) == []
    assert told(replace(BEFORE, apply_by=date(2026, 12, 1))) == ["apply by Dec 1, 2026 now, earlier than Dec 7, 2026"]
    assert told(replace(BEFORE, remote=False)) == ["it is no longer remote: on site (no place given)"]
    assert told(replace(BEFORE, location="Lyon")) == ["it takes place in Lyon now (was no place given)"]
    assert told(replace(BEFORE, location="  ")) == []
    typo = TEXT.replace("customers", "custmers").replace("emails", "e-mails")
    assert told(replace(BEFORE, description=typo)) == []
    assert told(replace(BEFORE, description=TEXT + " It uses Contact Form 7 and WP Mail SMTP.")) == []
    assert told(replace(BEFORE, description="Build a shop with twenty products.")) == [
        "the description was rewritten"]
    assert told(replace(BEFORE, title="Fix my PHP form", hours=3, source="a client", tags=["php"])) == []
    assert told(replace(BEFORE, remote=False, location="Lyon"), "fr") == [
        "elle n'est plus à distance : sur place (Lyon)"]
