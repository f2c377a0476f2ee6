from datetime import timedelta

from sqlalchemy import select, update

from bot.commands import registry
from bot.scheduler import Scheduler
from bot.services import outbox
from bot.store.models import Application, Community, Member, OutboxMessage, Posting
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, APP_ID, BOB_ID, CAROL_ID, GIGS_ID, GUILD_ID

EPHEMERAL = 1 << 6
POST = {"title": "Fix my WordPress form", "budget": "150 EUR", "tags": "wordpress,php", "apply_by": "2027-06-30"}


def content(call: object) -> str:
    body = call.json or {}  # type: ignore[attr-defined]
    data = body.get("data", body)
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def custom_ids(message: dict) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row.get("components", [])]


async def run(rig: DiscordRig, name: str, options: dict | None = None, user: int = ALICE_ID, **kwargs) -> str:
    """Run /gig … and return the text of its (ephemeral) answer."""
    sent = await rig.fake.slash(name, options or {}, user=user, **kwargs)
    callback = await sent.callback()
    assert callback.json["type"] == 4, callback.json
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert callback.json["data"]["allowed_mentions"] == {"parse": []}
    return content(callback)


async def posted(rig: DiscordRig) -> dict:
    """Carol (Manage Server) sets #gigs as the default channel and posts a gig; return the posting message."""
    assert "#" in await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    assert "Posted gig #1" in await run(rig, "gig post", POST, user=CAROL_ID)
    await rig.deliver()
    [message] = rig.fake.channel_messages(GIGS_ID)
    return message


async def test_the_command_sync_payload(discord_rig: DiscordRig) -> None:
    [sync] = discord_rig.fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    commands = {c["name"]: c for c in sync.json}
    assert set(commands) == {"gig", "gig-admin"}
    assert commands["gig"]["default_member_permissions"] is None
    assert int(commands["gig-admin"]["default_member_permissions"]) == 1 << 5  # Manage Server
    assert commands["gig"]["description_localizations"]["fr"].startswith("Publier, trouver")
    post = next(o for o in commands["gig"]["options"] if o["name"] == "post")
    assert post["name_localizations"]["fr"] == "publier"
    options = {o["name"]: o for o in post["options"]}
    assert [o["name"] for o in post["options"]][:2] == ["title", "budget"]
    assert not options["title"].get("required")  # with no options, /gig post opens the post form
    assert options["tags"]["autocomplete"] is True
    apply = next(o for o in commands["gig"]["options"] if o["name"] == "apply")
    assert apply["options"][0] == apply["options"][0] | {"name": "id", "type": 4, "autocomplete": True,
                                                         "min_value": 1, "required": True}
    route = next(o for o in commands["gig-admin"]["options"] if o["name"] == "route")
    assert route["type"] == 2 and {o["name"] for o in route["options"]} == {"add", "list", "remove", "default"}
    channel = next(o for o in route["options"] if o["name"] == "add")["options"][0]
    assert (channel["name"], channel["type"]) == ("channel", 7)
    status = next(o for o in commands["gig"]["options"] if o["name"] == "status")
    assert [c["value"] for c in status["options"][1]["choices"]] == [
        "followed_up", "interviewing", "hired", "rejected", "withdrawn"]
    def leaves(options: list, prefix: str) -> list[str]:
        found = []
        for option in options:
            if option["type"] == 1:
                found.append(f"{prefix} {option['name']}")
            elif option["type"] == 2:
                found += leaves(option["options"], f"{prefix} {option['name']}")
        return found

    every = [leaf for c in sync.json for leaf in leaves(c["options"], c["name"])]
    assert len(every) == len(registry.commands) and "gig-admin route add" in every


async def test_every_subcommand_through_interaction_create(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    script = [
        (ALICE_ID, "gig help", {}, "What you can run (member)"), (ALICE_ID, "gig list", {"tag": "php"}, "Open gigs"),
        (ALICE_ID, "gig search", {"text": "wordpress"}, "#1"), (ALICE_ID, "gig show", {"id": 1}, "Fix my"),
        (ALICE_ID, "gig apply", {"id": 1, "pitch": "Ten of these"}, "You applied"),
        (BOB_ID, "gig apply", {"id": 1}, "You applied"), (BOB_ID, "gig withdraw", {"id": 1}, "You withdrew"),
        (BOB_ID, "gig report", {"id": 1, "reason": "fake"}, "Thanks for reporting #1"),
        (ALICE_ID, "gig mine", {}, "applied"), (ALICE_ID, "gig status", {"id": 1, "status": "followed_up"}, "→"),
        (ALICE_ID, "gig snooze", {"id": 1}, "remind you"), (ALICE_ID, "gig reminders", {"id": 1, "state": False},
                                                             "No more reminders"),
        (ALICE_ID, "gig settings", {"tz": "Europe/Paris"}, "Settings saved"), (ALICE_ID, "gig home", {}, "Your"),
        (CAROL_ID, "gig applicants", {"id": 1}, "Applicants to #1"),
        (CAROL_ID, "gig-admin route add", {"channel": str(GIGS_ID), "tags": "php"}, "Route 1 added"),
        (CAROL_ID, "gig-admin route list", {}, "Where gigs are reposted"),
        (CAROL_ID, "gig-admin route remove", {"id": 1}, "Route 1 removed"),
        (CAROL_ID, "gig-admin role add", {"member": str(BOB_ID), "role": "poster"}, "can now post"),
        (CAROL_ID, "gig-admin role remove", {"member": str(BOB_ID), "role": "poster"}, "can no longer post"),
        (CAROL_ID, "gig-admin settings", {"first_nudge": "3d"}, "first 3d"),
        (CAROL_ID, "gig-admin trust", {"member": str(BOB_ID), "trusted": True}, "is now a trusted poster"),
        (CAROL_ID, "gig close", {"id": 1}, "Closed #1"),
        (ALICE_ID, "gig link", {}, "on Slack, type"), (ALICE_ID, "gig link", {"code": "ZZZZ-ZZZZ"}, "no link code"),
        (ALICE_ID, "gig unlink", {}, "nothing to unlink"),
    ]
    for user, name, options, expected in script:
        assert expected in await run(rig, name, options, user=user), name


async def test_members_cannot_run_admin_commands_even_if_discord_shows_them(discord_rig: DiscordRig) -> None:
    answer = await run(discord_rig, "gig-admin route list", user=ALICE_ID)
    assert answer == "Only admins can run `/gig-admin route list`."


async def test_french_from_the_interaction_locale(discord_rig: DiscordRig) -> None:
    discord_rig.fake.locales[ALICE_ID] = "fr"
    assert "Vous n'avez encore candidaté" in await run(discord_rig, "gig mine")


async def test_apply_button_opens_the_pitch_modal_and_buttons_survive_a_restart(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    message = await posted(rig)
    assert custom_ids(message) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    pressed = await rig.fake.click(message, "gig:apply:1", user=ALICE_ID)
    modal = await pressed.callback()
    assert modal.json["type"] == 9 and modal.json["data"]["custom_id"].startswith("gig:form:apply:1:")
    submitted = await rig.fake.submit_modal(pressed, {"pitch": "I fixed ten of these"}, user=ALICE_ID)
    assert "You applied to #1" in content(await submitted.callback())
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Application.pitch))).scalar_one() == "I fixed ten of these"
    await rig.deliver()
    edit = await rig.fake.next_call("PATCH", f"/channels/{GIGS_ID}/messages/*")
    assert "Applicants: 1" in content(edit)
    await rig.disconnect()
    await rig.connect()  # a new process: the old message's buttons still work
    again = await rig.fake.click(message, "gig:show:1", user=BOB_ID)
    assert "Fix my WordPress form" in content(await again.callback())


async def test_a_modal_with_errors_answers_what_to_fix_and_reopens_filled(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    opened = await rig.fake.slash("gig settings", {}, user=ALICE_ID)
    modal = await opened.callback()
    assert modal.json["type"] == 9 and modal.json["data"]["custom_id"].startswith("gig:form:settings::")
    submitted = await rig.fake.submit_modal(opened, {"tz": "Mars/Base", "quiet": "22-7", "nudges": "on",
                                                     "lang": ""}, user=ALICE_ID)
    answer = await submitted.callback()
    assert '"Mars/Base" is not a timezone' in content(answer)
    [refill] = [c for row in answer.json["data"]["components"] for c in row["components"]]
    assert refill["label"] == "Edit and send again" and refill["custom_id"].startswith("gig:refill:")
    assert submitted.message is not None
    reopened = await rig.fake.click(submitted.message, refill["custom_id"], user=ALICE_ID)
    again = await reopened.callback()
    assert again.json["type"] == 9
    values = {c["custom_id"]: c.get("value") for row in again.json["data"]["components"]
              for c in row.get("components", [row.get("component", {})])}
    assert values["tz"] == "Mars/Base" and values["quiet"] == "22-7"


async def test_autocomplete_of_gig_ids_and_tags(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    sent = await rig.fake.autocomplete("gig apply", {"id": "word"}, focused="id", user=ALICE_ID)
    answer = await sent.callback()
    assert answer.json["type"] == 8
    assert answer.json["data"]["choices"] == [{"name": "#1 Fix my WordPress form", "value": 1}]
    sent = await rig.fake.autocomplete("gig list", {"tag": "wo"}, focused="tag", user=ALICE_ID)
    assert (await sent.callback()).json["data"]["choices"] == [{"name": "wordpress", "value": "wordpress"}]


async def test_dms_a_closed_dm_and_a_429(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await run(rig, "gig apply", {"id": 1}, user=BOB_ID)
    await rig.deliver()
    rig.fake.block_dms(BOB_ID)
    rig.fake.rate_limit_next("POST", "/channels/*/messages")
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    await rig.deliver()
    await rig.deliver()
    opened = rig.fake.find("POST", "/users/@me/channels")
    assert sorted(int(c.json["recipient_id"]) for c in opened) == [ALICE_ID, BOB_ID]
    alice_dm = rig.fake.dm_channel(ALICE_ID)["id"]
    dms = rig.fake.find("POST", f"/channels/{alice_dm}/messages")
    assert [c.status for c in dms] == [429, 200]  # waited out and retried by discord.py
    assert "is now closed" in content(dms[-1])
    bob_dm = rig.fake.dm_channel(BOB_ID)["id"]
    assert [c.status for c in rig.fake.find("POST", f"/channels/{bob_dm}/messages")] == [403]  # never retried
    async with rig.core.sessions() as session:
        bob = (await session.execute(select(Member).where(Member.platform_user_id == str(BOB_ID)))).scalar_one()
        assert bob.dm_undeliverable


async def test_the_nudge_flow_as_discord_dms_whose_buttons_work(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await rig.deliver()
    rig.core.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await Scheduler(rig.core, worker="t").run_now()
    await rig.deliver()
    alice_dm = int(rig.fake.dm_channel(ALICE_ID)["id"])
    [nudge] = rig.fake.channel_messages(alice_dm)
    assert nudge["embeds"][0]["title"] == "Time to follow up on #1 · Fix my WordPress form"
    assert "gig:status:1.followed_up" in custom_ids(nudge)
    pressed = await rig.fake.click(nudge, "gig:status:1.followed_up", user=ALICE_ID)  # in the DM: no guild
    assert '#1 "Fix my WordPress form": applied → followed up.' in content(await pressed.callback())


async def test_a_new_community_takes_the_servers_language(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    rig.fake.guilds[GUILD_ID].preferred_locale = "fr"
    await run(rig, "gig help", user=CAROL_ID)
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Community.default_locale))).scalar_one() == "fr"


async def test_slow_work_is_deferred_then_answered_as_a_follow_up(discord_rig: DiscordRig, monkeypatch) -> None:
    from bot.adapters.discord import adapter

    monkeypatch.setattr(adapter, "DEFER_AFTER", 0)
    sent = await discord_rig.fake.slash("gig help", {}, user=ALICE_ID)
    deferred = await sent.callback()
    assert deferred.json["type"] == 5 and deferred.json["data"]["flags"] & EPHEMERAL
    follow_up = await sent.next()
    assert "What you can run" in content(follow_up)


def test_the_invite_url_asks_for_exactly_what_the_bot_needs() -> None:
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import parse_qs, urlsplit

    from tests.adapters.discord.fake_discord import TOKEN

    result = subprocess.run([sys.executable, "-m", "bot", "discord-invite"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[3], env={"DISCORD_TOKEN": TOKEN, "PATH": ""},
                            timeout=60)
    assert result.returncode == 0, result.stderr
    query = parse_qs(urlsplit(result.stdout.strip()).query)
    assert query["client_id"] == [str(APP_ID)] and query["scope"] == ["bot applications.commands"]
    assert int(query["permissions"][0]) == (1 << 10) | (1 << 11) | (1 << 14)  # view, send, embed links


async def test_a_message_sent_again_after_a_crash_is_not_posted_twice(discord_rig: DiscordRig) -> None:
    """The process died after Discord took the repost and before its row was marked sent: the lease runs out and
    the row is delivered again, with the same enforced nonce, so Discord gives back the first message."""
    rig = discord_rig
    first = await posted(rig)
    async with rig.core.sessions() as session:
        await session.execute(update(OutboxMessage).values(state=outbox.SENDING, sent_at=None,
                                                           claimed_until=rig.core.clock.now()))
        await session.commit()
    rig.core.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    assert await rig.deliver() == 1
    posts = rig.fake.find("POST", f"/channels/{GIGS_ID}/messages")
    assert len(posts) == 2 and posts[0].json["nonce"] == posts[1].json["nonce"] and posts[1].json["enforce_nonce"]
    assert [m["id"] for m in rig.fake.channel_messages(GIGS_ID)] == [first["id"]]
    async with rig.core.sessions() as session:
        posting = (await session.execute(select(Posting))).scalar_one()
    assert posting.message_ref == f"{GIGS_ID}:{first['id']}"


async def test_a_search_with_more_pages_has_a_next_page_button_that_shows_the_next_page(
        discord_rig: DiscordRig) -> None:
    rig = discord_rig
    for n in range(7):
        assert "Posted" in await run(rig, "gig post", {"title": f"Logo number {n}", "budget": "80", "tags": "design"},
                                     user=CAROL_ID)
    sent = await rig.fake.slash("gig search", {"text": "logo", "tag": "design"}, user=ALICE_ID)
    callback = await sent.callback()
    assert "More: /gig search logo tag=design page=2" in content(callback)
    [more] = [i for i in custom_ids(callback.json["data"]) if i.startswith("gig:more:")]
    assert len(more) <= 100
    pressed = await rig.fake.click(sent.message, more, user=ALICE_ID)
    second = await pressed.callback()
    assert "page 2 of 2 (7 in all)" in content(second) and "Logo number 0" in content(second)
    assert "Logo number 3" not in content(second)  # a Discord page holds four gigs
