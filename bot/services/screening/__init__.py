"""Scam screening: small named rules that say what they observed, weighed into publish, hold or refuse.

The engine is pure: it reads a neutral `GigText`, the board's `History` (read by the caller) and a community's
`ScreeningSettings`, and returns a `Screening`. See docs/screening.md for the rules, weights and thresholds.
"""

from bot.services.screening.engine import RULE_NAMES, RULES, screen, tier_of
from bot.services.screening.model import Finding, GigText, History, PastBudget, RecentGig, Screening, Tier
from bot.services.screening.settings import ScreeningSettings

__all__ = ["RULES", "RULE_NAMES", "Finding", "GigText", "History", "PastBudget", "RecentGig", "Screening",
           "ScreeningSettings", "Tier", "screen", "tier_of"]
