"""What members see on Slack: pages that fit in a message, closed postings without buttons, references."""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.adapters.slack.conftest import SECRET, SlackRig, action_ids, texts


@pytest.fixture
def settings() -> Settings:
    """Slack's test settings with the largest page size an operator may configure."""
    return Settings(admins="slack:UADMIN", database_url="sqlite+aiosqlite:///:memory:", _env_file=None,
                    slack_bot_token="xoxb-test", slack_signing_secret=SECRET, page_size=25)


async def test_a_page_of_the_list_fits_in_one_slack_message(slack: SlackRig) -> None:
    for number in range(1, 18):
        await slack.command("UADMIN", f'post title="WordPress form number {number}" budget="150 EUR"')
    listing = await slack.command("U1", "list")
    assert "page 1 of 2 (17 in all)" in texts(listing)
    assert len(listing.args["blocks"]) <= 50
    shown = [b["text"]["text"] for b in listing.args["blocks"] if b["type"] == "header"]
    assert len(shown) == 15 and shown[-1].startswith("#3 ")  # every gig shown has its buttons: none cut off
    assert action_ids(listing)[-3:-1] == ["gig:apply:3", "gig:show:3"]
    assert action_ids(listing)[-1].startswith("gig:more:")  # and the Next page button after them


async def test_admins_see_the_channels_and_members_of_undelivered_messages_as_references(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", 'post title="Fix my WordPress form" budget="150 EUR"')
    slack.fake.fail("chat.postMessage", "channel_not_found")
    await slack.deliver()
    [notice] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DUADMIN"]
    assert "to <#C0GIGS> on slack" in notice.args["text"] and "C0GIGS" not in texts(notice).replace("<#C0GIGS>", "")
    await slack.command("U1", "apply 1")
    await slack.command("UADMIN", "close 1")
    slack.fake.fail("chat.postMessage", "messages_tab_disabled")  # U1's closing notice is refused
    await slack.deliver()
    listing = texts(await slack.command("UADMIN", "admin outbox list"))
    assert "DM to <@U1>" in listing and "post to <#C0GIGS>" in listing


async def test_a_closed_posting_is_updated_without_its_buttons(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", 'post title="Fix my WordPress form" budget="150 EUR"')
    await slack.deliver()
    [post] = slack.fake.made("chat.postMessage")
    assert action_ids(post) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    await slack.command("UADMIN", "close 1")
    await slack.deliver()
    [update] = slack.fake.made("chat.update")
    assert update.args["ts"] == post.args["_reply"]["ts"] and "[Closed]" in texts(update)
    assert action_ids(update) == [] and all(b["type"] != "actions" for b in update.args["blocks"])
