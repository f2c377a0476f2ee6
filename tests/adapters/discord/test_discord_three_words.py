"""Three-word admin commands on Discord: `admin queue retry` syncs as /gig-admin queue retry and runs from there."""

import pytest

from bot.adapters.discord import commands
from bot.core.registry import CommandSpec, Registry
from bot.core.types import Reply, Role
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, APP_ID, CAROL_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import run
from tests.threewords import with_three_words


async def test_three_words_sync_as_group_subgroup_command_and_run(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await rig.disconnect()
    rig.core.dispatcher.registry = with_three_words()
    await rig.connect()
    sync = rig.fake.find("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")[-1]
    admin = next(c for c in sync.json if c["name"] == "gig-admin")
    queue = next(o for o in admin["options"] if o["name"] == "queue")
    assert queue["type"] == 2 and {o["name"] for o in queue["options"]} == {"list", "retry"}
    retry = next(o for o in queue["options"] if o["name"] == "retry")
    assert retry["type"] == 1 and retry["options"][0] | {"name": "id", "type": 4, "required": True} == \
        retry["options"][0]
    assert "queue retried 3" in await run(rig, "gig-admin queue retry", {"id": 3}, user=CAROL_ID)
    assert "queue listed" in await run(rig, "gig-admin queue list", user=CAROL_ID)
    assert "queue retried" not in await run(rig, "gig-admin queue retry", {"id": 3}, user=ALICE_ID)


async def noop(ctx: object) -> Reply:
    return Reply("ok")


def build(*specs: CommandSpec) -> None:
    registry = Registry()
    for spec in specs:
        registry.add(spec)

    async def on_command(*args: object) -> None:
        return None

    async def suggest(*args: object) -> list:  # type: ignore[type-arg]
        return []

    commands.build(registry, on_command, suggest)


def test_a_member_command_of_three_words_is_refused_as_too_deep() -> None:
    with pytest.raises(ValueError, match="'queue list all'.*group > subgroup > command"):
        build(CommandSpec("queue list all", noop))
    build(CommandSpec("admin queue list", noop, role=Role.ADMIN))  # /gig-admin queue list: deep enough


def test_two_commands_that_meet_under_gig_admin_are_refused() -> None:
    with pytest.raises(ValueError, match="'settings'.*taken"):
        build(CommandSpec("admin settings", noop, role=Role.ADMIN), CommandSpec("settings", noop, role=Role.ADMIN))
    with pytest.raises(Exception, match="queue"):  # a command and a group of one name, in either order
        build(CommandSpec("admin queue list", noop, role=Role.ADMIN), CommandSpec("queue", noop, role=Role.ADMIN))


def test_every_discord_group_and_name_of_the_real_registry_is_in_both_catalogs() -> None:
    from bot.commands import registry
    from bot.core.i18n import catalog

    missing = []
    for spec in registry:
        words = commands.discord_words(spec)
        keys = [f"discord.names.{word}" for word in words] + [f"discord.groups.{word}" for word in words[:-1]]
        missing += [f"{locale}: {key} ({spec.name})" for locale in ("en", "fr") for key in keys
                    if key not in catalog(locale)]
    assert missing == []
