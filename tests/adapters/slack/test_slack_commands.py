import json
import time

from tests.adapters.slack.conftest import SlackRig, action_ids, payload, texts

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes'


async def test_url_verification_echoes_the_challenge(slack: SlackRig) -> None:
    body = payload("url_verification")
    status, text = await slack.event(body)
    assert status == 200 and json.loads(text) == {"challenge": body["challenge"]}


async def test_a_slash_command_is_acked_at_once_and_answered_through_response_url(slack: SlackRig) -> None:
    answer = await slack.command("U1", "help")
    assert answer.args["response_type"] == "ephemeral" and answer.args["replace_original"] is False
    assert "What you can run (member):" in texts(answer)
    assert [c.method for c in slack.fake.calls if c.method != "response_url"] == ["auth.test", "users.info"]


async def test_post_list_apply_mine_through_slack(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    answer = await slack.command("UADMIN", POST.removeprefix("/gig "))
    assert 'Posted gig #1 "Fix my WordPress form" to <#C0GIGS>.' in texts(answer)
    assert await slack.deliver() == 1
    [post] = slack.fake.made("chat.postMessage")
    assert post.args["channel"] == "C0GIGS" and post.args["text"] == "#1 · Fix my WordPress form"
    assert action_ids(post) == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    assert "link_names" not in post.args
    listing = await slack.command("U1", "list tag=php")
    assert "Open gigs, page 1 of 1 (1 in all):" in texts(listing) and action_ids(listing) == ["gig:apply:1",
                                                                                              "gig:show:1"]
    applied = await slack.command("U1", 'apply 1 pitch="I fixed ten of these"')
    assert 'You applied to #1 "Fix my WordPress form". Good luck!' in texts(applied)
    mine = await slack.command("U1", "mine")
    assert "#1 Fix my WordPress form: applied, changed today" in texts(mine)


async def test_users_locale_chooses_french(slack: SlackRig) -> None:
    await slack.command("UADMIN", POST.removeprefix("/gig "))
    answer = await slack.command("UFR", "apply 1")
    assert "Vous avez candidaté à #1 « Fix my WordPress form »" in texts(answer)


async def test_bad_signature_and_stale_timestamp_are_refused(slack: SlackRig) -> None:
    body = slack.command_body("U1", "help")
    assert (await slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64))[0] == 401
    stale = int(time.time()) - 600
    assert (await slack.post(body, "application/x-www-form-urlencoded", timestamp=stale))[0] == 401
    assert slack.fake.made("response_url") == []
