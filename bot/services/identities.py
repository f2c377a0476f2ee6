"""Linked identities: one person known on Slack and on Discord (`gig link`), and the one platform that gets their DMs.

A person is the member an identity links to (`Member.linked_to_id`); the person's own member is an identity too,
the first one, whose code was typed. Everything a person has (applications, gigs, nudges, settings) lives on the
person's member. Their DMs go to one identity only, never two: the platform they chose (`gig settings dm=`), else
the one they used last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import UserError
from bot.core.text import MemberRef, platform_name
from bot.services import link_codes, member_merge
from bot.services.members import person_of, seen
from bot.store.models import Application, Member

NEVER = datetime.min.replace(tzinfo=UTC)
SHARED_SETTINGS = ("locale", "timezone", "quiet_hours", "dm_platform")  # the person's win; blanks come from the other


class Reachable(Protocol):
    """What choosing a DM identity reads of a member (a Member, or a row of the nudge tick's query)."""

    @property
    def id(self) -> int: ...  # noqa: D102

    @property
    def platform(self) -> str: ...  # noqa: D102

    @property
    def dm_undeliverable(self) -> bool: ...  # noqa: D102

    @property
    def last_seen_at(self) -> datetime | None: ...  # noqa: D102


R = TypeVar("R", bound=Reachable)


def choose(person: R, linked: Sequence[R], dm_platform: str | None) -> R:
    """The identity that gets a person's DMs: on the chosen platform, else the one used last, else the person's own.

    Identities whose DMs are known to be closed are passed over while another one is open.
    """
    candidates = [person, *linked]
    open_ = [identity for identity in candidates if not identity.dm_undeliverable]
    if not open_:
        return person
    wanted = [identity for identity in open_ if identity.platform == dm_platform] if dm_platform else []
    return max(wanted or open_, key=lambda i: (i.last_seen_at or NEVER, i.id == person.id))


async def linked_to(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[Member]]:
    """The identities linked to each of these people (one query), by person id."""
    ids = sorted(set(person_ids))
    found: dict[int, list[Member]] = {person_id: [] for person_id in ids}
    if not ids:
        return found
    rows = await session.execute(select(Member).where(Member.linked_to_id.in_(ids)).order_by(Member.id))
    for identity in rows.scalars():
        found[identity.linked_to_id or 0].append(identity)
    return found


async def dm_identities(session: AsyncSession, people: Iterable[Member]) -> dict[int, Member]:
    """For each person, the identity their DMs go to, by person id; at most two queries for any number of people."""
    persons = {person.id: person for person in people}
    resolved = {key: await person_of(session, person) for key, person in persons.items() if person.linked_to_id}
    persons.update(resolved)
    linked = await linked_to(session, {person.id for person in persons.values()})
    return {key: choose(person, linked[person.id], person.dm_platform) for key, person in persons.items()}


async def dm_identity(session: AsyncSession, member: Member) -> Member:
    """The identity a member's DMs go to (see `choose`)."""
    return (await dm_identities(session, [member]))[member.id]


async def all_of(session: AsyncSession, person: Member) -> list[Member]:
    """The person's own member and every identity linked to it."""
    return [person, *(await linked_to(session, [person.id]))[person.id]]


def described(identity: Member) -> MemberRef:
    """An identity as a reference: a mention on its platform, `Ana (Discord)` elsewhere."""
    return MemberRef(identity.platform, identity.platform_user_id, identity.display_name)


async def applied_as(session: AsyncSession, applications: Sequence[Application]) -> dict[int, Member]:
    """The identity that made each application (falling back to its member), by application id; one query."""
    wanted = {a.applied_as_id for a in applications if a.applied_as_id and a.applied_as_id != a.member_id}
    found = {m.id: m for m in (await session.execute(select(Member).where(Member.id.in_(wanted)))).scalars()} \
        if wanted else {}
    return {a.id: found.get(a.applied_as_id or 0, a.member) for a in applications}


@dataclass(frozen=True)
class Linked:
    """What linking did: the person (whose code was typed) and the identity now linked to it."""

    person: Member
    identity: Member


async def link(session: AsyncSession, identity: Member, typed: str, now: datetime) -> Linked:
    """Link the acting identity with the person whose code it typed; refused, changing nothing, when it can't be."""
    code = await link_codes.use(session, link_codes.PERSON, typed, now)
    maker = await session.get(Member, code.member_id)
    if code.community_id != identity.community_id or maker is None:
        raise UserError("link.other_community", code=link_codes.shown(code.code))
    person = await person_of(session, maker)
    group = await all_of(session, person)
    if identity.id == maker.id:
        raise UserError("link.own_code", code=link_codes.shown(code.code))
    if identity in group:
        raise UserError("link.already", other=described(maker))
    same = next((other for other in group if other.platform == identity.platform), None)
    if same is not None:
        raise UserError("link.same_platform", platform=platform_name(identity.platform), other=described(same))
    if identity.linked_to_id is not None or (await linked_to(session, [identity.id]))[identity.id]:
        raise UserError("link.linked_elsewhere")
    identity.linked_to_id = person.id
    await member_merge.transfer(session, identity.id, person.id)
    for name in SHARED_SETTINGS:
        if getattr(person, name) is None and getattr(identity, name) is not None:
            setattr(person, name, getattr(identity, name))
    await session.flush()
    await seen(session, identity, person, now)  # the account that typed the code is the one used last
    return Linked(person, identity)


@dataclass(frozen=True)
class Unlinked:
    """What unlinking did: the person kept, and each identity split from it with the applications it took back."""

    person: Member
    split: tuple[tuple[Member, int], ...]


async def unlink(session: AsyncSession, identity: Member) -> Unlinked:
    """Split this identity from its person; typed by the person's own identity, split every identity from it."""
    if identity.linked_to_id is not None:
        person = await person_of(session, identity)
        parts = [identity]
    else:
        person = identity
        parts = (await linked_to(session, [identity.id]))[identity.id]
    if not parts:
        raise UserError("link.nothing_linked")
    split = tuple([(part, await member_merge.split(session, part)) for part in parts])
    left = {other.platform for other in await all_of(session, person)}
    if person.dm_platform is not None and person.dm_platform not in left:
        person.dm_platform = None  # its identity there has gone: DMs go where they used last
    return Unlinked(person, split)
