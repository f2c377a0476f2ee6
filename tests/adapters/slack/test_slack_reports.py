"""The Report button on Slack: it opens a modal asking for the reason; submitting it records the report."""

import json

from sqlalchemy import select

from bot.store.models import GigReport, Member
from tests.adapters.slack.conftest import SlackRig, action_ids, texts
from tests.adapters.slack.test_slack_interactions import posted


async def reported(slack: SlackRig) -> list[tuple[str, str]]:
    async with slack.core.sessions() as session:
        rows = await session.execute(select(Member.platform_user_id, GigReport.reason)
                                     .join(Member, Member.id == GigReport.member_id).order_by(GigReport.id))
        return [(user, reason) for user, reason in rows]


async def test_the_report_button_opens_the_reason_modal_and_its_submission_reports(slack: SlackRig) -> None:
    await posted(slack)
    [post] = slack.fake.made("chat.postMessage")
    assert action_ids(post)[-1] == "gig:report:1"
    assert (await slack.press("U1", "gig:report:1"))[0] == 200
    view = (await slack.fake.next("views.open")).args["view"]
    assert view["callback_id"] == "gig:form:report" and json.loads(view["private_metadata"])["args"] == ["1"]
    assert view["title"]["text"] == "Report #1" and "Fix my WordPress form" in texts_of(view)
    [reason] = [b for b in view["blocks"] if b["type"] == "input"]
    assert reason["block_id"] == "reason" and reason["optional"] is True and reason["element"]["multiline"] is True
    assert await reported(slack) == []  # opening the modal records nothing
    status, text = await slack.submit("U1", view, {"reason": "Asks for a deposit over WhatsApp"})
    assert (status, text) == (200, "")
    confirmation = await slack.fake.next("chat.postEphemeral")
    assert 'Thanks for reporting #1 "Fix my WordPress form"' in texts(confirmation)
    assert (await slack.press("U2", "gig:report:1"))[0] == 200
    second = (await slack.fake.next("views.open")).args["view"]
    assert (await slack.submit("U2", second, {"reason": ""}))[0] == 200  # the reason is optional
    await slack.fake.next("chat.postEphemeral")
    assert await reported(slack) == [("U1", "Asks for a deposit over WhatsApp"), ("U2", "")]
    assert (await slack.press("U1", "gig:report:1"))[0] == 200  # once per member: no second modal
    assert "You already reported #1" in texts(await slack.fake.next("response_url"))
    assert len(slack.fake.made("views.open")) == 2


def texts_of(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)
