"""A community's screening settings: thresholds, rules turned off, weights, and its own word and domain lists.

Stored in `community.settings["screening"]`; anything missing takes the default here, so a community that never
changed a thing is screened with the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bot.core.words import fold

HOLD_AT = 40  # a score from here holds the gig for review: any one rule but `too_short` is enough
REFUSE_AT = 100  # a score from here refuses it: by default only two strong signals together, never one rule alone


def _folded(items: Iterable[str]) -> frozenset[str]:
    return frozenset(" ".join(fold(item).split()) for item in items if item.strip())


def _domains(items: Iterable[str]) -> frozenset[str]:
    return frozenset(item.strip().lower().removeprefix("www.").strip(".") for item in items if item.strip())


@dataclass(frozen=True)
class ScreeningSettings:
    """How a community screens gigs; every number is a named threshold a test or an admin can move."""

    hold_at: int = HOLD_AT
    refuse_at: int = REFUSE_AT
    off: frozenset[str] = frozenset()  # rules turned off by name
    weights: Mapping[str, int] = field(default_factory=dict)  # a rule's weight, over its default
    blocked_words: frozenset[str] = frozenset()  # community policy: "crypto", "agency", "mlm"
    allowed_words: frozenset[str] = frozenset()  # words no rule counts: "whatsapp" in a community that uses it
    blocked_domains: frozenset[str] = frozenset()
    allowed_domains: frozenset[str] = frozenset()  # never shortened, look-alike nor blocked
    pay_ratio: float = 3.0  # pay far above: more than this many times the tag's median...
    pay_history: int = 5  # ...of at least this many earlier gigs with the tag, same currency and kind (fixed/hourly)
    short_words: int = 12  # a description of fewer words is too short to judge
    similar: float = 0.7  # same text: word-trigram Jaccard similarity from here
    similar_min_words: int = 8  # descriptions shorter than this are not compared
    many_mentions: int = 3  # this many distinct @names is "many mentions"
    # who posts (read by `gig post`, not by the rules): limits of published gigs for posters not yet trusted...
    per_day: int = 3  # ...in the last 24 hours
    per_week: int = 10  # ...in the last 7 days
    trusted_after: int = 3  # published gigs that make a poster trusted (admins may also grant it: member.trusted)
    reports_to_hide: int = 3  # reports from distinct members that hide a gig until an admin decides

    def __post_init__(self) -> None:
        if not 0 < self.hold_at <= self.refuse_at:
            raise ValueError(f"screening needs 0 < hold_at <= refuse_at, not {self.hold_at} and {self.refuse_at}")
        object.__setattr__(self, "blocked_words", _folded(self.blocked_words))
        object.__setattr__(self, "allowed_words", _folded(self.allowed_words))
        object.__setattr__(self, "blocked_domains", _domains(self.blocked_domains))
        object.__setattr__(self, "allowed_domains", _domains(self.allowed_domains))
        object.__setattr__(self, "off", frozenset(self.off))
        object.__setattr__(self, "weights", dict(self.weights))

    @classmethod
    def of(cls, community_settings: Mapping[str, Any]) -> ScreeningSettings:
        """The settings stored under `screening` in a community's settings, over the defaults."""
        stored: Mapping[str, Any] = community_settings.get("screening") or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{name: _read(name, value) for name, value in stored.items() if name in known})

    def stored(self) -> dict[str, Any]:
        """The settings that differ from the defaults, as JSON for `community.settings["screening"]`."""
        default = ScreeningSettings()
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out[f.name] = sorted(value) if isinstance(value, frozenset) else \
                    dict(sorted(value.items())) if isinstance(value, Mapping) else value
        return out

    def weight(self, rule: str, default: int) -> int:
        """A rule's weight in this community."""
        return int(self.weights.get(rule, default))

    def allows_domain(self, host: str) -> bool:
        """Whether a link's host is on the community's allowlist (the domain itself or under it)."""
        return _under(host, self.allowed_domains)

    def blocks_domain(self, host: str) -> str | None:
        """The blocklisted domain a link's host is, or is under; None when it is not blocked."""
        return next((domain for domain in sorted(self.blocked_domains) if _under(host, {domain})), None)


def _under(host: str, domains: Iterable[str]) -> bool:
    host = host.lower().removeprefix("www.")
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _read(name: str, value: Any) -> Any:
    """A stored value as its field holds it (lists become sets)."""
    if name in ("off", "blocked_words", "allowed_words", "blocked_domains", "allowed_domains"):
        return frozenset(str(item) for item in value)
    if name == "weights":
        return {str(rule): int(weight) for rule, weight in dict(value).items()}
    if name in ("pay_ratio", "similar"):
        return float(value)
    return int(value)
