"""`gig forget-me` and a Slack workspace that uninstalls the app: a person's personal data deleted, counts kept.

Each identity keeps its row (applications, statuses and audit entries still count in the community's statistics)
under an anonymous token in place of its platform user id and display name; its settings, DM channel, pitches,
link codes and reports' authorship go. Open and held gigs of the person are closed with the usual notices, their
pending nudges and DMs cancelled, and every outbox payload, audit entry, kept Slack request and kept Discord form
that names them is rewritten: member references point at the token, and their ids and names in text are replaced.
Names are replaced as whole words in text members typed (a name that is also a common word is replaced there too).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.delivery import OutboxState
from bot.core.states import NudgeState
from bot.services import audit, identities, nudges, review
from bot.services.closing import close_gig
from bot.services.gigs import CLOSED, HELD, OPEN
from bot.store.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    BrowseQuery,
    Community,
    Gig,
    GigReport,
    GigRevision,
    GigTag,
    LinkCode,
    Member,
    Nudge,
    OutboxMessage,
    Posting,
    Route,
    Workspace,
)
from bot.store.replicas import FormRefill, InboxRequest

TOKEN_PREFIX = "forgotten-"
OPEN_OUTBOX = (OutboxState.PENDING, OutboxState.SENDING)


def anonymous_token() -> str:
    """A stand-in for a platform user id and name: unique, and meaning nothing."""
    return TOKEN_PREFIX + secrets.token_hex(6)


@dataclass
class Scrub:
    """What to rewrite: each secret (user id, DM channel id, display name) and the token that replaces it."""

    ids: dict[str, str] = field(default_factory=dict)  # user ids and DM channel ids: replaced wherever they stand
    names: dict[str, str] = field(default_factory=dict)  # display names (folded): replaced as whole words
    _patterns: dict[bool, re.Pattern[str] | None] = field(default_factory=dict)

    def pattern(self, names: bool) -> re.Pattern[str] | None:
        """One regex for the ids (and the names), whole words only, names without case."""
        if names not in self._patterns:
            words = sorted({*self.ids, *(self.names if names else ())}, key=len, reverse=True)
            self._patterns[names] = re.compile(
                "(?<![\\w-])(" + "|".join(re.escape(w) for w in words) + ")(?![\\w-])",
                re.IGNORECASE) if words else None
        return self._patterns[names]

    def text(self, value: str, names: bool = True) -> str:
        """A string with every id (and name) replaced."""
        found = self.pattern(names)
        if found is None or not value:
            return value
        return found.sub(lambda m: self.ids.get(m.group(0)) or self.names.get(m.group(0).casefold())
                         or TOKEN_PREFIX, value)

    def json(self, value: Any, names: bool = True) -> Any:
        """A JSON value rewritten: member references (`{"m": [platform, id, name]}`) to the token, text scrubbed.

        With `names` False (outbox payloads), names are replaced only in text members typed (`{"u": ...}`):
        bot text holds none, and a name may be a word of the catalog's.
        """
        if isinstance(value, str):
            return self.text(value, names)
        if isinstance(value, list):
            return [self.json(item, names) for item in value]
        if isinstance(value, dict):
            ref = value.get("m")
            if len(value) == 1 and isinstance(ref, list) and len(ref) == 3 and ref[1] in self.ids:
                token = self.ids[ref[1]]
                return {"m": [ref[0], token, token]}
            if len(value) == 1 and isinstance(value.get("u"), str):
                return {"u": self.text(value["u"])}
            return {key: self.json(item, names) for key, item in value.items()}
        return value


@dataclass(frozen=True)
class Forgotten:
    """What forgetting did, for the reply."""

    identities: int = 0
    pitches: int = 0
    reports: int = 0
    codes: int = 0
    nudges: int = 0
    gigs: int = 0
    dropped: int = 0
    scrubbed: int = 0


async def forget(session: AsyncSession, community: Community, person: Member, clock: Clock) -> Forgotten:
    """Delete the personal data of a person and every identity linked to them, in the caller's transaction."""
    return await forget_identities(session, community, await identities.all_of(session, person), clock)


async def forget_identities(session: AsyncSession, community: Community, members: Sequence[Member], clock: Clock,
                            close: bool = True, whole: bool = True) -> Forgotten:
    """Delete the personal data of these identities (and of the rows they own); `close`: their open gigs too.

    Not `whole`: one identity of a person who stays on another platform; only its ids, name, DM channel, link
    codes and messages go, and the person keeps their applications, gigs, reminders and settings.
    """
    ids = [member.id for member in members]
    if not ids:
        return Forgotten()
    scrub = Scrub()
    tokens = {member.id: anonymous_token() for member in members}
    for member in members:
        scrub.ids[member.platform_user_id] = tokens[member.id]
        if member.dm_channel:
            scrub.ids[member.dm_channel] = tokens[member.id] + "-dm"
        if member.display_name and not member.display_name.startswith(TOKEN_PREFIX):
            scrub.names[member.display_name.casefold()] = tokens[member.id]
    now = clock.now()
    gigs, nudged, pitched, reported = 0, 0, 0, 0
    if whole:
        gigs = await _close_gigs(session, community, members, clock) if close else 0
        nudged = _count(await session.execute(
            update(Nudge).where(Nudge.member_id.in_(ids), Nudge.state.in_(nudges.UNSENT))
            .values(state=NudgeState.CANCELLED, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)))
        pitched = _count(await session.execute(
            update(Application).where(Application.member_id.in_(ids), Application.pitch != "").values(pitch="")
            .execution_options(synchronize_session=False)))
        reported = _count(await session.execute(
            update(GigReport).where(GigReport.member_id.in_(ids)).values(member_id=None)
            .execution_options(synchronize_session=False)))
    coded = await session.execute(delete(LinkCode).where(LinkCode.member_id.in_(ids))
                                  .execution_options(synchronize_session=False))
    await session.flush()
    dropped, scrubbed = await _scrub_outbox(session, community.id, ids, scrub)
    scrubbed += await _scrub_audit(session, community.id, scrub)
    await _scrub_kept_requests(session, {member.platform for member in members}, scrub)
    for member in members:
        _anonymise(member, tokens[member.id], settings=whole)
    audit.write(session, community.id, None, now, "member.forget", "", identities=len(members), gigs=gigs)
    return Forgotten(len(members), pitched, reported, _count(coded), nudged, gigs, dropped, scrubbed)


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _anonymise(member: Member, token: str, settings: bool = True) -> None:
    """The identity's row under the token (its settings back to nothing too); no DM will be sent to it."""
    member.platform_user_id = token
    member.display_name = token
    member.dm_channel = None
    member.platform_locale = member.last_seen_at = None
    member.dm_undeliverable = True
    if settings:
        member.locale = member.timezone = member.quiet_hours = member.dm_platform = None
        member.nudges_enabled = member.is_poster = member.trusted = False


async def _close_gigs(session: AsyncSession, community: Community, members: Sequence[Member], clock: Clock) -> int:
    """Close the identities' open gigs as their poster would (notices, postings) and their held ones."""
    found = (await session.execute(select(Gig).where(Gig.poster_id.in_([m.id for m in members]),
                                                     Gig.status.in_((OPEN, HELD))).order_by(Gig.id))).scalars().all()
    poster = {member.id: member for member in members}
    closed = 0
    for gig in found:
        if gig.status == OPEN:
            if await close_gig(session, community, gig, clock, poster[gig.poster_id]) is not None:
                closed += 1
            continue
        gig.status, gig.closed_at = CLOSED, clock.now()
        await session.flush()
        await review.show(session, community, gig, clock)  # the review cards lose their buttons
        closed += 1
    return closed


async def _scrub_outbox(session: AsyncSession, community_id: int, ids: list[int], scrub: Scrub) -> tuple[int, int]:
    """Drop what waits for them; rewrite every row that names them. Returns (dropped, rewritten)."""
    mine = or_(OutboxMessage.member_id.in_(ids),
               (OutboxMessage.kind == "dm") & OutboxMessage.destination.in_(list(scrub.ids)))
    dropped = await session.execute(update(OutboxMessage).where(
        OutboxMessage.community_id == community_id, mine, OutboxMessage.state.in_(OPEN_OUTBOX))
        .values(state=OutboxState.DROPPED, claimed_until=None, last_error="the member asked to be forgotten")
        .execution_options(synchronize_session=False))
    rewritten = 0
    rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.community_id == community_id)
                                  .execution_options(populate_existing=True))).scalars()
    for row in rows:
        payload = scrub.json(row.payload, names=False)
        destination = scrub.ids.get(row.destination, row.destination)
        error = scrub.text(row.last_error) if row.last_error else row.last_error
        if payload != row.payload or destination != row.destination or error != row.last_error:
            row.payload, row.destination, row.last_error = payload, destination, error
            rewritten += 1
    return _count(dropped), rewritten


async def _scrub_audit(session: AsyncSession, community_id: int, scrub: Scrub) -> int:
    """Rewrite the audit entries whose details or subject name them; their ids of rows stay."""
    rewritten = 0
    for entry in (await session.execute(select(AuditEntry).where(AuditEntry.community_id == community_id))).scalars():
        details, subject = scrub.json(entry.details), scrub.text(entry.subject)
        if details != entry.details or subject != entry.subject:
            entry.details, entry.subject = details, subject
            rewritten += 1
    return rewritten


async def _scrub_kept_requests(session: AsyncSession, platforms: Iterable[str], scrub: Scrub) -> None:
    """Slack requests kept in the inbox and Discord forms kept for refills that name them (not per community).

    A request is emptied rather than rewritten: the channel it came from may be their DM, an id nothing else tells.
    """
    for request in (await session.execute(select(InboxRequest).where(
            InboxRequest.platform.in_(list(platforms))))).scalars():
        if scrub.json(request.payload) != request.payload:  # theirs: its channel may be their DM, unknown to us
            request.payload = {"forgotten": True}
    for kept in (await session.execute(select(FormRefill))).scalars():
        if scrub.json(kept.form) != kept.form or scrub.json(kept.form_values) != kept.form_values:
            await session.delete(kept)


@dataclass(frozen=True)
class Removed:
    """What a workspace's uninstall did."""

    members: int
    dropped: int
    gigs_deleted: int


async def workspace_removed(sessions: async_sessionmaker[AsyncSession], clock: Clock, platform: str,
                            external_id: str) -> Removed | None:
    """The app was uninstalled from a workspace: forget its members, drop what waits, remove the place.

    A community left without any place loses its gigs too. None when the workspace is not known (any more): Slack
    retries events, and the second one finds nothing to do.
    """
    async with sessions() as session:
        workspace = (await session.execute(select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id))).scalar_one_or_none()
        if workspace is None:
            return None
        community = await session.get(Community, workspace.community_id)
        assert community is not None
        others = (await session.execute(select(Workspace).where(
            Workspace.community_id == community.id, Workspace.id != workspace.id))).scalars().all()
        alone_on_platform = not any(other.platform == platform for other in others)
        members = await _members_of(session, community.id, workspace, alone_on_platform, everyone=not others)
        forgotten = 0
        for group, whole in await _groups(session, members):
            forgotten += (await forget_identities(session, community, group, clock, close=bool(others),
                                                  whole=whole)).identities
        await session.flush()
        dropped = await _drop_waiting(session, community.id, workspace, members, alone_on_platform)
        routes = Route.workspace_id == workspace.id
        if alone_on_platform:
            routes = routes | (Route.workspace_id.is_(None) & (Route.platform == platform))
        await session.execute(delete(Route).where(Route.community_id == community.id, routes))
        await session.execute(delete(LinkCode).where(LinkCode.workspace_id == workspace.id))
        for model in (Member, Gig):
            await session.execute(update(model).where(model.workspace_id == workspace.id).values(workspace_id=None)
                                  .execution_options(synchronize_session=False))
        await session.delete(workspace)
        deleted = 0 if others else await delete_gigs(session, community.id)
        audit.write(session, community.id, None, clock.now(), "place.removed", "", platform=platform,
                    members=forgotten, gigs=deleted)
        await session.commit()
    return Removed(forgotten, dropped, deleted)


async def _members_of(session: AsyncSession, community_id: int, workspace: Workspace, alone_on_platform: bool,
                      everyone: bool) -> list[Member]:
    """The identities of a workspace: first seen there (or nowhere, when it is its platform's only place)."""
    query = select(Member).where(Member.community_id == community_id, ~Member.platform_user_id.startswith(
        TOKEN_PREFIX))
    if not everyone:
        seen_here = Member.workspace_id == workspace.id
        if alone_on_platform:
            seen_here = seen_here | (Member.workspace_id.is_(None) & (Member.platform == workspace.platform))
        query = query.where(seen_here)
    return list((await session.execute(query.order_by(Member.id))).scalars().all())


async def _groups(session: AsyncSession, members: Sequence[Member]) -> list[tuple[list[Member], bool]]:
    """The identities to forget together: a whole person when all their identities go, else the identity alone."""
    leaving = {member.id for member in members}
    done: set[int] = set()
    groups: list[tuple[list[Member], bool]] = []
    for member in members:
        if member.id in done:
            continue
        person = member if member.linked_to_id is None else await session.get(Member, member.linked_to_id) or member
        group = await identities.all_of(session, person)
        if all(identity.id in leaving for identity in group):
            groups.append((group, True))
            done.update(identity.id for identity in group)
        else:
            groups.append(([member], False))
            done.add(member.id)
    return groups


async def _drop_waiting(session: AsyncSession, community_id: int, workspace: Workspace, members: Sequence[Member],
                        alone_on_platform: bool) -> int:
    """Drop the rows waiting for the workspace: all of its platform's, or those to its channels and members."""
    query = update(OutboxMessage).where(OutboxMessage.community_id == community_id,
                                        OutboxMessage.platform == workspace.platform,
                                        OutboxMessage.state.in_(OPEN_OUTBOX))
    if not alone_on_platform:
        routes = (await session.execute(select(Route.channel).where(Route.workspace_id == workspace.id))).scalars()
        channels = {*routes, workspace.default_channel, workspace.review_channel} - {None}
        query = query.where(or_(OutboxMessage.destination.in_(list(channels)),
                                OutboxMessage.member_id.in_([member.id for member in members])))
    dropped = await session.execute(query.values(state=OutboxState.DROPPED, claimed_until=None,
                                                 last_error="the app was removed from the workspace")
                                    .execution_options(synchronize_session=False))
    return _count(dropped)


async def delete_gigs(session: AsyncSession, community_id: int) -> int:
    """Delete every gig of a community with its postings, applications, nudges, reports, revisions and messages."""
    gig_ids = list((await session.execute(select(Gig.id).where(Gig.community_id == community_id))).scalars())
    await session.execute(delete(OutboxMessage).where(OutboxMessage.community_id == community_id))
    await session.execute(delete(Nudge).where(Nudge.community_id == community_id))
    await session.execute(delete(BrowseQuery).where(BrowseQuery.community_id == community_id))
    if gig_ids:
        applications = select(Application.id).where(Application.gig_id.in_(gig_ids)).scalar_subquery()
        await session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(applications)))
        for model in (Application, GigReport, GigRevision, Posting, GigTag):
            await session.execute(delete(model).where(model.gig_id.in_(gig_ids)))
        await session.execute(delete(Gig).where(Gig.id.in_(gig_ids)).execution_options(synchronize_session=False))
    return len(gig_ids)

