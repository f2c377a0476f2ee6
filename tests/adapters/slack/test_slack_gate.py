"""The posting gate on Slack: a held post's answer, and an admin's Publish anyway button."""

from tests.adapters.slack.conftest import SlackRig, action_ids, texts

FIRST = ('post title="Logo for a bakery" budget="120 EUR" tags=design description="Our bakery needs a simple logo '
         'with a wordmark and two colour variants, as SVG and PNG."')
PING = ('post title="Survey page" budget="50 EUR" description="<!channel> read this: a small survey page to build '
        'for the whole community, one form and a thank-you page."')


async def test_a_first_gig_is_held_and_an_admins_ping_comes_with_publish_anyway(slack: SlackRig) -> None:
    await slack.command("UADMIN", "role add <@U3|bob> poster")
    held = await slack.command("U3", FIRST)
    assert 'Gig #1 "Logo for a bakery" is waiting for an admin\'s review before it goes live.' in texts(held)
    assert "First gig: an admin looks at every new poster's first gig." in texts(held)
    assert not [a for a in action_ids(held) if a.startswith("gig:apply:")]

    answer = await slack.command("UADMIN", PING)
    shown = texts(answer)
    assert 'Gig #2 "Survey page" is held: posted by anyone else, it would wait for review.' in shown
    assert "Pings the whole channel: &lt;!channel&gt;." in shown  # quoted, escaped: it pings nobody
    assert action_ids(answer)[-1] == "gig:approve:2"
    [button] = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == "gig:approve:2"]
    assert button["text"]["text"] == "Publish anyway" and button["style"] == "primary"
