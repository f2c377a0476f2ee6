"""The screening engine: every rule on one gig, their weights summed into a score, the score into a tier."""

from __future__ import annotations

from bot.services.screening import contact, history, links, money, offers
from bot.services.screening.model import Finding, GigText, History, Screening, Tier
from bot.services.screening.rule import Context, Rule
from bot.services.screening.settings import ScreeningSettings
from bot.services.screening.text import Scan

RULES: tuple[Rule, ...] = (
    money.deposit, money.payment_method, money.bank_or_id, offers.unpaid_test, history.pay_above,
    offers.income_pressure, contact.off_platform, links.link, links.blocked_domain, contact.blocked_word,
    offers.too_short, contact.mentions, history.duplicate,
)
RULE_NAMES = tuple(each.name for each in RULES)
assert len(set(RULE_NAMES)) == len(RULE_NAMES), "two screening rules share a name"


def screen(gig: GigText, past: History | None = None, settings: ScreeningSettings | None = None) -> Screening:
    """Screen a gig: its tier, score and findings, from what it says and the board's history alone (no I/O)."""
    settings = settings or ScreeningSettings()
    context = Context(gig, Scan(gig, settings.allowed_words), past or History(), settings)
    findings: list[Finding] = []
    score = 0
    for each in RULES:
        if each.name in settings.off:
            continue
        found = each(context)
        if found:
            findings += found
            score += settings.weight(each.name, each.weight)
    return Screening(tier_of(score, settings), score, tuple(findings))


def tier_of(score: int, settings: ScreeningSettings) -> Tier:
    """The tier a score falls in under a community's thresholds."""
    if score >= settings.refuse_at:
        return Tier.REFUSE
    return Tier.HOLD if score >= settings.hold_at else Tier.PUBLISH
