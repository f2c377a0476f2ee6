"""My data and forget-me through the real discord.py client against the fake Discord."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.store.models import Member
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID
from tests.adapters.discord.test_discord_adapter import EPHEMERAL, content, custom_ids, run


async def test_my_data_comes_as_a_file_with_the_private_answer(discord_rig: DiscordRig) -> None:
    sent = await discord_rig.fake.slash("gig my-data", {}, user=ALICE_ID)
    callback = await sent.callback()
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "everything gigbot keeps about you" in content(callback)
    [file] = callback.files
    assert file["filename"].startswith(f"gigbot-data-discord-{ALICE_ID}-")
    data = json.loads(file["data"])
    assert data["members"][0]["platform_user_id"] == str(ALICE_ID)


async def test_forget_me_confirms_with_its_button_and_the_audit_log_shows_no_name(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    warning_sent = await rig.fake.slash("gig forget-me", {}, user=ALICE_ID)
    warning = await warning_sent.callback()
    assert "This cannot be undone" in content(warning)
    assert custom_ids(warning.json["data"]) == ["gig:forget_me:confirm"]
    assert warning_sent.message is not None
    pressed = await rig.fake.click(warning_sent.message, "gig:forget_me:confirm", user=ALICE_ID)
    done = await pressed.callback()
    assert "Your personal data is deleted" in content(done)
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Member).where(Member.platform_user_id == str(ALICE_ID)))).first() \
            is None
    log = await run(rig, "gig-admin audit", {}, user=CAROL_ID)
    assert "a member's personal data was deleted" in log and str(ALICE_ID) not in log
