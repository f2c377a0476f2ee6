"""What screening reads and what it returns: a neutral gig, the board's history, findings and a tier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Tier(StrEnum):
    """What happens to a screened gig: published at once, held for an admin, or refused with its reasons."""

    PUBLISH = "publish"
    HOLD = "hold"
    REFUSE = "refuse"


@dataclass(frozen=True)
class GigText:
    """A gig as screening sees it: what the poster typed, with no database row behind it."""

    title: str
    description: str = ""
    tags: Sequence[str] = ()
    budget_min: int = 0  # cents
    budget_max: int = 0  # cents
    currency: str = ""
    hourly: bool = False
    apply_url: str | None = None
    poster_text: str = ""  # anything else the poster wrote with the gig (a form's note, the message it came from)


@dataclass(frozen=True)
class PastBudget:
    """An earlier gig's budget on the board, for "pay far above the community's usual for this tag"."""

    tags: Sequence[str]
    budget_max: int  # cents
    currency: str
    hourly: bool = False


@dataclass(frozen=True)
class RecentGig:
    """A gig posted recently on the board, for "the same text posted recently under another title"."""

    id: int
    title: str
    description: str


@dataclass(frozen=True)
class History:
    """What the board already holds, read by the caller: screening itself does no I/O."""

    budgets: Sequence[PastBudget] = ()
    recent: Sequence[RecentGig] = ()


@dataclass(frozen=True)
class Finding:
    """One thing a rule observed: its rule, a catalog key that says what was seen, and that message's parameters.

    Strings in `params` are the poster's own words (the translator shows them as user text); numbers are numbers.
    """

    rule: str
    reason_key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Screening:
    """The verdict on one gig: its tier, its score (the weights of the rules that fired) and every finding."""

    tier: Tier
    score: int
    findings: tuple[Finding, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that fired, each once, in the order they were checked."""
        return tuple(dict.fromkeys(finding.rule for finding in self.findings))
