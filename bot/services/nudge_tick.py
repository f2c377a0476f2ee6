"""The nudge tick: claim due nudges in batches and turn each into one outbox DM, exactly once.

A batch is claimed in one short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED, so two processes take different
rows; SQLite: a conditional UPDATE, its writers being serialised). The claim carries a lease: a process that dies
after claiming leaves rows that another takes over once the lease ends. The claimed rows are then sent in a
second transaction that marks them sent only where this worker still holds them and writes their outbox messages
beside that mark: a nudge becomes at most one outbox message, and a crash loses none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.core.clock import Clock, as_utc, local_date
from bot.core.i18n import Translator
from bot.core.states import ApplicationStatus, NudgeState
from bot.services import identities, outbox
from bot.services.gigs import HELD, OPEN
from bot.services.nudge_messages import NudgeFacts, nudge_message
from bot.services.nudge_rules import MOVED_ON, Stop, follow_ons, rule_for
from bot.services.policy import NudgePolicy, quiet_hours_for, timezone_for
from bot.services.timing import outside_quiet_hours
from bot.store.models import Application, ApplicationEvent, Community, Gig, Member, Nudge, OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
HELD_RECHECK = timedelta(hours=1)  # a gig held again for review (an edit): its nudges wait for the decision
BATCH = 500
YIELD_EVERY = 50  # rows decided between two yields: about 10 ms of CPU (bench/README.md, loop steps)
CLAIMED, PENDING = NudgeState.CLAIMED, NudgeState.PENDING
Poster = aliased(Member)
NUDGE_TABLE = cast(Table, Nudge.__table__)
OUTBOX_TABLE = cast(Table, OutboxMessage.__table__)


@dataclass
class TickResult:
    """What one run did."""

    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    skipped: int = 0

    def add(self, other: TickResult) -> None:
        """Count another batch in."""
        self.claimed += other.claimed
        self.sent += other.sent
        self.deferred += other.deferred
        self.skipped += other.skipped


@dataclass
class Batch:
    """What processing a claimed batch decided, written in one transaction."""

    send: dict[int, dict[str, Any]] = field(default_factory=dict)  # nudge id -> outbox row
    follow_ons: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # nudge id -> nudges it plans
    # nudge id -> (application, the status it must still have, the status it moves to)
    marks: dict[int, tuple[int, str, ApplicationStatus]] = field(default_factory=dict)
    defer: list[dict[str, Any]] = field(default_factory=list)
    skip: list[int] = field(default_factory=list)


async def claim(session: AsyncSession, now: datetime, worker: str, batch: int = BATCH,
                lease: timedelta = LEASE) -> list[int]:
    """Claim up to `batch` nudges for this worker, those whose lease ran out first; commit it yourself.

    Two statements, each a walk of the (state, due_at) index, rather than one OR that would scan the table. The
    rows are picked in a CTE, which PostgreSQL runs once: a `WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP
    LOCKED)` subquery may be run again inside the plan, and each run skips to other rows.
    """
    postgres = (await session.connection()).dialect.name == "postgresql"
    claimed: list[int] = []
    for due in (and_(Nudge.state == CLAIMED, Nudge.claimed_until < now),
                and_(Nudge.state == PENDING, Nudge.due_at <= now)):
        pick = select(Nudge.id).where(due).order_by(Nudge.due_at, Nudge.id).limit(batch - len(claimed))
        if postgres:
            pick = pick.with_for_update(skip_locked=True)
        picked = pick.cte("picked")
        result = await session.execute(
            update(Nudge).where(Nudge.id == picked.c.id)
            .values(state=CLAIMED, claimed_by=worker, claimed_until=now + lease, attempts=Nudge.attempts + 1)
            .returning(Nudge.id),
            execution_options={"synchronize_session": False},
        )
        claimed += result.scalars()
        if len(claimed) >= batch:
            break
    return claimed


async def next_due(session: AsyncSession) -> datetime | None:
    """When the tick next has work: the earliest pending nudge, or the earliest lease to run out."""
    pending = (await session.execute(select(func.min(Nudge.due_at)).where(Nudge.state == PENDING))).scalar()
    leased = (await session.execute(select(func.min(Nudge.claimed_until)).where(Nudge.state == CLAIMED))).scalar()
    times = [t for t in (pending, leased) if t is not None]
    return as_utc(min(times)) if times else None


async def send_claimed(session: AsyncSession, ids: list[int], now: datetime, worker: str) -> TickResult:
    """Turn claimed nudges into outbox DMs, defer those in quiet hours, skip the ones no longer wanted."""
    rows = (await session.execute(
        select(Nudge.id, Nudge.kind, Nudge.community_id, Nudge.member_id, Nudge.application_id,
               Member.platform, Member.platform_user_id, Member.locale, Member.platform_locale, Member.timezone,
               Member.quiet_hours, Member.nudges_enabled, Member.dm_undeliverable, Member.dm_platform,
               Member.last_seen_at,
               Application.status, Application.reminders, Application.updated_at,
               Gig.id.label("gig"), Gig.title, Gig.status.label("gig_status"), Gig.apply_by,
               Poster.display_name.label("poster"))
        .join(Member, Member.id == Nudge.member_id)
        .outerjoin(Application, Application.id == Nudge.application_id)
        .outerjoin(Gig, Gig.id == func.coalesce(Nudge.gig_id, Application.gig_id))
        .outerjoin(Poster, Poster.id == Gig.poster_id)
        .where(Nudge.id.in_(ids), Nudge.state == CLAIMED, Nudge.claimed_by == worker)
    )).all()
    communities = await _communities(session, {row.community_id for row in rows})
    reviews = await _review_facts(session, [row.gig for row in rows
                                            if Stop.APPLICANT_MOVED_ON in rule_for(row.kind).stops])
    targets = await _dm_targets(session, rows)
    batch = Batch()
    for done, row in enumerate(rows):
        if done and done % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # let the bot answer between slices of a big batch
        _decide(row, targets.get(row.member_id), communities[row.community_id], reviews, now, batch)
    return await _write(session, batch, now, worker, len(rows))


@dataclass(frozen=True)
class Target:
    """An identity a nudge may go to (see identities.choose)."""

    id: int
    platform: str
    platform_user_id: str
    dm_undeliverable: bool
    last_seen_at: datetime | None


async def _dm_targets(session: AsyncSession, rows: Sequence[Any]) -> dict[int, Target]:
    """For members of these rows who linked other identities, the one their DM goes to; one query per batch."""
    if not rows:
        return {}
    found = await session.execute(
        select(Member.id, Member.linked_to_id, Member.platform, Member.platform_user_id, Member.dm_undeliverable,
               Member.last_seen_at).where(Member.linked_to_id.in_({row.member_id for row in rows})))
    linked: dict[int, list[Target]] = {}
    for identity in found:
        linked.setdefault(identity.linked_to_id, []).append(Target(
            identity.id, identity.platform, identity.platform_user_id, identity.dm_undeliverable,
            identity.last_seen_at))
    targets: dict[int, Target] = {}
    for row in rows:
        if row.member_id in linked and row.member_id not in targets:
            own = Target(row.member_id, row.platform, row.platform_user_id, row.dm_undeliverable, row.last_seen_at)
            targets[row.member_id] = identities.choose(own, linked[row.member_id], row.dm_platform)
    return targets


def _decide(row: Any, target: Target | None, community: Community, reviews: dict[int, tuple[int, bool, datetime]],
            now: datetime, batch: Batch) -> None:
    """What to do with one claimed nudge; `target` is the identity it goes to when the member linked others."""
    if target is None:
        target = Target(row.member_id, row.platform, row.platform_user_id, row.dm_undeliverable, None)
    rule = rule_for(row.kind)
    stops = rule.stops
    if Stop.GIG_CLOSED in stops and row.gig_status == HELD and not ended(row.apply_by, community, now):
        batch.defer.append({"b_id": row.id, "b_due": now + HELD_RECHECK})  # approved: sent; rejected: skipped
        return
    if ((Stop.MEMBER_UNREACHABLE in stops and (not row.nudges_enabled or target.dm_undeliverable))
            or (Stop.GIG_CLOSED in stops and (row.gig_status != OPEN or ended(row.apply_by, community, now)))
            or (Stop.REMINDERS_OFF in stops and not row.reminders)
            or (Stop.STATUS_LEFT in stops and row.status not in rule.sent_at)):
        batch.skip.append(row.id)
        return
    applicants, days = 0, 0
    if Stop.APPLICANT_MOVED_ON in stops:
        applicants, moved_on, first = reviews.get(row.gig, (0, True, now))
        if moved_on or applicants == 0:
            batch.skip.append(row.id)
            return
        days = (now - first).days
    elif rule.about_application:
        days = (now - row.updated_at).days
    quiet = quiet_hours_for(row.quiet_hours, community.settings)
    allowed = outside_quiet_hours(now, quiet, timezone_for(row.timezone, community.timezone))
    if allowed > now:
        batch.defer.append({"b_id": row.id, "b_due": allowed})
        return
    policy = NudgePolicy.of(community)
    t = Translator(row.locale or row.platform_locale or community.default_locale)
    facts = NudgeFacts(rule.kind, row.gig, row.title, row.poster, row.status or "", days,
                       wait_days=policy.no_response.days, applicants=applicants)
    batch.send[row.id] = outbox.outbox_row(row.community_id, target.platform, outbox.DM, target.platform_user_id,
                                           nudge_message(facts, t), now, member_id=target.id)
    planned = [{
        "community_id": row.community_id, "member_id": row.member_id, "application_id": row.application_id,
        "gig_id": None if follow_on.about_application else row.gig, "kind": follow_on.kind,
        "due_at": now + follow_on.due_after(policy), "state": PENDING, "attempts": 0, "created_at": now,
    } for follow_on in follow_ons(rule.kind)]
    if planned:
        batch.follow_ons[row.id] = planned
    if rule.marks is not None:
        batch.marks[row.id] = (row.application_id, row.status, rule.marks)


def ended(apply_by: date | None, community: Community, now: datetime) -> bool:
    """Whether the gig's apply-by date has passed, though the expiry job may not have closed it yet."""
    return apply_by is not None and apply_by < local_date(now, community.timezone)


async def _write(session: AsyncSession, batch: Batch, now: datetime, worker: str, claimed: int) -> TickResult:
    held = and_(Nudge.state == CLAIMED, Nudge.claimed_by == worker)
    confirmed: set[int] = set()
    if batch.send:
        result = await session.execute(
            update(Nudge).where(Nudge.id.in_(list(batch.send)), held).values(state=NudgeState.SENT, sent_at=now,
                                                                             claimed_until=None)
            .returning(Nudge.id), execution_options={"synchronize_session": False})
        confirmed = set(result.scalars())
        rows = [batch.send[i] for i in sorted(confirmed)]
        if rows:
            await session.execute(insert(OUTBOX_TABLE), rows)
        follow_ons = [row for i in sorted(confirmed & set(batch.follow_ons)) for row in batch.follow_ons[i]]
        if follow_ons:
            await session.execute(insert(NUDGE_TABLE), follow_ons)
        await _mark(session, [batch.marks[i] for i in sorted(confirmed & set(batch.marks))], now)
    if batch.defer:
        table = NUDGE_TABLE
        await session.execute(
            update(table).where(table.c.id == bindparam("b_id"), table.c.state == CLAIMED,
                                table.c.claimed_by == worker)
            .values(state=PENDING, due_at=bindparam("b_due"), claimed_by=None, claimed_until=None),
            batch.defer)
    if batch.skip:
        await session.execute(update(Nudge).where(Nudge.id.in_(batch.skip), held).values(state=NudgeState.SKIPPED),
                              execution_options={"synchronize_session": False})
    return TickResult(claimed, len(confirmed), len(batch.defer), len(batch.skip))


async def _mark(session: AsyncSession, targets: list[tuple[int, str, ApplicationStatus]], now: datetime) -> None:
    """Move each application to the status its sent nudge marks, if it still has the status the nudge saw."""
    for application_id, status, target in targets:
        changed = await session.execute(
            update(Application).where(Application.id == application_id, Application.status == status)
            .values(status=target, updated_at=now), execution_options={"synchronize_session": False})
        if changed.rowcount:  # type: ignore[attr-defined]
            session.add(ApplicationEvent(application_id=application_id, from_status=status, to_status=target,
                                         actor_id=None, at=now))


async def _communities(session: AsyncSession, ids: set[int]) -> dict[int, Community]:
    if not ids:
        return {}
    found = (await session.execute(select(Community).where(Community.id.in_(ids)))).scalars()
    return {community.id: community for community in found}


async def _review_facts(session: AsyncSession, gig_ids: list[int]) -> dict[int, tuple[int, bool, datetime]]:
    """Per gig: applicants (not withdrawn), whether any moved past applied, and the first application's time."""
    if not gig_ids:
        return {}
    rows = await session.execute(
        select(Application.gig_id,
               func.count().filter(Application.status != ApplicationStatus.WITHDRAWN),
               func.count().filter(Application.status.in_(MOVED_ON)),
               func.min(Application.created_at))
        .where(Application.gig_id.in_(gig_ids)).group_by(Application.gig_id))
    return {gig: (count, moved > 0, as_utc(first)) for gig, count, moved, first in rows}


async def run_due(sessions: async_sessionmaker[AsyncSession], clock: Clock, worker: str, batch: int = BATCH,
                  lease: timedelta = LEASE, on_batch: Callable[[TickResult], None] | None = None,
                  pipelines: int = 1, stop: asyncio.Event | None = None) -> TickResult:
    """Send every nudge due now, a batch at a time, in `pipelines` concurrent loops, until `stop` is set.

    One suits SQLite, whose writers queue anyway; two on PostgreSQL overlap one batch's database round trips with
    another's Python work.
    """
    total = TickResult()
    for result in await asyncio.gather(*(_pipeline(sessions, clock, worker, batch, lease, on_batch, stop)
                                         for _ in range(pipelines))):
        total.add(result)
    return total


async def _pipeline(sessions: async_sessionmaker[AsyncSession], clock: Clock, worker: str, batch: int,
                    lease: timedelta, on_batch: Callable[[TickResult], None] | None,
                    stop: asyncio.Event | None) -> TickResult:
    total = TickResult()
    while stop is None or not stop.is_set():
        async with sessions() as session:
            now = clock.now()
            ids = await claim(session, now, worker, batch, lease)
            await session.commit()
        if not ids:
            return total
        async with sessions() as session:
            result = await send_claimed(session, ids, now, worker)
            await session.commit()
        total.add(result)
        if on_batch is not None:
            on_batch(result)
        await asyncio.sleep(0)
    return total
