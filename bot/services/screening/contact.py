"""Rules about how the poster reaches people, and the community's own blocked words.

Contact moved to a messaging app, mass pings and many mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.services.screening.model import Finding
from bot.services.screening.rule import Context, Rule, rule
from bot.services.screening.text import pattern, phrase_pattern

W = r"[^.!?;\n]"
APP = r"(?:telegram|whatsapp|whats\s?app|signal|wechat|viber|kik|wickr|line\s+app|session\s+app|(?:google\s+)?hangouts)"
REACH = pattern(
    rf"\b(?:contact\w*|reach\s+(?:me|us|out)|(?:message|text|dm|ping|add|write(?:\s+to)?|send|call|ring|hit)"
    rf"\s+(?:me|us)(?:\s+up)?|talk\s+to\s+(?:me|us)|chat\s+with\s+(?:me|us)|apply|applications?|get\s+in\s+touch"
    rf"|dm\s+only|reply|respond|interview\w*)\b{W}{{0,25}}?\b(?:on|via|through|by|at|over|using|in)\s+"
    rf"(?:\w+\s+)?{APP}\b",
    rf"\b(?:contact\w*|ecri\w*|joind\w*|joign\w*|ajout\w*|envoy\w*|message|discut\w*|repond\w*|postul\w*"
    rf"|appel\w*|candidatures?|entretien\w*)\b{W}{{0,25}}?\b(?:sur|via|par|au|en)\s+(?:\w+\s+)?{APP}\b",
    rf"\b{APP}\s*(?:only|uniquement|seulement|(?:[:-]\s*)?(?:@[\w.]+|\(?\+?\d[\d\s().-]{{6,}}\d)|:"
    rf"|(?:number|numero|id|handle|username|pseudo)\b)",
    rf"\b(?:only|uniquement|seulement)\s+(?:on|via|par|sur)\s+{APP}\b",
    r"(?<![\w.])(?:t\.me|telegram\.me|wa\.me|chat\.whatsapp\.com|api\.whatsapp\.com|signal\.me)/",
)
BUILDING = pattern(  # the app is the product being built, not the way to reach the poster
    r"\b(?:bots?|notifications?|alerts?|api|webhooks?|integration|integrat\w*|mini\s*-?apps?|sdk|channel\s+admin"
    r"|users|customers|utilisateurs|clients)\b",
)
MESSAGING_LINK = re.compile(r"^https?://(?:www\.)?(?:t\.me|telegram\.me|wa\.me|chat\.whatsapp\.com|api\.whatsapp\.com"
                            r"|signal\.me)/", re.IGNORECASE)


@rule("off_platform", 45, "screening.off_platform")
def off_platform(self: Rule, context: Context) -> Iterator[Finding]:
    """Contact moved to Telegram, WhatsApp or a similar app (not a Telegram bot or app to build)."""
    found = context.scan.first(REACH, BUILDING, negatable=True)
    url = context.gig.apply_url or ""
    if not found and MESSAGING_LINK.match(url) and not context.settings.allows_domain(_host(url)):
        found = url
    if found:
        yield self.finding("screening.off_platform", found=found)


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0].lower()


MASS_PING = re.compile(r"(?<![\w`])@(?:everyone|here|channel)\b|<!(?:everyone|here|channel)(?:\|[^>]*)?>|<@&\d+>")
NAME_MENTION = re.compile(r"<@!?[UW]?[A-Z0-9]{6,}>|(?<![\w.@`])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,31})")


@rule("mentions", 40, "screening.mass_ping", "screening.many_mentions")
def mentions(self: Rule, context: Context) -> Iterator[Finding]:
    """Pings a whole channel or a role (@everyone, @here, <!channel>), or mentions many people by name."""
    raw = context.scan.raw
    if ping := MASS_PING.search(raw):
        yield self.finding("screening.mass_ping", found=ping.group())
    names = {match.group().lower() for match in NAME_MENTION.finditer(raw)
             if match.group(1) is None or match.group(1).lower() not in ("everyone", "here", "channel")}
    if len(names) >= context.settings.many_mentions:
        yield self.finding("screening.many_mentions", count=len(names))


@rule("blocked_word", 40, "screening.blocked_word")
def blocked_word(self: Rule, context: Context) -> Iterator[Finding]:
    """A word or phrase on the community's blocklist: a policy of this community ("no crypto gigs"), not a scam."""
    tags = " ".join(context.gig.tags).lower()
    for word in sorted(context.settings.blocked_words):
        phrase = phrase_pattern(word)
        if phrase.search(context.scan.text) or phrase.search(tags):
            yield self.finding("screening.blocked_word", word=word)
