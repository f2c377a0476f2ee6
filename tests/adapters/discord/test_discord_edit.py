"""`gig edit` on Discord: the Edit button opens the post form in steps filled with the gig, a step can be saved as
it is, and a forum thread is renamed and re-tagged when the title or tags change."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Gig
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID, GIGS_ID
from tests.adapters.discord.test_discord_adapter import content, custom_ids, posted, run
from tests.adapters.discord.test_discord_forms import buttons, inputs, opened
from tests.adapters.discord.test_discord_forum import FORUM_ID, add_forum, post_to_forum, tag_names


async def test_the_edit_button_opens_the_post_form_filled_with_the_gig(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    show = await rig.fake.slash("gig show", {"id": 1}, user=CAROL_ID)
    answer = await show.callback()
    assert buttons(answer)["Edit"] == "gig:edit:1"
    assert "Edit" not in buttons(await (await rig.fake.slash("gig show", {"id": 1}, user=ALICE_ID)).callback())
    assert show.message is not None
    click = await rig.fake.click(show.message, "gig:edit:1", user=CAROL_ID)
    first = await opened(click)
    assert first["title"] == "Edit gig #1 (1/2)"
    assert inputs(first) == {"title": "Fix my WordPress form", "budget": "150 EUR", "tags": "wordpress, php",
                             "description": None, "apply_url": None}
    step = await rig.fake.submit_modal(click, {"budget": "200 EUR"}, user=CAROL_ID)
    saved = await step.callback()
    assert "Step 1 of 2 saved" in content(saved)
    assert step.message is not None
    later = await rig.fake.click(step.message, buttons(saved)["Continue"], user=CAROL_ID)
    second = await opened(later)
    assert inputs(second) == {"remote": "yes", "location": None, "hours": None, "apply_by": "2027-06-30",
                              "source": None}
    done = await rig.fake.submit_modal(later, {"hours": "12"}, user=CAROL_ID)
    assert 'Edited #1 "Fix my WordPress form" (budget, hours)' in content(await done.callback())
    await rig.deliver()
    [message] = rig.fake.channel_messages(GIGS_ID)
    assert {"name": "Budget", "value": "€200", "inline": True} in message["embeds"][0]["fields"]
    async with rig.core.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
    assert (gig.budget_max, gig.hours, gig.title) == (20000, 12, "Fix my WordPress form")
    assert "Only posters and admins" in await run(rig, "gig edit", {"id": 1, "budget": "1"}, user=ALICE_ID)


async def test_an_edit_renames_and_retags_the_forum_thread(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    add_forum(rig)
    thread = await post_to_forum(rig)
    assert tag_names(rig, thread) == ["wordpress", "PHP"]
    reply = await run(rig, "gig edit", {"id": 1, "title": "Fix my PHP contact form", "tags": "php,forms"},
                      user=CAROL_ID)
    assert 'Edited #1 "Fix my PHP contact form" (title, tags): 1 posting updated' in reply
    await rig.deliver()
    [edited] = rig.fake.threads_in(FORUM_ID)
    assert edited["id"] == thread["id"] and edited["name"] == "#1 · Fix my PHP contact form"
    assert tag_names(rig, edited) == ["PHP", "forms"]
    first = rig.fake.messages[int(thread["id"])]
    assert first["embeds"][0]["title"] == "#1 · Fix my PHP contact form"
    assert custom_ids(first) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    patches = len(rig.fake.find("PATCH", f"/channels/{thread['id']}"))
    await run(rig, "gig edit", {"id": 1, "hours": "3"}, user=CAROL_ID)  # neither title nor tags: no rename
    await rig.deliver()
    assert len(rig.fake.find("PATCH", f"/channels/{thread['id']}")) == patches
