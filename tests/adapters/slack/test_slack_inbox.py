"""The durable inbox: a request acknowledged by a process that then dies is run by another, once, and late."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from bot.services import inbox
from bot.store.replicas import InboxRequest
from tests.adapters.slack.conftest import SlackClient, SlackRig, action_ids, payload, texts


def dies_after_each_ack(adapter: SlackAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process acknowledges, then is killed before its worker runs anything."""

    def killed(work: Awaitable[None]) -> None:
        work.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(adapter.work, "later", killed)


def replica(slack: SlackRig) -> SlackAdapter:
    """A second process on the same database and Slack workspace."""
    return SlackAdapter(slack.core, slack.core.settings.model_copy(update={"slack_api_url": f"{slack.fake.url}/api/"}))


async def rows(slack: SlackRig, *where: object) -> int:
    async with slack.core.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(InboxRequest).where(*where)))
                   .scalar_one())


async def test_a_command_acknowledged_by_a_process_that_died_is_answered_by_another(
        slack: SlackRig, monkeypatch: pytest.MonkeyPatch) -> None:
    dies_after_each_ack(slack.adapter, monkeypatch)
    status, body = await slack.post(slack.command_body("U1", "help"), "application/x-www-form-urlencoded")
    assert (status, body) == (200, "")
    assert await rows(slack, InboxRequest.done_at.is_(None)) == 1
    other = replica(slack)
    assert await other.sweep() == 0  # the receiver's lease still runs: it may be a live process, only slow
    slack.core.clock.advance(inbox.LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert await other.sweep() == 1
    assert await replica(slack).sweep() == 0  # a third replica leaves it to the one running it
    answer = await slack.fake.next("response_url")
    assert "What you can run" in texts(answer)
    await other.work.join()
    assert await other.sweep() == 0 and await replica(slack).sweep() == 0  # done: nobody runs it again
    assert len(slack.fake.made("response_url")) == 1
    assert await rows(slack, InboxRequest.done_at.is_not(None)) == 1


async def test_a_late_answer_that_wants_a_form_offers_a_button_that_opens_it(
        slack: SlackRig, monkeypatch: pytest.MonkeyPatch) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.settle()  # done: marked so after its answer
    with monkeypatch.context() as patched:
        dies_after_each_ack(slack.adapter, patched)
        await slack.post(slack.command_body("UADMIN", "post"), "application/x-www-form-urlencoded")
    slack.core.clock.advance(inbox.LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    other = replica(slack)
    assert await other.sweep() == 1
    late = await slack.fake.next("response_url")
    assert "the form could not open by itself" in texts(late)
    [reopen] = action_ids(late)
    assert reopen.startswith("gig:reopen:") and slack.fake.made("views.open") == []
    status, _ = await slack.press("UADMIN", reopen)
    assert status == 200
    opened = await slack.fake.next("views.open")
    assert opened.args["view"]["callback_id"] == "gig:form:post"
    assert opened.args["trigger_id"] == payload("block_actions_message")["trigger_id"]  # the press's own, fresh one
    assert opened.args["trigger_id"] != payload("slash_command")["trigger_id"]


async def test_done_requests_are_pruned_after_a_day(slack: SlackRig) -> None:
    await slack.command("U1", "help")
    await slack.settle()
    assert await rows(slack, InboxRequest.done_at.is_not(None)) == 1
    await slack.adapter.sweep()
    assert await rows(slack) == 1
    slack.core.clock.advance(inbox.KEEP_DONE + timedelta(minutes=1))  # type: ignore[attr-defined]
    await slack.adapter.sweep()
    assert await rows(slack) == 0


async def test_a_retry_that_reaches_another_replica_is_dropped_there(slack: SlackRig) -> None:
    other = replica(slack)
    runner = web.AppRunner(other.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        body = payload("app_home_opened")
        assert (await slack.event(body))[0] == 200
        retried = SlackClient(slack.fake, f"http://127.0.0.1:{port}{EVENTS_PATH}")
        assert (await retried.event(body, headers={"X-Slack-Retry-Num": "1"}))[0] == 200
        command = slack.command_body("U1", "help")
        assert (await slack.post(command, "application/x-www-form-urlencoded"))[0] == 200
        assert (await retried.post(command, "application/x-www-form-urlencoded",
                                   headers={"X-Slack-Retry-Num": "1"}))[0] == 200
        await slack.settle()
        await other.work.join()
        assert len(slack.fake.made("views.publish")) == 1 and len(slack.fake.made("response_url")) == 1
        assert await rows(slack) == 1  # the retry was not even written to the inbox
    finally:
        await runner.cleanup()
