"""The review queue on Discord: the card in the review channel, Approve, and Reject's reason modal."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Gig
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID, CAROL_ID, GIGS_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import content, custom_ids, run
from tests.adapters.discord.test_discord_forms import buttons, inputs, opened
from tests.commands.queue_helpers import hold_gig


def embed_text(message: dict) -> str:
    """A message's content, embeds and their footers."""
    footers = [(embed.get("footer") or {}).get("text", "") for embed in message.get("embeds") or []]
    return "\n".join([content(type("Sent", (), {"json": message})()), *footers])


def card_in(rig: DiscordRig, channel: int) -> dict:
    """The review card: the bot's one message in the channel (the answers to clicks are the others)."""
    [card] = [m for m in rig.fake.channel_messages(channel) if m.get("embeds")]
    return card


async def held_on_discord(rig: DiscordRig) -> tuple[int, int]:
    """Carol sets #gigs and a review channel; Alice's gig is held; return (review channel, gig id)."""
    review = rig.fake.add_channel(GUILD_ID, "gig-review")
    assert "#" in await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    answer = await run(rig, "gig-admin review-channel", {"channel": str(review)}, user=CAROL_ID)
    assert f"<#{review}>" in answer
    assert "can't be the review channel" in await run(rig, "gig-admin review-channel", {"channel": str(GIGS_ID)},
                                                      user=CAROL_ID)
    await run(rig, "gig mine", user=ALICE_ID)
    gig_id = await hold_gig(rig.core.sessions, rig.core.clock, ("discord", str(ALICE_ID)), ("discord", str(GUILD_ID)))
    await rig.deliver()
    return review, gig_id


async def test_the_card_reaches_the_review_channel_and_approve_publishes(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    review, gig_id = await held_on_discord(rig)
    card = card_in(rig, review)
    assert custom_ids(card) == [f"gig:approve:{gig_id}", f"gig:reject:{gig_id}"]
    assert "Asks applicants to pay a deposit" in embed_text(card) and f"<@{ALICE_ID}>" in embed_text(card)
    assert rig.fake.channel_messages(GIGS_ID) == []
    refused = await rig.fake.click(card, f"gig:approve:{gig_id}", user=BOB_ID)
    assert "Only admins" in content(await refused.callback())
    pressed = await rig.fake.click(card, f"gig:approve:{gig_id}", user=CAROL_ID)
    assert f"Approved #{gig_id}" in content(await pressed.callback())
    await rig.deliver()
    [posting] = rig.fake.channel_messages(GIGS_ID)
    assert "Landing page for a bakery" in embed_text(posting)
    card = card_in(rig, review)
    assert custom_ids(card) == [] and "Approved by" in embed_text(card)
    assert any("is now live" in m.get("content", "") for m in rig.fake.dm_messages(ALICE_ID))


async def test_reject_opens_the_reason_modal_and_the_poster_reads_the_reason(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    review, gig_id = await held_on_discord(rig)
    card = card_in(rig, review)
    pressed = await rig.fake.click(card, f"gig:reject:{gig_id}", user=CAROL_ID)
    modal = await opened(pressed)
    assert modal["title"] == f"Reject #{gig_id}" and list(inputs(modal)) == ["reason"]
    [row] = modal["components"]
    assert row["components"][0]["style"] == 2 and row["components"][0]["required"] is True  # paragraph, required
    sent = await rig.fake.submit_modal(pressed, {"reason": "Asks for a registration fee"}, user=CAROL_ID)
    answer = await sent.callback()
    assert f"Rejected #{gig_id}" in content(answer), content(answer)
    assert buttons(answer) == {}
    await rig.deliver()
    card = card_in(rig, review)
    assert custom_ids(card) == [] and "Asks for a registration fee" in embed_text(card)
    [dm] = rig.fake.dm_messages(ALICE_ID)
    assert dm["content"].endswith("An admin's reason: Asks for a registration fee")
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "rejected"
