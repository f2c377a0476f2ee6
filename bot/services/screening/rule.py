"""A screening rule: a name, a default weight, the reasons it may give, and a check that returns findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.services.screening.model import Finding, GigText, History
from bot.services.screening.settings import ScreeningSettings
from bot.services.screening.text import Scan


@dataclass(frozen=True)
class Context:
    """Everything a check may read: the gig, its folded text, the board's history and the community's settings."""

    gig: GigText
    scan: Scan
    history: History
    settings: ScreeningSettings


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One named check; the rule counts its weight once however many findings it returns."""

    name: str
    weight: int
    reasons: tuple[str, ...]  # every catalog key its findings may carry
    check: Check

    def __call__(self, context: Context) -> list[Finding]:
        """The rule's findings on one gig."""
        return list(self.check(context))

    def finding(self, reason: str, **params: Any) -> Finding:
        """A finding of this rule; `reason` is one of its own reason keys."""
        assert reason in self.reasons, f"{self.name} has no reason {reason}"
        return Finding(self.name, reason, params)


def rule(name: str, weight: int, *reasons: str) -> Callable[[Callable[[Rule, Context], Iterable[Finding]]], Rule]:
    """Declare a rule from a function of (the rule, the context)."""
    def declare(function: Callable[[Rule, Context], Iterable[Finding]]) -> Rule:
        holder: list[Rule] = []
        made = Rule(name, weight, tuple(reasons), lambda context: function(holder[0], context))
        holder.append(made)
        return made
    return declare
