"""The fake Discord works with a plain discord.py client: login, gateway, sync, interactions, DMs, faults."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.adapters.discord.fake_discord import (
    ALICE_ID,
    APP_ID,
    BOB_ID,
    GENERAL_ID,
    GUILD_ID,
    PRIVILEGED_INTENTS,
    FakeDiscord,
)

GIGS = ["logo design", "logo animation", "landing page"]


class GigButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"gig:(?P<id>\d+):apply"):
    """A persistent button: any client with this class registered handles it, even for old messages."""

    def __init__(self, gig_id: int) -> None:
        super().__init__(discord.ui.Button(label="Apply", style=discord.ButtonStyle.primary,
                                           custom_id=f"gig:{gig_id}:apply"))
        self.gig_id = gig_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> GigButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"applied to gig {self.gig_id}", ephemeral=True)


class PostModal(discord.ui.Modal, title="Post a gig"):
    gig_title = discord.ui.TextInput(label="Title", custom_id="title", max_length=80)  # sent in an action row
    details = discord.ui.Label(text="Details", component=discord.ui.TextInput(
        custom_id="details", style=discord.TextStyle.paragraph))  # sent as a label component (type 18)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.details.component, discord.ui.TextInput)
        await interaction.response.send_message(f"posted {self.gig_title.value}: {self.details.component.value}")


class KindSelect(discord.ui.Select[discord.ui.View]):
    def __init__(self) -> None:
        super().__init__(custom_id="kind", options=[discord.SelectOption(label="Design", value="design"),
                                                    discord.SelectOption(label="Code", value="code")])

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.values == ["design"]:
            await interaction.response.edit_message(content="kind: design", view=None)  # type 7
        else:
            await interaction.response.defer()  # type 6, then PATCH @original (the select's message)
            await interaction.edit_original_response(content=f"kind: {self.values[0]}", view=None)


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none(),
                         guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.synced: list[app_commands.AppCommand] = []
        self.resumed = asyncio.Event()
        guild = discord.Object(GUILD_ID)

        @self.tree.command(name="ping", description="Echo with an Apply button", guild=guild)
        @app_commands.describe(text="What to echo", times="How many times")
        async def ping(interaction: discord.Interaction, text: str, times: int = 1) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(GigButton(7))
            await interaction.response.send_message(text * times, view=view)

        @self.tree.command(name="post", description="Post a gig", guild=guild)
        async def post(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(PostModal())

        @self.tree.command(name="find", description="Find a gig", guild=guild)
        async def find(interaction: discord.Interaction, gig: str) -> None:
            await interaction.response.send_message(f"found {gig}", ephemeral=True)

        @find.autocomplete("gig")
        async def find_gig(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=g, value=g) for g in GIGS if g.startswith(current)]

        @self.tree.command(name="kind", description="Pick a kind", guild=guild)
        async def kind(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick one", view=discord.ui.View().add_item(KindSelect()))

        @self.tree.command(name="about", description="About gigbot")  # global: usable in DMs
        async def about(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            where = "a DM" if interaction.guild is None else interaction.guild.name
            await interaction.followup.send(f"hi {interaction.user.name} in {where}")

    async def setup_hook(self) -> None:
        self.add_dynamic_items(GigButton)
        self.synced = await self.tree.sync(guild=discord.Object(GUILD_ID))
        await self.tree.sync()

    async def on_resumed(self) -> None:
        self.resumed.set()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()
    assert not fake.errors


async def test_login_gateway_ready_and_guild_cache(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        assert bot.is_ready()
        assert [(c.method, c.path) for c in fake.calls[:2]] == [("GET", "/users/@me"),
                                                                 ("GET", "/oauth2/applications/@me")]
        assert fake.calls[0].headers["Authorization"] == f"Bot {fake.token}"
        assert bot.user is not None and bot.user.id == APP_ID and bot.application_id == APP_ID

        identify = fake.identifies[0]
        assert identify["token"] == fake.token
        assert identify["intents"] == discord.Intents.default().value
        assert not identify["intents"] & PRIVILEGED_INTENTS
        assert identify["properties"]["browser"] == "discord.py"
        conn = await fake.wait_ready()
        assert conn.query["v"] == "10" and conn.query["encoding"] == "json"
        assert conn.heartbeats >= 1  # discord.py beats right after HELLO; the fake answered op 11

        guild = bot.get_guild(GUILD_ID)
        assert guild is not None and guild.name == "Gig Guild" and guild.member_count == 4
        assert guild.me is not None and guild.me.id == APP_ID  # without GUILD_MEMBERS only the bot's member comes
        assert [c.name for c in guild.text_channels] == ["general", "gigs"]
        assert {r.name for r in guild.roles} == {"@everyone", "gigbot", "Moderator"}
        assert guild.default_role.id == GUILD_ID and guild.preferred_locale is discord.Locale.american_english


async def test_sync_records_the_put_payload_and_returns_commands(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        put = fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert len(put) == 1
        sent = {c["name"]: c for c in put[0].json}
        assert set(sent) == {"ping", "post", "find", "kind"}
        assert [(o["name"], o["type"], o.get("required")) for o in sent["ping"]["options"]] == [
            ("text", 3, True), ("times", 4, False)]
        assert sent["find"]["options"][0]["autocomplete"] is True
        assert {c.name: c.id for c in bot.synced} == {c["name"]: int(c["id"]) for c in fake.commands[GUILD_ID]}
        assert all(c.guild_id == GUILD_ID and c.application_id == APP_ID for c in bot.synced)
        assert [c["name"] for c in fake.find("PUT", f"/applications/{APP_ID}/commands")[0].json] == ["about"]


async def test_slash_command_then_button_on_its_message(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        inter = await fake.slash("ping", {"text": "hi", "times": 2})
        assert inter.payload["data"]["guild_id"] == str(GUILD_ID)  # guild commands carry it; the tree needs it
        assert inter.payload["data"]["options"] == [{"name": "text", "type": 3, "value": "hi"},
                                                    {"name": "times", "type": 4, "value": 2}]
        call = await inter.callback()
        assert call.query["with_response"] == "1" and call.status == 200
        assert call.json["type"] == 4 and call.json["data"]["content"] == "hihi"
        assert call.json["data"]["allowed_mentions"] == {"parse": []}
        assert call.json["data"]["components"][0]["components"][0]["custom_id"] == "gig:7:apply"
        assert inter.message is not None and call.response["resource"]["message"]["id"] == inter.message["id"]
        assert call.response["interaction"]["response_message_id"] == inter.message["id"]

        click = await fake.click(inter.message, "gig:7:apply", user=BOB_ID)
        assert click.payload["data"] == {"component_type": 2, "custom_id": "gig:7:apply", "id": 2}
        answer = await click.callback()
        assert answer.json["type"] == 4 and answer.json["data"]["content"] == "applied to gig 7"
        assert answer.json["data"]["flags"] == 64
        assert click.message is not None and click.message["flags"] & 64


async def test_dynamic_button_works_after_a_restart(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        inter = await fake.slash("ping", {"text": "gig #7"})
        await inter.callback()
        message = inter.message
        assert message is not None
        first_session = fake.session.id if fake.session else None
    await fake.wait_closed()
    # Client.close() ends up closing with 4000, not 1000 (its receive loop wakes first and closes with 4000), so
    # the session stays resumable on Discord's side; a fresh client identifies anyway.
    assert fake.connections[0].close_code == 4000

    async with fake.connected(Bot()):  # a fresh client: new IDENTIFY, new session, same command ids
        assert len(fake.identifies) == 2 and fake.session is not None and fake.session.id != first_session
        puts = fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert [c["id"] for c in puts[0].response] == [c["id"] for c in puts[1].response]
        click = await fake.click(message, "gig:7:apply")
        answer = await click.callback()
        assert answer.json["data"]["content"] == "applied to gig 7"


async def test_modal_open_and_submit_in_both_shapes(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        inter = await fake.slash("post")
        assert (await inter.callback()).json["type"] == 9
        assert inter.modal is not None and inter.modal["title"] == "Post a gig"
        assert [c["type"] for c in inter.modal["components"]] == [1, 18]

        submit = await fake.submit_modal(inter, {"title": "Logo", "details": "Vector, please"})
        rows = submit.payload["data"]["components"]
        assert rows[0]["type"] == 1 and rows[0]["components"][0] == {
            "type": 4, "id": rows[0]["components"][0]["id"], "custom_id": "title", "value": "Logo"}
        assert rows[1]["type"] == 18 and rows[1]["component"]["value"] == "Vector, please"
        answer = await submit.callback()
        assert answer.json["data"]["content"] == "posted Logo: Vector, please"


async def test_select_updates_the_message_or_defers_and_edits_it(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        first = await fake.slash("kind")
        await first.callback()
        pick = await fake.click(first.message, "kind", values=["design"])
        update = await pick.callback()
        assert pick.payload["data"]["values"] == ["design"] and pick.payload["data"]["component_type"] == 3
        assert update.json["type"] == 7
        assert update.json["data"] == {"tts": False, "content": "kind: design", "components": [],
                                       "allowed_mentions": {"parse": []}}  # the client's AllowedMentions.none()
        assert first.message is not None and first.message["content"] == "kind: design"

        second = await fake.slash("kind")
        await second.callback()
        pick = await fake.click(second.message, "kind", values=["code"])
        assert (await pick.callback()).json == {"type": 6}
        edit = await pick.edit()
        assert edit.status == 200 and edit.json["content"] == "kind: code"
        assert second.message is not None and second.message["content"] == "kind: code"
        assert second.message["components"] == [] and second.message["edited_timestamp"]


async def test_autocomplete(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        typing = await fake.autocomplete("find", {"gig": "logo"}, focused="gig")
        assert typing.payload["type"] == 4
        assert typing.payload["data"]["options"] == [{"name": "gig", "type": 3, "value": "logo", "focused": True}]
        answer = await typing.callback()
        assert answer.json["type"] == 8
        assert typing.choices == [{"name": "logo design", "value": "logo design"},
                                  {"name": "logo animation", "value": "logo animation"}]


async def test_command_in_dm_has_user_not_member_and_followup_replaces_thinking(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()):
        inter = await fake.slash("about", dm=True, user=BOB_ID)
        assert "member" not in inter.payload and "guild_id" not in inter.payload
        assert inter.payload["user"]["id"] == str(BOB_ID) and inter.payload["channel"]["type"] == 1
        assert inter.payload["context"] == 1 and inter.payload["locale"] == "de"
        assert (await inter.callback()).json["type"] == 5
        followup = await inter.followup()
        assert followup.query["wait"] == "1"
        assert followup.json["content"] == "hi bob in a DM"
        assert inter.message is not None and inter.message["content"] == "hi bob in a DM"
        assert not inter.message["flags"] & 128  # the loading message became the answer
        with pytest.raises(LookupError):
            fake.command_payload("ping", {"text": "x"}, dm=True)  # guild commands cannot be used in DMs


async def test_dm_channel_then_message_and_forbidden_50007(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        dm = await bot.create_dm(discord.Object(BOB_ID))
        opened = await fake.next_call("POST", "/users/@me/channels")
        assert str(opened.json["recipient_id"]) == str(BOB_ID) and opened.response["type"] == 1
        assert dm.id == int(fake.dm_channel(BOB_ID)["id"])  # stable per recipient

        sent = await dm.send("hello bob")
        assert sent.content == "hello bob" and sent.author.id == APP_ID
        assert [m["content"] for m in fake.dm_messages(BOB_ID)] == ["hello bob"]

        fake.fail_next("POST", "/channels/*/messages", 403, 50007, "Cannot send messages to this user")
        with pytest.raises(discord.Forbidden) as forbidden:
            await dm.send("again")
        assert forbidden.value.status == 403 and forbidden.value.code == 50007

        fake.block_dms(ALICE_ID)
        alice = await bot.create_dm(discord.Object(ALICE_ID))
        with pytest.raises(discord.Forbidden) as blocked:
            await alice.send("hi")
        assert blocked.value.code == 50007
        assert len(fake.find("POST", f"/channels/{alice.id}/messages")) == 1  # discord.py does not retry a 403


async def test_429_with_via_header_is_retried(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        fake.rate_limit_next("POST", f"/channels/{GENERAL_ID}/messages", retry_after=0.05)
        message = await channel.send("after a 429")
        assert message.content == "after a 429"
        assert [c.status for c in fake.find("POST", f"/channels/{GENERAL_ID}/messages")] == [429, 200]

        fake.rate_limit_next("POST", f"/channels/{GENERAL_ID}/messages", via=False)  # Cloudflare: no retry
        with pytest.raises(discord.HTTPException) as banned:
            await channel.send("banned")
        assert banned.value.status == 429


async def test_reconnect_resumes_the_session(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        first = await fake.wait_ready()
        conn = await fake.request_reconnect()
        assert conn is not first and conn.resumed and len(fake.identifies) == 1
        assert fake.resumes[0]["session_id"] == first.session.id if first.session else False
        await asyncio.wait_for(bot.resumed.wait(), 5)
        inter = await fake.slash("ping", {"text": "still here"})
        assert (await inter.callback()).json["data"]["content"] == "still here"


async def test_fake_answers_errors_as_discord_does(fake: FakeDiscord) -> None:
    async with fake.connected(Bot()) as bot:
        inter = await fake.slash("ping", {"text": "once"})
        await inter.callback()
        async with aiohttp.ClientSession() as http:
            url = f"{fake.api_url}/interactions/{inter.id}/{inter.token}/callback"
            async with http.post(url, json={"type": 4, "data": {"content": "twice"}}) as response:
                assert response.status == 400
                assert response.headers["Content-Type"] == "application/json"  # exactly, no charset
                assert (await response.json())["code"] == 40060
            async with http.post(f"{fake.api_url}/webhooks/{APP_ID}/nope", json={"content": "x"}) as response:
                assert response.status == 401 and (await response.json())["code"] == 50027

        channel = bot.get_channel(GENERAL_ID)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.code == 50035 and "content" in too_long.value.text
