"""The review queue's plumbing: holding a gig, and its card in every review channel of the community, kept current.

Each place (Slack workspace, Discord server) may name a review channel (`workspace.review_channel`). A gig's card
there is a posting of kind `review`, so it is delivered and edited through the outbox like any copy of a gig.
`show` posts the card where it is not yet, or as a fresh message when something new needs an admin's eye (a hold, a
report after a decision); otherwise it edits the card in place, so every review channel shows the current state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.buttons import button_id
from bot.core.clock import Clock, as_utc
from bot.core.i18n import Translator
from bot.core.types import Button, Card, Field, Message, Rich, Text, UserText
from bot.services import outbox, verdicts
from bot.services.cards import where
from bot.services.gigs import HELD, OPEN, REJECTED, budget_of
from bot.services.identities import described
from bot.services.postings import REVIEW
from bot.store.models import Community, Gig, GigReport, Member, OutboxMessage, Posting, Route, Workspace

DESCRIPTION_SHOWN = 1500  # admins judge the text: a card shows this much of it (a Slack section holds 3,000)
REASON_SHOWN = 300  # of each report's reason


def waiting(gig: Gig) -> bool:
    """Whether the gig waits for an admin's decision: held before publishing, or hidden after reports."""
    return gig.status == HELD or (gig.status == OPEN and gig.hidden_at is not None)


async def review_channels(session: AsyncSession, community: Community) -> list[tuple[str, str]]:
    """(platform, channel) of every review channel of the community's places, once each."""
    rows = await session.execute(select(Workspace.platform, Workspace.review_channel).where(
        Workspace.community_id == community.id, Workspace.review_channel.is_not(None)).order_by(Workspace.id))
    return list(dict.fromkeys((platform, channel) for platform, channel in rows.all() if channel))


async def job_channels(session: AsyncSession, place: Workspace) -> set[str]:
    """The channels of a place that repost gigs to members: its default channel and its routes' channels."""
    rows = await session.execute(select(Route.channel).where(
        Route.community_id == place.community_id, Route.platform == place.platform,
        or_(Route.workspace_id == place.id, Route.workspace_id.is_(None))))
    return {channel for channel in rows.scalars()} | ({place.default_channel} if place.default_channel else set())


async def is_review_channel(session: AsyncSession, community: Community, place: Workspace | None, platform: str,
                            channel: str) -> bool:
    """Whether a channel is the review channel of this place (with no place: of any place on that platform)."""
    query = select(Workspace.id).where(Workspace.community_id == community.id, Workspace.platform == platform,
                                       Workspace.review_channel == channel)
    found = await session.execute(query.where(Workspace.id == place.id) if place is not None else query)
    return found.first() is not None  # read, not the loaded row: the caller's lock makes it current


def reasons(stored: Mapping[str, Any] | None, t: Translator) -> list[Text]:
    """Why screening held a gig: each rule's reason as observed, then the holds about who posted."""
    lines: list[Text] = [t(finding.reason_key, **finding.params) for finding in verdicts.deciding(stored)]
    return lines + [hold_reason(hold, t) for hold in (stored or {}).get("holds", [])]


def short_reasons(stored: Mapping[str, Any] | None, t: Translator) -> list[str]:
    """The same in a few words each: the rules' names, then the holds about who posted."""
    rules = dict.fromkeys(finding.rule for finding in verdicts.deciding(stored))
    names = [t.label(f"screening.rule.{rule}") if t.has(f"screening.rule.{rule}") else rule for rule in rules]
    return names + [str(hold_reason(hold, t)) for hold in (stored or {}).get("holds", [])]


def hold_reason(hold: Any, t: Translator) -> Text:
    """A hold about who posted: a catalog key, or {"key": ..., "params": {...}} when its message counts something."""
    key, params = (hold.get("key", ""), hold.get("params", {})) if isinstance(hold, dict) else (str(hold), {})
    return t(key, **params) if t.has(key) else Rich.of(UserText(key))


def local_time(when: datetime, community: Community | None) -> datetime:
    """A stored time in the community's timezone, for the card's "Approved at"."""
    return as_utc(when).astimezone(ZoneInfo(community.timezone if community and community.timezone else "UTC"))


def review_card(gig: Gig, t: Translator, reviewer: Member | None = None,
                reports: Sequence[tuple[GigReport, Member | None]] = (), community: Community | None = None) -> Card:
    """A gig as admins review it: its text, why it waits, its reports, and Approve / Reject while it waits."""
    text = gig.description
    if len(text) > DESCRIPTION_SHOWN:
        text = text[:DESCRIPTION_SHOWN].rstrip() + "…"
    fields = [Field(t("gig.field_budget"), Rich.of(UserText(budget_of(gig).display(t.locale))))]
    if gig.tag_names:
        fields.append(Field(t("gig.field_tags"), Rich.of(UserText(", ".join(gig.tag_names)))))
    fields.append(Field(t("gig.field_where"), where(gig, t)))
    if gig.apply_url:
        fields.append(Field(t("gig.field_apply_url"), Rich.of(UserText(gig.apply_url))))
    fields.append(Field(t("gig.field_poster"), Rich.of(described(gig.poster))))
    why = reasons(gig.screening, t)
    if why:
        fields.append(Field(t("queue.field_reasons"), Rich.join("\n", [Rich.of("• ", line) for line in why])))
    if reports:
        lines: list[Text] = []
        for report, reporter in reports:
            name = Rich.of(described(reporter)) if reporter is not None else t("queue.reporter_gone")
            said = report.reason.strip()
            if len(said) > REASON_SHOWN:
                said = said[:REASON_SHOWN].rstrip() + "…"
            lines.append(t("queue.report_line", name=name, reason=said) if said
                         else t("queue.report_line_bare", name=name))
        fields.append(Field(t("queue.field_reports", count=len(reports)), Rich.join("\n", lines)))
    buttons: tuple[Button, ...] = ()
    if waiting(gig):
        buttons = (Button(t.label("queue.button_approve"), button_id("approve", gig.id), "primary"),
                   Button(t.label("queue.button_reject"), button_id("reject", gig.id), "danger"))
    return Card(t("queue.card_title", id=gig.id, title=gig.title), Rich.of(UserText(text)) if text else "",
                tuple(fields), buttons, state(gig, t, reviewer, community), ref=f"#{gig.id}")


def state(gig: Gig, t: Translator, reviewer: Member | None, community: Community | None = None) -> Text:
    """Where the gig stands: waiting (and why), or who decided and when."""
    if gig.status == HELD:
        return t("queue.state_held")
    if gig.status == OPEN and gig.hidden_at is not None:
        return t("queue.state_hidden")
    name = Rich.of(described(reviewer)) if reviewer is not None else t("queue.reporter_gone")
    if gig.status == REJECTED:
        return t("queue.state_rejected", name=name, reason=gig.review_note or "")
    if gig.reviewed_at is not None:
        when = local_time(gig.reviewed_at, community)
        return t("queue.state_approved", name=name, when=when)
    return t("queue.state_live" if gig.status == OPEN else "queue.state_closed")


async def reports_of(session: AsyncSession, gig: Gig) -> list[tuple[GigReport, Member | None]]:
    """The gig's reports, oldest first, each with its reporter (None once forgotten)."""
    rows = await session.execute(select(GigReport, Member).outerjoin(Member, Member.id == GigReport.member_id)
                                 .where(GigReport.gig_id == gig.id).order_by(GigReport.id))
    return [(report, member) for report, member in rows.all()]


async def card_of(session: AsyncSession, community: Community, gig: Gig, t: Translator) -> Card:
    """The review card of a gig as it stands now, its reviewer and reports read."""
    reviewer = await session.get(Member, gig.reviewed_by_id) if gig.reviewed_by_id else None
    return review_card(gig, t, reviewer, await reports_of(session, gig), community)


async def show(session: AsyncSession, community: Community, gig: Gig, clock: Clock, fresh: bool = False) -> int:
    """Bring the gig's card up to date in every review channel: post it, or post it again when `fresh`, else edit it.

    Returns how many review channels were reached.
    """
    t = Translator(community.default_locale)
    card = await card_of(session, community, gig, t)
    moved = Card(card.title, footer=t("queue.card_moved"), ref=card.ref)
    existing = {(p.platform, p.channel): p for p in await review_postings(session, gig)}
    channels = await review_channels(session, community)
    for platform, channel in channels:
        posting = existing.get((platform, channel))
        if posting is None:
            posting = Posting(gig_id=gig.id, platform=platform, channel=channel, created_at=clock.now(), kind=REVIEW)
            session.add(posting)
            await session.flush()
        sent = posting.message_ref is not None or await _queued(session, posting)
        if fresh or not sent:
            if sent:  # the earlier card steps aside, without buttons, so only the newest one decides
                outbox.enqueue(session, community.id, platform, outbox.EDIT, channel,
                               Message(cards=(moved,), edits=posting.id), clock)
            outbox.enqueue(session, community.id, platform, outbox.POST, channel, Message(cards=(card,)), clock,
                           posting_id=posting.id)
        else:
            outbox.enqueue(session, community.id, platform, outbox.EDIT, channel,
                           Message(cards=(card,), edits=posting.id), clock)
    return len(channels)


async def review_postings(session: AsyncSession, gig: Gig) -> Sequence[Posting]:
    """The gig's cards in review channels."""
    return (await session.execute(select(Posting).where(Posting.gig_id == gig.id, Posting.kind == REVIEW)
                                  .order_by(Posting.id))).scalars().all()


async def _queued(session: AsyncSession, posting: Posting) -> bool:
    """Whether a post of this posting already waits in the outbox (an edit then follows it)."""
    found = await session.execute(select(OutboxMessage.id).where(
        OutboxMessage.posting_id == posting.id, OutboxMessage.kind == outbox.POST).limit(1))
    return found.first() is not None


async def hold(session: AsyncSession, community: Community, gig: Gig, verdict: dict[str, Any], clock: Clock) -> int:
    """Hold a gig for review with its stored verdict, and show it in the review channels; return how many."""
    gig.status, gig.screening = HELD, verdict
    return await show(session, community, gig, clock, fresh=True)
