"""The review queue on Slack: the card in the review channel, Approve, and Reject's reason modal."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.store.models import Gig
from tests.adapters.slack.conftest import SlackRig, action_ids, texts
from tests.commands.queue_helpers import hold_gig


async def held_on_slack(slack: SlackRig) -> int:
    """The admin sets #gigs and #review; U1's gig is held and its card delivered; return the gig id."""
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    answer = await slack.command("UADMIN", "admin review-channel <#C0REVIEW|review>")
    assert "shown to admins in <#C0REVIEW>" in texts(answer)
    refused = await slack.command("UADMIN", "admin review-channel <#C0GIGS|gigs>")
    assert "can't be the review channel" in texts(refused)
    await slack.command("U1", "mine")
    gig_id = await hold_gig(slack.core.sessions, slack.core.clock, ("slack", "U1"), ("slack", "T1"))
    await slack.settle()
    await slack.deliver()
    return gig_id


async def test_the_card_reaches_the_review_channel_and_approve_publishes(slack: SlackRig) -> None:
    gig_id = await held_on_slack(slack)
    [card] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "C0REVIEW"]
    assert action_ids(card) == [f"gig:approve:{gig_id}", f"gig:reject:{gig_id}"]
    assert "Asks applicants to pay a deposit" in texts(card) and "<@U1>" in texts(card)
    assert (await slack.press("U2", f"gig:approve:{gig_id}"))[0] == 200
    assert "Only admins" in texts(await slack.fake.next("response_url"))
    assert (await slack.press("UADMIN", f"gig:approve:{gig_id}"))[0] == 200
    assert f"Approved #{gig_id}" in texts(await slack.fake.next("response_url"))
    await slack.settle()
    await slack.deliver()
    [posting] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "C0GIGS"]
    assert "Landing page for a bakery" in texts(posting)
    [edit] = [c for c in slack.fake.made("chat.update") if c.args["channel"] == "C0REVIEW"]
    assert edit.args["ts"] == card.args["_reply"]["ts"]
    assert action_ids(edit) == [] and "Approved by <@UADMIN>" in texts(edit)
    assert any("is now live" in texts(c) for c in slack.fake.made("chat.postMessage")
               if c.args["channel"].startswith("D"))


async def test_reject_opens_the_reason_modal_and_the_poster_reads_the_reason(slack: SlackRig) -> None:
    gig_id = await held_on_slack(slack)
    assert (await slack.press("UADMIN", f"gig:reject:{gig_id}"))[0] == 200
    view = (await slack.fake.next("views.open")).args["view"]
    assert view["callback_id"] == "gig:form:reject" and json.loads(view["private_metadata"])["args"] == [str(gig_id)]
    [reason] = [b for b in view["blocks"] if b["type"] == "input"]
    assert reason["block_id"] == "reason" and reason["element"]["multiline"] is True
    assert reason.get("optional") is not True
    status, text = await slack.submit("UADMIN", view, {"reason": "Asks for a <registration> fee"})
    assert (status, text) == (200, "")
    assert f"Rejected #{gig_id}" in texts(await slack.fake.next("chat.postEphemeral"))
    await slack.settle()
    await slack.deliver()
    [dm] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"].startswith("D")]
    assert texts(dm).endswith("An admin's reason: Asks for a &lt;registration&gt; fee")
    [edit] = [c for c in slack.fake.made("chat.update") if c.args["channel"] == "C0REVIEW"]
    assert action_ids(edit) == [] and "Rejected by <@UADMIN>" in texts(edit)
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "rejected"
