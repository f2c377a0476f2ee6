"""Discord forms: every open modal stays tied to its member and gig, on any replica and after a restart; a form of
more than five inputs comes in steps; errors come back by field with a button that reopens the form filled."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.store.models import Application, Gig, Member
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID, CAROL_ID, GIGS_ID, SentInteraction
from tests.adapters.discord.test_discord_adapter import POST, content, posted, run


def inputs(modal: dict) -> dict[str, str | None]:
    """The text inputs of an opened modal: custom_id -> the value it is filled with."""
    return {c["custom_id"]: c.get("value") for row in modal["components"] for c in row["components"]}


def buttons(call: object) -> dict[str, str]:
    """The buttons of an answer: label -> custom_id."""
    body = call.json  # type: ignore[attr-defined]
    data = body.get("data", body)  # an interaction callback wraps the message; a follow-up is the message
    return {c["label"]: c["custom_id"] for row in data.get("components", []) for c in row["components"]}


async def opened(sent: SentInteraction) -> dict:
    """The modal the bot opened in answer to an interaction."""
    callback = await sent.callback()
    assert callback.json["type"] == 9, callback.json
    return callback.json["data"]


async def applications(rig: DiscordRig) -> list[tuple[int, str, str]]:
    async with rig.core.sessions() as session:
        rows = await session.execute(select(Application.gig_id, Member.platform_user_id, Application.pitch)
                                     .join(Member, Member.id == Application.member_id).order_by(Application.gig_id))
        return [(gig, int(user), pitch) for gig, user, pitch in rows]


async def two_gigs(rig: DiscordRig) -> tuple[dict, dict]:
    first = await posted(rig)
    assert "Posted gig #2" in await run(rig, "gig post", POST | {"title": "Logo for a bakery"}, user=CAROL_ID)
    await rig.deliver()
    second = next(m for m in rig.fake.channel_messages(GIGS_ID) if m["id"] != first["id"])
    return first, second


@pytest.mark.parametrize("bob_first", [False, True])
async def test_two_members_apply_forms_open_at_once_each_land_on_their_own_gig(discord_rig: DiscordRig,
                                                                               bob_first: bool) -> None:
    rig = discord_rig
    first, second = await two_gigs(rig)
    alice = await rig.fake.click(first, "gig:apply:1", user=ALICE_ID)
    alice_modal = await opened(alice)
    bob = await rig.fake.click(second, "gig:apply:2", user=BOB_ID)
    bob_modal = await opened(bob)
    submissions = [(alice, ALICE_ID, "Alice on the form", "#1"), (bob, BOB_ID, "Bob on the logo", "#2")]
    for sent, user, pitch, gig in reversed(submissions) if bob_first else submissions:
        answer = await rig.fake.submit_modal(sent, {"pitch": pitch}, user=user)
        assert f"You applied to {gig}" in content(await answer.callback())
    assert await applications(rig) == [(1, ALICE_ID, "Alice on the form"), (2, BOB_ID, "Bob on the logo")]
    assert alice_modal["custom_id"] != bob_modal["custom_id"] and len(bob_modal["custom_id"]) <= 100


async def test_forms_opened_before_a_restart_are_taken_after_it(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    message = await posted(rig)
    apply = await rig.fake.click(message, "gig:apply:1", user=ALICE_ID)
    await opened(apply)
    settings = await rig.fake.slash("gig settings", {}, user=BOB_ID)
    await opened(settings)
    await rig.disconnect()
    await rig.connect()  # a new process (or another replica) with nothing in memory
    sent = await rig.fake.submit_modal(settings, {"tz": "Mars/Base", "quiet": "", "nudges": "on", "lang": ""},
                                       user=BOB_ID)
    answer = await sent.callback()
    assert '"Mars/Base" is not a timezone' in content(answer)
    await rig.disconnect()
    await rig.connect()
    assert sent.message is not None
    reopened = await rig.fake.click(sent.message, buttons(answer)["Edit and send again"], user=BOB_ID)
    assert inputs(await opened(reopened))["tz"] == "Mars/Base"
    fixed = await rig.fake.submit_modal(reopened, {"tz": "Europe/Paris"}, user=BOB_ID)
    assert "Settings saved" in content(await fixed.callback())
    sent = await rig.fake.submit_modal(apply, {"pitch": "Typed before the restart"}, user=ALICE_ID)
    assert "You applied to #1" in content(await sent.callback())
    assert await applications(rig) == [(1, ALICE_ID, "Typed before the restart")]
    async with rig.core.sessions() as session:
        bob = (await session.execute(select(Member).where(Member.platform_user_id == str(BOB_ID)))).scalar_one()
    assert bob.timezone == "Europe/Paris"


async def test_the_post_form_comes_in_two_steps_and_errors_reopen_it_filled(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    command = await rig.fake.slash("gig post", {}, user=CAROL_ID)
    first = await opened(command)
    assert first["title"] == "Post a gig (1/2)"
    assert list(inputs(first)) == ["title", "budget", "tags", "description", "apply_url"]
    step = await rig.fake.submit_modal(command, {"title": "Fix my WordPress form", "budget": "150 EUR"},
                                       user=CAROL_ID)
    answer = await step.callback()
    assert "Step 1 of 2 saved" in content(answer) and "Estimated hours" in content(answer)
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Gig))).first() is None  # nothing posted before the last step
    await rig.disconnect()
    await rig.connect()
    assert step.message is not None
    second_step = await rig.fake.click(step.message, buttons(answer)["Continue"], user=CAROL_ID)
    second = await opened(second_step)
    assert second["title"] == "Post a gig (2/2)"
    assert list(inputs(second)) == ["remote", "location", "hours", "apply_by", "source"]
    typed = {"remote": "no", "location": "Lyon", "hours": "5000", "apply_by": "2027-06-30", "source": "a client"}
    sent = await rig.fake.submit_modal(second_step, typed, user=CAROL_ID)
    errors = await sent.callback()
    assert "Estimated hours:" in content(errors)  # listed by field, under the field's label
    async with rig.core.sessions() as session:
        assert (await session.execute(select(Gig))).first() is None
    assert sent.message is not None
    again = await rig.fake.click(sent.message, buttons(errors)["Edit and send again"], user=CAROL_ID)
    assert inputs(await opened(again))["title"] == "Fix my WordPress form"
    step = await rig.fake.submit_modal(again, {}, user=CAROL_ID)
    answer = await step.callback()
    assert step.message is not None
    last = await rig.fake.click(step.message, buttons(answer)["Continue"], user=CAROL_ID)
    assert inputs(await opened(last))["hours"] == "5000"
    done = await rig.fake.submit_modal(last, {"hours": "12"}, user=CAROL_ID)
    assert 'Posted gig #1 "Fix my WordPress form"' in content(await done.callback())
    async with rig.core.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
    assert (gig.remote, gig.location, gig.hours, gig.apply_by, gig.source) == (
        False, "Lyon", 12, date(2027, 6, 30), "a client")


async def test_a_step_can_be_sent_as_it_is_and_only_by_its_member(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    command = await rig.fake.slash("gig post", {}, user=CAROL_ID)
    await opened(command)
    step = await rig.fake.submit_modal(command, {"title": "Fix my WordPress form", "budget": "150 EUR"},
                                       user=CAROL_ID)
    answer = await step.callback()
    assert step.message is not None
    send_now = buttons(answer)["Post now"]
    other = await rig.fake.click(step.message, send_now, user=ALICE_ID)
    assert "no longer open" in content(await other.callback())
    sent = await rig.fake.click(step.message, send_now, user=CAROL_ID)
    assert 'Posted gig #1 "Fix my WordPress form"' in content(await sent.callback())
    again = await rig.fake.click(step.message, send_now, user=CAROL_ID)  # a form sent is closed
    assert "no longer open" in content(await again.callback())


async def test_a_form_that_cannot_open_in_time_comes_as_a_button_that_opens_it(discord_rig: DiscordRig,
                                                                                monkeypatch) -> None:
    from bot.adapters.discord import adapter

    rig = discord_rig
    monkeypatch.setattr(adapter, "DEFER_AFTER", 0)  # the answer comes after the interaction was deferred
    command = await rig.fake.slash("gig settings", {}, user=ALICE_ID)
    assert (await command.callback()).json["type"] == 5
    follow_up = await command.next()
    assert "could not open by itself" in content(follow_up)
    [message] = command.messages
    pressed = await rig.fake.click(message, buttons(follow_up)["Open the form"], user=ALICE_ID)
    assert set(inputs(await opened(pressed))) == {"tz", "quiet", "nudges", "lang"}
