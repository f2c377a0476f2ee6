"""My data, forget-me and the app's uninstall through the real Slack adapter, against the fake Slack."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.store.models import Application, Gig, Member, OutboxMessage, Workspace
from tests.adapters.slack.conftest import SlackRig, action_ids, texts

POST = 'post title="Fix my WordPress form" budget="150 EUR" tags=wordpress'


async def test_my_data_goes_to_the_members_dm_and_the_answer_says_so(slack: SlackRig) -> None:
    await slack.command("U1", 'settings tz=Europe/Paris')
    answer = await slack.command("U1", "my-data")
    await slack.settle()
    assert "The file is in your direct messages with gigbot." in texts(answer)
    [share] = slack.fake.shared
    assert share["channel"] == "DU1"
    [sent] = share["files"]
    assert sent["filename"].startswith("gigbot-data-slack-U1-")
    data = json.loads(sent["data"])
    assert data["members"][0]["platform_user_id"] == "U1" and data["members"][0]["timezone"] == "Europe/Paris"


async def test_a_failed_upload_is_said_in_the_answer(slack: SlackRig) -> None:
    slack.fake.fail("files.completeUploadExternal", "invalid_arguments")
    answer = await slack.command("U1", "my-data")
    assert "could not be sent to your direct messages: invalid_arguments" in texts(answer)
    assert slack.fake.shared == []


async def test_forget_me_asks_then_the_button_forgets_without_meeting_the_member_again(slack: SlackRig) -> None:
    await slack.command("U1", "help")
    warning = await slack.command("U1", "forget-me")
    assert "cannot be undone" in texts(warning) and action_ids(warning) == ["gig:forget_me:confirm"]
    await slack.settle()
    status, _ = await slack.press("U1", "gig:forget_me:confirm")
    assert status == 200
    done = await slack.fake.next("response_url")
    await slack.settle()
    assert "Your personal data is deleted" in texts(done)
    assert slack.fake.made("views.publish") == []  # the App Home would have made the member again
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Member).where(Member.platform_user_id == "U1"))).first() is None


def uninstall(event_id: str, event: dict[str, object]) -> dict[str, object]:
    return {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
            "event_time": 1700000000, "event": event}


async def test_an_uninstall_forgets_the_workspace_its_members_and_the_gigs_of_a_board_left_with_no_place(
        slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    await slack.deliver()
    await slack.command("U1", 'apply 1 pitch="I did this for U1 before"')
    assert (await slack.event(uninstall("Ev1", {"type": "app_uninstalled"})))[0] == 200
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Workspace))).first() is None
        assert (await session.execute(select(func.count()).select_from(Gig))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(Application))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one() == 0
        users = (await session.execute(select(Member.platform_user_id))).scalars().all()
    assert users and all(user.startswith("forgotten-") for user in users)
    assert await slack.deliver() == 0
    again = uninstall("Ev2", {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    assert (await slack.event(again))[0] == 200  # nothing left to do: the same answer, nothing changes
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Member.platform_user_id))).scalars().all() == users


async def test_revoked_user_tokens_alone_change_nothing(slack: SlackRig) -> None:
    await slack.command("U1", "help")
    event = uninstall("Ev3", {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}})
    assert (await slack.event(event))[0] == 200
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Member).where(Member.platform_user_id == "U1"))).first() is not None
        assert (await session.execute(select(Workspace))).first() is not None
