"""Two real `gigbot run` processes on one PostgreSQL database, one SIGKILLed mid-run: counted at the fakes,
nothing is lost and nothing is sent twice (Discord by nonce; Slack at most the one message in flight in the
killed process), and interactions both gateway sessions receive are acted on once."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import func, select, text, update

from bot.adapters.delivery import CHANNELS
from bot.core.clock import SystemClock
from bot.store.db import make_engine, migrate, session_factory
from bot.store.models import Application, Community, Gig, Member, Nudge, OutboxMessage, Workspace
from bot.store.replicas import InboxRequest
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID, GIGS_ID, GUILD_ID, TOKEN, FakeDiscord
from tests.adapters.process import Gigbot
from tests.adapters.slack.conftest import SECRET, SlackClient, texts
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_running import free_port
from tests.conftest import IN_CI, POSTGRES_URL

ADMIN_DSN = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
NUDGED = 40  # Slack members with a follow-up nudge due
GIGS = 3  # per platform
WAIT = 45.0  # seconds, for the whole run's slowest condition on a loaded machine


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A database of its own (the processes take a URL), migrated before either process starts."""
    name = f"gigbot_replicas_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    """Wait for a condition, checked every 50 ms, failing after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def start(url: str, slack: FakeSlack, discord: FakeDiscord, port: int) -> Gigbot:
    bot = await Gigbot.start({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "GIGBOT_SLACK_API_URL": f"{slack.url}/api/",
        "GIGBOT_HTTP_PORT": str(port), "DISCORD_TOKEN": TOKEN, "GIGBOT_DISCORD_API_URL": discord.api_url,
        "GIGBOT_DISCORD_GATEWAY_URL": discord.gateway_url, "GIGBOT_DISCORD_GUILD_IDS": str(GUILD_ID),
        "GIGBOT_DATABASE_URL": url, "GIGBOT_ADMINS": "slack:UADMIN", "GIGBOT_LOG_LEVEL": "WARNING"})
    await bot.logged("Slack: serving")
    await bot.logged("Discord: connecting")
    return bot


async def seed_slack_nudges(url: str, gig_title: str) -> None:
    """Slack members who applied to a gig, each with a follow-up nudge due now; quiet hours off everywhere."""
    engine = make_engine(url)
    now = SystemClock().now()
    async with session_factory(engine)() as session:
        community = (await session.execute(select(Community).join(Workspace, Workspace.community_id == Community.id)
                                           .where(Workspace.platform == "slack"))).scalar_one()
        for each in (await session.execute(select(Community))).scalars():  # Slack's and Discord's communities:
            each.settings = {**each.settings, "quiet": "off"}  # closing notices wait out quiet hours, as nudges do
        gig = (await session.execute(select(Gig).where(Gig.title == gig_title))).scalar_one()
        for i in range(NUDGED):
            member = Member(community_id=community.id, platform="slack", platform_user_id=f"U{500 + i}",
                            display_name=f"m{i}", created_at=now)
            session.add(member)
            await session.flush()
            application = Application(gig_id=gig.id, member_id=member.id, status="applied", pitch="",
                                      created_at=now, updated_at=now)
            session.add(application)
            await session.flush()
            session.add(Nudge(community_id=community.id, member_id=member.id, application_id=application.id,
                              kind="follow_up", due_at=now - timedelta(minutes=1), state="pending", attempts=0,
                              created_at=now))
        await session.execute(text("SELECT pg_notify('gigbot_nudges', 'test')"))  # wake the nudge ticks
        await session.commit()
    await engine.dispose()


async def as_if_the_leases_ran_out(url: str) -> None:
    """Stand in for the killed process's leases running out (minutes of real time), then wake the survivor."""
    engine = make_engine(url)
    past = SystemClock().now() - timedelta(seconds=1)
    async with session_factory(engine)() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.state == "sending")
                              .values(claimed_until=past))
        await session.execute(update(Nudge).where(Nudge.state == "claimed").values(claimed_until=past))
        await session.execute(update(InboxRequest).where(InboxRequest.done_at.is_(None))
                              .values(claimed_until=past))
        await session.execute(text("SELECT pg_notify('gigbot_outbox', 'test'), pg_notify('gigbot_nudges', 'test')"))
        await session.commit()
    await engine.dispose()


async def left_to_do(url: str) -> dict[str, int]:
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        outbox = dict((await session.execute(select(OutboxMessage.state, func.count())
                                             .group_by(OutboxMessage.state))).all())
        nudges = dict((await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))).all())
    await engine.dispose()
    return {"outbox " + k: v for k, v in outbox.items()} | {"nudge " + k: v for k, v in nudges.items()}


async def outbox_rows(url: str) -> list[tuple[int, str, str]]:
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(OutboxMessage.id, OutboxMessage.platform, OutboxMessage.kind)
                                      .order_by(OutboxMessage.id))).all()
    await engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_two_replicas_one_killed_lose_nothing_and_send_nothing_twice(database: str) -> None:
    slack, discord = await FakeSlack().start(), await FakeDiscord().start()
    discord.fan_out = True  # both gateway sessions receive every interaction
    ports = free_port(), free_port()
    victim = await start(database, slack, discord, ports[0])
    survivor = await start(database, slack, discord, ports[1])
    to = [SlackClient(slack, f"http://127.0.0.1:{port}/slack/events") for port in ports]
    interactions = []
    apply_by = (SystemClock().now() + timedelta(days=60)).date().isoformat()
    try:
        await until(lambda: len([c for c in discord.connections if c.ready and c.open]) == 2, "two gateway sessions")
        assert "#C0GIGS" in texts(await to[0].command("UADMIN", "route default <#C0GIGS|gigs>"))
        sent = await discord.slash("gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
        await sent.callback(timeout=30)
        interactions.append(sent)
        for i in range(GIGS):
            answer = await to[i % 2].command("UADMIN", f'post title="Slack gig {i}" budget=100 apply_by={apply_by}')
            assert "Posted gig" in texts(answer)
            sent = await discord.slash("gig post", {"title": f"Discord gig {i}", "budget": "100",
                                                    "apply_by": apply_by}, user=CAROL_ID)
            assert "Posted gig" in (await sent.callback(timeout=30)).json["data"]["content"]
            interactions.append(sent)
        await seed_slack_nudges(database, "Slack gig 0")
        dms = lambda: [c for c in slack.made("chat.postMessage") if str(c.args["channel"]).startswith("D")]  # noqa: E731
        await until(lambda: len(dms()) >= 5, "the first nudge DMs")

        victim.process.send_signal(signal.SIGKILL)  # mid-run: nudges, postings and their deliveries under way
        await victim.process.wait()
        await until(lambda: len([c for c in discord.connections if c.ready and c.open]) == 1, "one session left")

        # gig ids alternate: Slack gig i is #2i+1, Discord gig i is #2i+2 (each posted once, whoever received it)
        for who in ("U1", "U2"):  # edits of a posting, then closing notices: run by the survivor alone
            assert "You applied" in texts(await to[1].command(who, "apply 3"))
        sent = await discord.slash("gig apply", {"id": 4}, user=ALICE_ID)
        await sent.callback(timeout=30)
        interactions.append(sent)
        if sent.modal is not None:
            sent = await discord.submit_modal(sent, {"pitch": "I can start today"}, user=ALICE_ID)
            await sent.callback(timeout=30)
            interactions.append(sent)
        assert "Closed #3" in texts(await to[1].command("UADMIN", "close 3"))
        sent = await discord.slash("gig close", {"id": 4}, user=CAROL_ID)
        assert "Closed #4" in (await sent.callback(timeout=30)).json["data"]["content"]
        interactions.append(sent)

        await as_if_the_leases_ran_out(database)
        state: dict[str, int] = {}

        async def settled() -> bool:
            state.clear()
            state.update(await left_to_do(database))
            return set(state) <= {"outbox sent", "outbox superseded", "nudge sent", "nudge cancelled"}

        deadline = asyncio.get_running_loop().time() + WAIT
        while not await settled():
            assert asyncio.get_running_loop().time() < deadline, f"still to do: {state}"
            await asyncio.sleep(0.1)
    finally:
        assert await survivor.stop() == 0
        if victim.process.returncode is None:
            victim.process.kill()
        await victim.reader
        await slack.stop()
        await discord.stop()

    rows = await outbox_rows(database)
    assert state.get("nudge sent") == NUDGED
    # Slack: one chat.postMessage per post and DM row, one chat.update per edit row delivered; no idempotency key,
    # so only what the killed process had in flight went twice: at most one message per channel (a channel's
    # messages go one at a time), and no more than the channels it delivers to at once.
    slack_rows = Counter(kind for _, platform, kind in rows if platform == "slack")
    posted = Counter((c.args["channel"], c.args.get("text")) for c in slack.made("chat.postMessage"))
    assert len(posted) == slack_rows["post"] + slack_rows["dm"]
    twice = [key for key, n in posted.items() if n > 1]
    assert max(posted.values()) <= 2, twice
    assert len({channel for channel, _ in twice}) == len(twice) <= CHANNELS, twice
    # Discord: the outbox id is the enforced nonce, so a resend returns the first message instead of a second one.
    discord_sent = {int(m["nonce"]) for m in discord.messages.values() if m.get("nonce")}
    expected = {i for i, platform, kind in rows if platform == "discord" and kind in ("post", "dm")}
    assert discord_sent == expected
    assert len([m for m in discord.messages.values() if m.get("nonce")]) == len(expected)
    # Interactions both sessions received: one callback each.
    for interaction in interactions:
        callbacks = [c for c in discord.calls if c.path.startswith(f"/interactions/{interaction.id}/")]
        assert len(callbacks) == 1, interaction.id
    assert discord.errors == []
