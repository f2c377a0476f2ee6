"""`gigbot run` with Slack and Discord configured at once, as a real process against both local fakes."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import build_app
from bot.config import Settings
from bot.core.clock import FrozenClock, SystemClock
from bot.core.states import NudgeKind
from bot.store.models import Member, Nudge, OutboxMessage
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID, CAROL_ID, GIGS_ID, GUILD_ID, TOKEN, FakeDiscord
from tests.adapters.discord.test_discord_adapter import content
from tests.adapters.process import Gigbot
from tests.adapters.slack.conftest import SECRET, SlackClient, texts
from tests.adapters.slack.fake_slack import Call, FakeSlack
from tests.adapters.slack.test_slack_running import free_port

SLACK_ADMIN, SLACK_MEMBER = "U0ADMIN", "U0ANA"
SLACK_GIGS = "C0GIGS"
CODE = re.compile(r"\b([A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4})\b")


def code_in(answer: str) -> str:
    """The link code an answer shows."""
    found = CODE.search(answer)
    assert found is not None, answer
    return found.group(1)


async def until(what: str, found: Callable[[], object], timeout: float = 30) -> object:
    """Wait (at most `timeout` s) until found() gives something; return it."""
    for _ in range(int(timeout / 0.02)):
        value = found()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"never saw {what}")


class TwoPlatforms:
    """Both fakes and the process; commands typed on either platform, answers read from the fakes."""

    def __init__(self, slack_fake: FakeSlack, discord_fake: FakeDiscord, port: int, database: Path) -> None:
        self.slack_fake = slack_fake
        self.discord_fake = discord_fake
        self.database = database
        self.slack = SlackClient(slack_fake, f"http://127.0.0.1:{port}/slack/events")
        self.port = port
        self.process: Gigbot | None = None

    def settings(self) -> dict[str, str]:
        """Slack over HTTP and Discord over its gateway, one SQLite file, in one process."""
        return {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
            "GIGBOT_SLACK_API_URL": f"{self.slack_fake.url}/api", "GIGBOT_HTTP_PORT": str(self.port),
            "DISCORD_TOKEN": TOKEN, "GIGBOT_DISCORD_API_URL": self.discord_fake.api_url,
            "GIGBOT_DISCORD_GATEWAY_URL": self.discord_fake.gateway_url, "GIGBOT_DISCORD_GUILD_IDS": str(GUILD_ID),
            "GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{self.database}", "GIGBOT_LOG_LEVEL": "WARNING"}

    async def start(self) -> None:
        """Start `gigbot run` and wait until Slack serves and Discord is ready."""
        identified = len(self.discord_fake.identifies)
        self.process = await Gigbot.start(self.settings())
        await self.process.logged("Slack: serving")
        await until("the bot identify on the gateway", lambda: len(self.discord_fake.identifies) > identified, 60)
        await self.discord_fake.wait_ready(timeout=60)

    async def restart(self) -> None:
        """Stop the process and start it again on the same database (as after a deploy)."""
        await self.stop()
        await self.discord_fake.wait_closed(timeout=30)
        await self.start()

    def slack_calls(self, method: str, where: Callable[[Call], bool] = lambda call: True) -> list[Call]:
        """The calls of this Web API method the bot made, that match."""
        return [call for call in self.slack_fake.made(method) if where(call)]

    async def stop(self) -> None:
        """SIGTERM; the process must exit cleanly."""
        if self.process is not None:
            process, self.process = self.process, None
            assert await process.stop() == 0, process.stderr.decode()

    async def on_slack(self, user: str, text: str, channel: str = "C1") -> str:
        """`/gig text` typed on Slack; the text of the answer."""
        return texts(await self.slack.command(user, text, channel))

    async def on_discord(self, user: int, name: str, options: dict[str, object] | None = None) -> str:
        """A Discord slash command (`gig apply`, `gig-admin route default`); the text of its answer."""
        sent = await self.discord_fake.slash(name, options or {}, user=user)
        callback = await sent.callback(timeout=30)
        if callback.json["type"] == 5:  # deferred: the answer follows
            return content(await sent.edit(timeout=30))
        return content(callback)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[TwoPlatforms]:
    slack_fake = await FakeSlack(users={SLACK_ADMIN: {"name": "sam", "admin": True},
                                        SLACK_MEMBER: {"name": "ana"}}).start()
    discord_fake = await FakeDiscord().start()
    rig = TwoPlatforms(slack_fake, discord_fake, free_port(), tmp_path / "two.db")
    try:
        await rig.start()
        yield rig
    finally:
        with contextlib.suppress(AssertionError):
            await rig.stop()
        await slack_fake.stop()
        await discord_fake.stop()
    assert discord_fake.errors == []


async def test_one_process_answers_on_slack_and_on_discord(two: TwoPlatforms) -> None:
    assert "What you can run" in await two.on_slack(SLACK_MEMBER, "help")
    assert "What you can run" in await two.on_discord(ALICE_ID, "gig help")
    await two.stop()


async def make_due(database: Path, member_ids: list[int]) -> None:
    """Two days later: these members' follow-up nudges are due now (the process is stopped meanwhile)."""
    now = SystemClock().now()
    app = build_app(Settings(_env_file=None), FrozenClock(now), f"sqlite+aiosqlite:///{database}")
    try:
        async with app.sessions() as session:
            changed = await session.execute(update(Nudge).where(Nudge.member_id.in_(member_ids),
                                                                Nudge.state == "pending",
                                                                Nudge.kind == NudgeKind.FOLLOW_UP)
                                            .values(due_at=now - timedelta(minutes=1)))
            assert changed.rowcount >= 1  # type: ignore[attr-defined]
            await session.commit()
    finally:
        await app.close()


async def stored(database: Path) -> tuple[dict[tuple[str, str], Member], list[OutboxMessage]]:
    """The members by (platform, user id) and every outbox row, read after the process stopped."""
    app = build_app(Settings(_env_file=None), FrozenClock(SystemClock().now()), f"sqlite+aiosqlite:///{database}")
    try:
        async with app.sessions() as session:
            members = {(m.platform, m.platform_user_id): m for m in (await session.execute(select(Member))).scalars()}
            rows = list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())
    finally:
        await app.close()
    return members, rows


def posted_on_slack(two: TwoPlatforms, title: str) -> list[Call]:
    return two.slack_calls("chat.postMessage", lambda c: c.args.get("channel") == SLACK_GIGS and title in texts(c))


def posted_on_discord(two: TwoPlatforms, title: str) -> list[dict[str, Any]]:
    return [m for m in two.discord_fake.channel_messages(GIGS_ID) if title in content_of(m)]


def content_of(message: dict[str, Any]) -> str:
    """The text of a message Discord stores: content and embeds."""
    return content(SimpleNamespace(json=message))


async def link_places(two: TwoPlatforms) -> None:
    """The Slack admin sets the channel of every gig and asks for a code; a Discord admin joins with it."""
    assert "#" in await two.on_slack(SLACK_ADMIN, f"route default <#{SLACK_GIGS}|gigs>")
    code = code_in(await two.on_slack(SLACK_ADMIN, "admin link"))
    assert "Linked" in await two.on_discord(CAROL_ID, "gig-admin join", {"code": code})
    assert "#" in await two.on_discord(CAROL_ID, "gig-admin route default", {"channel": str(GIGS_ID)})
    listed = await two.on_discord(CAROL_ID, "gig-admin places")
    assert "Slack" in listed and "Discord" in listed, listed


async def test_linked_places_share_one_board_mirrored_on_both_platforms(two: TwoPlatforms) -> None:
    await link_places(two)
    # Posted on Slack: the posting appears on Discord's default channel too.
    assert "Posted gig #1" in await two.on_slack(SLACK_ADMIN, 'post title="Shared gig" budget="300 EUR"')
    await until("the Slack posting", lambda: posted_on_slack(two, "Shared gig"))
    [discord_copy] = await until("the Discord copy", lambda: posted_on_discord(two, "Shared gig"))  # type: ignore[misc]

    # Applied on Discord: the Slack poster's applicants list shows it.
    assert "You applied to #1" in await two.on_discord(BOB_ID, "gig apply", {"id": 1})
    applicants = await two.on_slack(SLACK_ADMIN, "applicants 1")
    assert "(Discord)" in applicants and "bob" in applicants.lower() and "(1)" in applicants, applicants

    # Closed on Discord (by a Discord admin): the Slack posting is edited in place, the Discord copy too.
    assert "Closed #1" in await two.on_discord(CAROL_ID, "gig close", {"id": 1})
    await until("the Slack posting edited as closed", lambda: two.slack_calls(
        "chat.update", lambda c: c.args.get("channel") == SLACK_GIGS and "Closed" in texts(c)))
    await until("the Discord copy edited as closed", lambda: "Closed" in content_of(
        two.discord_fake.messages[int(discord_copy["id"])]))
    await two.stop()


async def test_a_linked_member_gets_one_nudge_on_the_platform_they_chose(two: TwoPlatforms) -> None:
    await link_places(two)
    # Ana links her Slack and Discord identities and chooses Discord for her DMs; she applies on Slack.
    assert "Posted gig #1" in await two.on_slack(SLACK_ADMIN, 'post title="Nudged gig" budget="200 EUR"')
    person_code = code_in(await two.on_slack(SLACK_MEMBER, "link"))
    await two.on_discord(ALICE_ID, "gig link", {"code": person_code})
    assert "discord" in (await two.on_slack(SLACK_MEMBER, "settings dm=discord quiet=off")).lower()
    assert "You applied to #1" in await two.on_slack(SLACK_MEMBER, "apply 1")
    assert "already applied" in (await two.on_discord(ALICE_ID, "gig apply", {"id": 1})).lower()
    applicants = await two.on_slack(SLACK_ADMIN, "applicants 1")
    assert "(1)" in applicants, applicants

    # Two days later the follow-up nudge is due: it goes to Discord, once, and never to Slack.
    await two.stop()
    members, _ = await stored(two.database)
    person = members[("slack", SLACK_MEMBER)]
    discord_ana = members[("discord", str(ALICE_ID))]
    await make_due(two.database, [person.id, discord_ana.id])
    slack_dms_before = len(two.slack_calls("conversations.open", lambda c: SLACK_MEMBER in str(c.args)))
    await two.restart()
    nudge = await until("the nudge on Discord", lambda: [m for m in two.discord_fake.dm_messages(ALICE_ID)
                                                         if "follow up" in content_of(m).lower()])
    await two.stop()
    assert len(nudge) == 1  # type: ignore[arg-type]
    assert len(two.slack_calls("conversations.open", lambda c: SLACK_MEMBER in str(c.args))) == slack_dms_before
    _, rows = await stored(two.database)
    dms = [r for r in rows if r.kind == "dm" and r.member_id in (person.id, discord_ana.id)]
    assert [(r.platform, r.destination) for r in dms if "follow" in str(r.payload).lower()] == [
        ("discord", str(ALICE_ID))]
    assert [r.platform for r in dms if r.platform != "discord"] == []  # nothing of hers went to Slack
