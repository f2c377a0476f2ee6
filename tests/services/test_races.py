"""Two presses at once, on separate sessions: one changes the state and tells people, the other hears it was done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import apply as apply_command
from bot.commands import pipeline, reminders, review
from bot.core.types import Reply
from bot.dispatch import dispatcher
from bot.services import expiry
from bot.store.models import ApplicationEvent, AuditEntry, Gig, Nudge, Route
from tests.conftest import Harness, as_text


def hold(monkeypatch: pytest.MonkeyPatch, barrier: asyncio.Barrier, module: Any, name: str,
         before: bool = False) -> None:
    """Make `name` wait at `barrier` after it read (or `before` it runs), so both invocations read before either
    writes: the worst interleaving, every time."""
    original: Callable[..., Awaitable[Any]] = getattr(module, name)

    async def held(*args: Any, **kwargs: Any) -> Any:
        if before:
            await asyncio.wait_for(barrier.wait(), timeout=10)
        found = await original(*args, **kwargs)
        if not before:
            await asyncio.wait_for(barrier.wait(), timeout=10)
        return found

    monkeypatch.setattr(module, name, held)


def both_read_first(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Two invocations both finish reading `name` before either goes on."""
    hold(monkeypatch, asyncio.Barrier(2), module, name)


async def twice(bot: Harness, who: str, line: str) -> list[Reply]:
    return list(await asyncio.gather(bot.run(who, line), bot.run(who, line)))


async def count(bot: Harness, query: Any) -> int:
    async with bot.app.sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def posted_with_applicants(bot: Harness, post_line: str) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("bob", "/gig apply 1")
    await bot.deliver()


async def test_two_closes_at_once_tell_everyone_once(bot: Harness, post_line: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    await posted_with_applicants(bot, post_line)
    both_read_first(monkeypatch, review, "get_gig")
    replies = await twice(bot, "poppy", "/gig close 1 filled_by=@alice")
    assert sorted(r.ok for r in replies) == [False, True]
    assert as_text(next(r for r in replies if not r.ok)) == "Gig #1 is already closed."
    dms = [m.destination for m in await bot.deliver() if m.kind == "dm"]
    assert sorted(dms) == ["alice", "bob"]
    assert await count(bot, select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "gig.close")) == 1
    hired = select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.to_status == "hired")
    assert await count(bot, hired) == 1


async def test_expiry_and_a_close_at_once_tell_everyone_once(bot: Harness, post_line: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line + " apply_by=2026-11-24")
    await bot.ok("alice", "/gig apply 1")
    await bot.deliver()
    bot.app.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    barrier = asyncio.Barrier(2)
    hold(monkeypatch, barrier, review, "get_gig")
    hold(monkeypatch, barrier, expiry, "close_gig", before=True)  # expiry has read the open gigs by then
    reply, (closed, _) = await asyncio.gather(bot.run("poppy", "/gig close 1"),
                                              expiry.close_expired(bot.app.sessions, bot.app.clock))
    assert (1 if reply.ok else 0) + closed == 1
    if not reply.ok:
        assert as_text(reply) == "Gig #1 is already closed."
    dms = [m.destination for m in await bot.deliver() if m.kind == "dm" and m.destination == "alice"]
    assert dms == ["alice"]


async def test_two_status_moves_at_once_write_one_history_row(bot: Harness, post_line: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    await posted_with_applicants(bot, post_line)
    both_read_first(monkeypatch, pipeline.applications, "find")
    replies = await twice(bot, "alice", "/gig status 1 interviewing")
    assert sorted(r.ok for r in replies) == [False, True]
    assert 'already at "interviewing"' in as_text(next(r for r in replies if not r.ok))
    moved = select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.to_status == "interviewing")
    assert await count(bot, moved) == 1


async def test_two_withdrawals_at_once_write_one_history_row(bot: Harness, post_line: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await posted_with_applicants(bot, post_line)
    both_read_first(monkeypatch, apply_command.applications, "find")
    replies = await twice(bot, "alice", "/gig withdraw 1")
    assert sorted(r.ok for r in replies) == [False, True]
    withdrawn = select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.to_status == "withdrawn")
    assert await count(bot, withdrawn) == 1


async def test_two_applications_at_once_answer_already_applied(bot: Harness, post_line: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    both_read_first(monkeypatch, apply_command, "get_gig")
    replies = await twice(bot, "alice", "/gig apply 1")
    assert sorted(r.ok for r in replies) == [False, True]
    assert as_text(next(r for r in replies if not r.ok)).startswith("You already applied to #1 on Nov 23, 2026")


async def test_two_members_applying_at_once_plan_one_poster_review(bot: Harness, post_line: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    both_read_first(monkeypatch, apply_command, "get_gig")
    replies = await asyncio.gather(bot.run("alice", "/gig apply 1"), bot.run("bob", "/gig apply 1"))
    assert [r.ok for r in replies] == [True, True]
    reviews = select(func.count()).select_from(Nudge).where(Nudge.gig_id == 1, Nudge.kind == "poster_review")
    assert await count(bot, reviews) == 1


async def test_two_snoozes_at_once_leave_one_reminder(bot: Harness, post_line: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    await posted_with_applicants(bot, post_line)
    both_read_first(monkeypatch, reminders.applications, "find")
    replies = await twice(bot, "alice", "/gig snooze 1")
    assert all(r.ok for r in replies)
    pending = select(func.count()).select_from(Nudge).where(Nudge.state == "pending", Nudge.kind == "follow_up",
                                                             Nudge.application_id.is_not(None))
    assert await count(bot, pending) == 2  # alice's snoozed follow-up and bob's own, not a second one of alice's


async def test_two_role_adds_at_once_audit_one_change(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.ok("poppy", "/gig mine")  # poppy is known, so neither press creates her
    both_read_first(monkeypatch, dispatcher.members, "member_by_user_id")
    replies = await twice(bot, "admin", "/gig role add @poppy poster")
    assert sorted("Nothing to change" in as_text(r) for r in replies) == [False, True]
    assert await count(bot, select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "role.poster")) == 1


async def test_two_route_removals_at_once_remove_once(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    route_id = await count(bot, select(func.max(Route.id)))
    barrier = asyncio.Barrier(2)
    get = AsyncSession.get

    async def get_then_wait(self: AsyncSession, entity: Any, *args: Any, **kwargs: Any) -> Any:
        found = await get(self, entity, *args, **kwargs)
        if entity is Route:
            await asyncio.wait_for(barrier.wait(), timeout=10)
        return found

    monkeypatch.setattr(AsyncSession, "get", get_then_wait)
    replies = await twice(bot, "admin", f"/gig route remove {route_id}")
    assert sorted(r.ok for r in replies) == [False, True]
    assert as_text(next(r for r in replies if not r.ok)).startswith(f"There is no route {route_id}.")
    removed = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "route.remove")
    assert await count(bot, removed) == 1


async def test_two_identical_posts_at_once_post_one_gig(bot: Harness, post_line: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    await bot.poster("poppy")
    both_read_first(monkeypatch, dispatcher, "bind")  # both are past their checks of who and what
    replies = await twice(bot, "poppy", post_line)
    assert sorted(r.ok for r in replies) == [False, True]
    assert "already posted as #1" in as_text(next(r for r in replies if not r.ok))
    assert await count(bot, select(func.count()).select_from(Gig)) == 1


async def test_two_identical_route_adds_at_once_add_one_route(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    both_read_first(monkeypatch, dispatcher, "bind")
    replies = await twice(bot, "admin", "/gig route add #php tags=php")
    assert sorted(r.ok for r in replies) == [False, True]
    assert await count(bot, select(func.count()).select_from(Route).where(Route.channel == "php")) == 1


async def test_two_applications_again_at_once_after_a_withdrawal_answer_already_applied(
        bot: Harness, post_line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    await posted_with_applicants(bot, post_line)
    await bot.ok("alice", "/gig withdraw 1")
    both_read_first(monkeypatch, apply_command, "get_gig")
    replies = await twice(bot, "alice", "/gig apply 1")
    assert sorted(r.ok for r in replies) == [False, True]
    assert as_text(next(r for r in replies if not r.ok)).startswith("You already applied to #1 on Nov 23, 2026 "
                                                                      "(status: applied)")
    again = select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.from_status == "withdrawn")
    assert await count(bot, again) == 1
