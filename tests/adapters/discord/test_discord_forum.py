"""A forum channel as a gig board, through the real sender and discord.py against the fake: a thread per gig."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.adapters.discord.sender import DiscordSender
from bot.core.delivery import OutboxState, Outgoing
from bot.core.types import Card, Message, Topic
from bot.store.models import OutboxMessage, Posting
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, BOT_ROLE_ID, CAROL_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import POST, custom_ids, run

FORUM_ID = 1290000000000000250
MANAGE_CHANNELS, MANAGE_THREADS = 1 << 4, 1 << 34


def add_forum(rig: DiscordRig, allow: int = MANAGE_CHANNELS | MANAGE_THREADS) -> None:
    """A forum #gig-board with one tag, PHP; the bot's role gets `allow` there (after the client connected)."""
    rig.fake.add_forum(GUILD_ID, "gig-board", id=FORUM_ID, tags=("PHP",), permission_overwrites=[
        {"id": str(BOT_ROLE_ID), "type": 0, "allow": str(allow), "deny": "0"}])


async def post_to_forum(rig: DiscordRig, fields: dict[str, str] = POST) -> dict:
    """Carol routes every gig to the forum and posts one; return its thread as the fake holds it."""
    await run(rig, "gig-admin route default", {"channel": str(FORUM_ID)}, user=CAROL_ID)
    assert "Posted gig #1" in await run(rig, "gig post", fields, user=CAROL_ID)
    await rig.deliver()
    [thread] = rig.fake.threads_in(FORUM_ID)
    return thread


def tag_names(rig: DiscordRig, thread: dict) -> list[str]:
    tags = rig.fake.forum_tags(FORUM_ID)
    return [tags[tag] for tag in thread["applied_tags"]]


async def posting_ref(rig: DiscordRig) -> str | None:
    async with rig.core.sessions() as session:
        return (await session.execute(select(Posting.message_ref))).scalar_one()


async def test_a_gig_becomes_one_thread_with_its_title_tags_card_and_buttons(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    thread = await post_to_forum(rig, POST | {"tags": "wordpress,php,forms,css,html,seo,hosting"})
    assert thread["name"] == "#1 · Fix my WordPress form"
    assert tag_names(rig, thread) == ["wordpress", "PHP", "forms", "css", "html"]  # five; php matched as PHP
    assert sorted(rig.fake.forum_tags(FORUM_ID).values()) == ["PHP", "css", "forms", "html", "wordpress"]
    first = rig.fake.messages[int(thread["id"])]  # the first message has the thread's id
    assert first["channel_id"] == thread["id"] and first["embeds"][0]["title"] == "#1 · Fix my WordPress form"
    assert custom_ids(first) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    assert await posting_ref(rig) == f"{thread['id']}:{thread['id']}"
    assert rig.fake.find("POST", f"/channels/{FORUM_ID}/messages") == []
    click = await rig.fake.click(first, "gig:show:1", user=ALICE_ID)  # its buttons work as anywhere else
    assert "Fix my WordPress form" in str((await click.callback()).json)


async def test_the_applicant_count_edits_the_first_message_and_closing_tags_and_locks(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    thread = await post_to_forum(rig)
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await rig.deliver()
    first = rig.fake.messages[int(thread["id"])]
    assert {"name": "Applicants", "value": "1", "inline": True} in first["embeds"][0]["fields"]
    assert rig.fake.find("PATCH", f"/channels/{thread['id']}") == []  # tags unchanged: no second request
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [closed] = rig.fake.threads_in(FORUM_ID)
    assert rig.fake.messages[int(thread["id"])]["embeds"][0]["title"] == "[Closed] #1 · Fix my WordPress form"
    assert custom_ids(rig.fake.messages[int(thread["id"])]) == []
    assert tag_names(rig, closed) == ["Closed", "wordpress", "PHP"]
    assert closed["thread_metadata"]["locked"] and closed["thread_metadata"]["archived"]


async def test_an_edit_of_a_thread_discord_archived_unarchives_it_first(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    thread = await post_to_forum(rig)
    rig.fake.archive(int(thread["id"]))  # a day without activity
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await rig.deliver()
    statuses = [c.status for c in rig.fake.find("PATCH", f"/channels/{thread['id']}/messages/{thread['id']}")]
    assert statuses == [400, 200]  # 50083 on an archived thread, then unarchived and edited
    assert {"name": "Applicants", "value": "1", "inline": True} in rig.fake.messages[int(thread["id"])][
        "embeds"][0]["fields"]
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [closed] = rig.fake.threads_in(FORUM_ID)
    assert closed["thread_metadata"]["locked"] and closed["thread_metadata"]["archived"]


async def test_a_retry_after_a_crash_or_a_lost_answer_makes_no_second_thread(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    assert rig.adapter is not None
    sender = DiscordSender(rig.adapter.client)
    message = Message(cards=(Card("#7 · A gig"),), topic=Topic("#7 · A gig", ("php",)))
    first = await sender(Outgoing(7, "post", str(FORUM_ID), message))  # the process dies before settling the row
    again = await DiscordSender(rig.adapter.client)(Outgoing(7, "post", str(FORUM_ID), message))
    assert again.ref == first.ref and len(rig.fake.threads_in(FORUM_ID)) == 1

    await run(rig, "gig-admin route default", {"channel": str(FORUM_ID)}, user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    rig.fake.lose_answer_next("POST", f"/channels/{FORUM_ID}/threads")
    await rig.deliver()  # Discord made the thread, the answer never came: retried later
    async with rig.core.sessions() as session:
        row = (await session.execute(select(OutboxMessage).where(OutboxMessage.posting_id.is_not(None)))).scalar_one()
        assert row.state == OutboxState.PENDING and row.unknown_since is not None
    rig.core.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    await rig.deliver()
    threads = [t for t in rig.fake.threads_in(FORUM_ID) if t["name"].startswith("#1 ")]
    assert len(threads) == 1 and len(rig.fake.find("POST", f"/channels/{FORUM_ID}/threads")) == 2
    assert await posting_ref(rig) == f"{threads[0]['id']}:{threads[0]['id']}"


async def test_a_forum_whose_tags_the_bot_may_not_create_still_gets_the_thread(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig, allow=0)
    thread = await post_to_forum(rig)
    assert tag_names(rig, thread) == ["PHP"] and list(rig.fake.forum_tags(FORUM_ID).values()) == ["PHP"]
    assert rig.fake.find("PATCH", f"/channels/{FORUM_ID}") == []  # known from the permissions: never asked
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [closed] = rig.fake.threads_in(FORUM_ID)  # no Manage Threads: archived as its creator, not locked
    assert closed["thread_metadata"]["archived"] and not closed["thread_metadata"]["locked"]
    assert tag_names(rig, closed) == ["PHP"]
    assert [c.status for c in rig.fake.find("PATCH", f"/channels/{thread['id']}")] == [200]  # no 403 asked for


async def test_tags_or_a_lock_refused_by_discord_itself_leave_the_post_going(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    rig.fake.fail_next("PATCH", f"/channels/{FORUM_ID}", 403, 50013, "Missing Permissions")
    thread = await post_to_forum(rig)
    assert tag_names(rig, thread) == ["PHP"]
    rig.fake.fail_next("PATCH", f"/channels/{thread['id']}", 403, 50013, "Missing Permissions")  # lock refused
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    [closed] = rig.fake.threads_in(FORUM_ID)
    assert closed["thread_metadata"]["archived"] and not closed["thread_metadata"]["locked"]
    assert tag_names(rig, closed) == ["Closed", "wordpress", "PHP"]  # Closed and wordpress: created this time
    async with rig.core.sessions() as session:
        assert {r.state for r in (await session.execute(select(OutboxMessage))).scalars()} == {OutboxState.SENT}


async def test_a_route_added_to_a_forum_with_the_command_posts_threads_there(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    [sync] = rig.fake.find("PUT", "/applications/*/guilds/*/commands")
    route = next(o for o in next(c for c in sync.json if c["name"] == "gig-admin")["options"] if o["name"] == "route")
    add = next(o for o in route["options"] if o["name"] == "add")
    assert 15 in next(o for o in add["options"] if o["name"] == "channel")["channel_types"]
    add_forum(rig)  # an admin made it while the bot ran: Discord sends CHANNEL_CREATE, so the client has it cached
    await rig.fake.dispatch("CHANNEL_CREATE", rig.fake.channel(FORUM_ID))
    await rig.fake.wait_until(lambda: rig.adapter and rig.adapter.client.get_channel(FORUM_ID))
    assert "Route 1 added" in await run(rig, "gig-admin route add", {"channel": FORUM_ID, "tags": "wordpress"},
                                        user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    await rig.deliver()
    [thread] = rig.fake.threads_in(FORUM_ID)
    assert thread["name"] == "#1 · Fix my WordPress form" and tag_names(rig, thread) == ["wordpress", "PHP"]
