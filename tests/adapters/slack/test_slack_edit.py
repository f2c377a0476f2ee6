"""`gig edit` on Slack: the Edit button of `gig show` opens the post modal filled with the gig, errors come back
under their inputs, and the saved edit updates the channel's message."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.store.models import Gig
from tests.adapters.slack.conftest import SlackRig, action_ids, texts
from tests.adapters.slack.test_slack_interactions import posted


def initial(element: dict) -> str | None:
    """What an input element shows before the member types anything."""
    if "initial_option" in element:
        return str(element["initial_option"]["value"])
    return element.get("initial_value") or element.get("initial_date")


async def test_the_edit_button_opens_the_post_modal_filled_with_the_gig(slack: SlackRig) -> None:
    await posted(slack)
    shown = await slack.command("UADMIN", "show 1")
    assert action_ids(shown) == ["gig:apply:1", "gig:edit:1"]
    assert "gig:edit:1" not in action_ids(await slack.command("U1", "show 1"))  # not the poster, not an admin
    assert (await slack.press("UADMIN", "gig:edit:1"))[0] == 200
    view = (await slack.fake.next("views.open")).args["view"]
    assert view["callback_id"] == "gig:form:edit" and json.loads(view["private_metadata"])["args"] == ["1"]
    assert view["title"]["text"] == "Edit gig #1" and view["submit"]["text"] == "Save"
    filled = {b["block_id"]: initial(b["element"]) for b in view["blocks"] if b["type"] == "input"}
    assert filled == {"title": "Fix my WordPress form", "budget": "150 EUR", "tags": "wordpress, php",
                      "description": None, "apply_url": None, "remote": "yes", "location": None, "hours": None,
                      "apply_by": "2027-06-30", "source": None}
    values = {name: value for name, value in filled.items() if value is not None}
    status, text = await slack.submit("UADMIN", view, values | {"budget": "free", "hours": "0"})
    assert status == 200 and set(json.loads(text)["errors"]) == {"budget", "hours"}
    status, text = await slack.submit("UADMIN", view, values | {"budget": "200 EUR"})
    assert (status, text) == (200, "")
    confirmation = await slack.fake.next("chat.postEphemeral")
    assert 'Edited #1 "Fix my WordPress form" (budget): 1 posting updated, 0 applicants told.' in texts(confirmation)
    await slack.deliver()
    [update] = slack.fake.made("chat.update")
    post = slack.fake.made("chat.postMessage")[0]
    assert (update.args["channel"], update.args["ts"]) == ("C0GIGS", post.args["_reply"]["ts"])
    assert "*Budget*\n€200" in texts(update)
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Gig.budget_max))).scalar_one() == 20000
