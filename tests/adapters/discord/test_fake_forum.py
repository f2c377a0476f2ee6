"""The fake's forum channels answer as Discord's docs say: tags, threads, archived and locked threads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.adapters.discord.fake_discord import BOT_ROLE_ID, GUILD_ID, TOKEN, FakeDiscord

MANAGE_CHANNELS, MANAGE_THREADS = 1 << 4, 1 << 34
CARD = {"embeds": [{"title": "#1 · Logo"}]}


class Rest:
    """Plain REST calls to the fake, as the bot's token."""

    def __init__(self, fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
        self.fake, self.http = fake, http

    async def __call__(self, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
        async with self.http.request(method, self.fake.api_url + path, json=body, params=query or None,
                                     headers={"Authorization": f"Bot {TOKEN}"}) as answer:
            return answer.status, await answer.json()


@pytest.fixture
async def rest() -> AsyncIterator[Rest]:
    fake = await FakeDiscord().start()
    async with aiohttp.ClientSession() as http:
        yield Rest(fake, http)
    await fake.stop()
    assert fake.errors == []


def forum(fake: FakeDiscord, allow: int) -> int:
    return fake.add_forum(GUILD_ID, "board", tags=("php",), permission_overwrites=[
        {"id": str(BOT_ROLE_ID), "type": 0, "allow": str(allow), "deny": "0"}])


async def test_a_forum_thread_has_its_first_message_under_the_threads_id(rest: Rest) -> None:
    forum_id = forum(rest.fake, 0)
    [php] = rest.fake.forum_tags(forum_id)
    status, thread = await rest("POST", f"/channels/{forum_id}/threads",
                                {"name": "#1 · Logo", "applied_tags": [php], "message": CARD})
    assert status == 200 and thread["message"]["id"] == thread["id"] == thread["message"]["channel_id"]
    assert thread["type"] == 11 and thread["parent_id"] == str(forum_id) and thread["applied_tags"] == [php]
    assert (await rest("POST", f"/channels/{forum_id}/messages", CARD))[1]["code"] == 50008
    status, active = await rest("GET", f"/guilds/{GUILD_ID}/threads/active")
    assert [t["id"] for t in active["threads"]] == [thread["id"]]
    too_many = {"name": "x", "applied_tags": [php] * 6, "message": CARD}
    assert (await rest("POST", f"/channels/{forum_id}/threads", too_many))[0] == 400


async def test_tags_need_manage_channels_and_a_forum_holds_twenty(rest: Rest) -> None:
    refused, allowed = forum(rest.fake, 0), forum(rest.fake, MANAGE_CHANNELS)
    tags = [{"name": f"t{n}"} for n in range(21)]
    assert (await rest("PATCH", f"/channels/{refused}", {"available_tags": tags[:1]}))[1]["code"] == 50013
    assert (await rest("PATCH", f"/channels/{allowed}", {"available_tags": tags}))[1]["code"] == 50035
    assert (await rest("PATCH", f"/channels/{allowed}", {"available_tags": [{"name": "x" * 21}]}))[0] == 400
    status, changed = await rest("PATCH", f"/channels/{allowed}", {"available_tags": tags[:20]})
    assert status == 200 and len(changed["available_tags"]) == 20 and all(t["id"] for t in changed["available_tags"])


async def test_archived_threads_refuse_edits_and_locking_needs_manage_threads(rest: Rest) -> None:
    plain, moderated = forum(rest.fake, 0), forum(rest.fake, MANAGE_THREADS)
    _, thread = await rest("POST", f"/channels/{plain}/threads", {"name": "#1 · Logo", "message": CARD})
    first = f"/channels/{thread['id']}/messages/{thread['id']}"
    assert (await rest("PATCH", f"/channels/{thread['id']}", {"locked": True}))[1]["code"] == 50013
    assert (await rest("PATCH", f"/channels/{thread['id']}", {"archived": True}))[0] == 200  # its owner may
    assert (await rest("PATCH", first, {"content": "x"}))[1]["code"] == 50083
    assert (await rest("PATCH", f"/channels/{thread['id']}", {"name": "y"}))[1]["code"] == 50083
    status, archived = await rest("GET", f"/channels/{plain}/threads/archived/public")
    assert [t["id"] for t in archived["threads"]] == [thread["id"]] and archived["has_more"] is False
    assert (await rest("PATCH", f"/channels/{thread['id']}", {"archived": False}))[0] == 200
    assert (await rest("PATCH", first, {"content": "x"}))[0] == 200

    _, locked = await rest("POST", f"/channels/{moderated}/threads", {"name": "#2 · Logo", "message": CARD})
    assert (await rest("PATCH", f"/channels/{locked['id']}", {"locked": True, "archived": True}))[0] == 200
    assert (await rest("PATCH", f"/channels/{locked['id']}", {"archived": False}))[0] == 200  # a moderator may
    assert rest.fake.threads_in(moderated)[0]["thread_metadata"]["locked"] is True
