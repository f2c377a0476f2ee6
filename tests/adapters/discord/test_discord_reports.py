"""The Report button on Discord: it opens a modal asking for the reason; submitting it records the report."""

from sqlalchemy import select

from bot.store.models import GigReport, Member
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, BOB_ID
from tests.adapters.discord.test_discord_adapter import content, custom_ids, posted


async def reported(rig: DiscordRig) -> list[tuple[int, str]]:
    async with rig.core.sessions() as session:
        rows = await session.execute(select(Member.platform_user_id, GigReport.reason)
                                     .join(Member, Member.id == GigReport.member_id).order_by(GigReport.id))
        return [(int(user), reason) for user, reason in rows]


async def test_the_report_button_opens_the_reason_modal_and_its_submission_reports(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    message = await posted(rig)
    assert custom_ids(message)[-1] == "gig:report:1"
    pressed = await rig.fake.click(message, "gig:report:1", user=ALICE_ID)
    modal = (await pressed.callback()).json
    assert modal["type"] == 9 and modal["data"]["custom_id"].startswith("gig:form:report:1:")
    assert modal["data"]["title"] == "Report #1"
    [reason] = [c for row in modal["data"]["components"] for c in row["components"]]
    assert reason["custom_id"] == "reason" and reason["style"] == 2 and not reason.get("required")
    assert await reported(rig) == []  # opening the modal records nothing
    submitted = await rig.fake.submit_modal(pressed, {"reason": "Wants my ID card before the interview"},
                                            user=ALICE_ID)
    assert 'Thanks for reporting #1 "Fix my WordPress form"' in content(await submitted.callback())
    bob = await rig.fake.click(message, "gig:report:1", user=BOB_ID)
    await bob.callback()
    empty = await rig.fake.submit_modal(bob, {"reason": ""}, user=BOB_ID)  # the reason is optional
    assert "Thanks for reporting #1" in content(await empty.callback())
    assert await reported(rig) == [(ALICE_ID, "Wants my ID card before the interview"), (BOB_ID, "")]
    again = await rig.fake.click(message, "gig:report:1", user=ALICE_ID)  # once per member: no second modal
    answer = await again.callback()
    assert answer.json["type"] == 4 and "You already reported #1" in content(answer)
