"""Rules that compare a gig with the board's history, which the caller reads and passes in.

- Pay far above the usual: the gig's top budget is more than `pay_ratio` (3) times the median top budget of at
  least `pay_history` (5) earlier gigs with one of its tags, in the same currency and of the same kind (fixed or
  hourly). With less history than that the rule says nothing.
- The same text under another title: the descriptions' word bigrams (folded words, in pairs) have a Jaccard
  similarity of at least `similar` (0.7) with a recent gig whose folded title differs; descriptions of fewer than
  `similar_min_words` (8) words are not compared.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from decimal import Decimal

from bot.core.words import fold, words
from bot.services.screening.model import Finding
from bot.services.screening.rule import Context, Rule, rule


@rule("pay_above", 40, "screening.pay_above")
def pay_above(self: Rule, context: Context) -> Iterator[Finding]:
    """Pay far above what this board's earlier gigs with the same tag offered."""
    gig, settings = context.gig, context.settings
    if gig.budget_max <= 0:
        return
    for tag in gig.tags:
        earlier = [past.budget_max for past in context.history.budgets
                   if tag in past.tags and past.currency == gig.currency and past.hourly == gig.hourly
                   and past.budget_max > 0]
        if len(earlier) < settings.pay_history:
            continue
        median = statistics.median(earlier)
        if gig.budget_max > settings.pay_ratio * median:
            yield self.finding("screening.pay_above", tag=tag, times=Decimal(round(gig.budget_max / median, 1))
                               .quantize(Decimal("0.1")), median=Decimal(int(median)) / 100,
                               currency=gig.currency, count=len(earlier))
            return


def bigrams(text: str) -> set[tuple[str, str]]:
    """The pairs of consecutive folded words of a text."""
    found = words(text)
    return set(zip(found, found[1:], strict=False))


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of two texts' word bigrams: 1.0 for the same words in the same order, 0.0 for none shared."""
    a, b = bigrams(first), bigrams(second)
    return len(a & b) / len(a | b) if a and b else 0.0


def same_title(first: str, second: str) -> bool:
    """Whether two titles read the same once folded."""
    return " ".join(fold(first).split()) == " ".join(fold(second).split())


def _long_enough(text: str, minimum: int) -> bool:
    return len(words(text)) >= minimum


@rule("duplicate", 40, "screening.duplicate")
def duplicate(self: Rule, context: Context) -> Iterator[Finding]:
    """The same description posted recently under another title."""
    gig, settings = context.gig, context.settings
    if not _long_enough(gig.description, settings.similar_min_words):
        return
    best: tuple[float, int, str] | None = None
    for other in context.history.recent:
        if same_title(gig.title, other.title) or not _long_enough(other.description, settings.similar_min_words):
            continue
        score = similarity(gig.description, other.description)
        if score >= settings.similar and (best is None or score > best[0]):
            best = (score, other.id, other.title)
    if best is not None:
        yield self.finding("screening.duplicate", id=best[1], title=best[2], percent=round(best[0] * 100))
