import copy
import json
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.commands import registry
from bot.scheduler import Scheduler
from bot.store.models import Application, Gig, Member, OutboxMessage
from tests.adapters.slack.conftest import SlackRig, action_ids, payload, texts

POST = 'post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes apply_by=2027-06-30'


async def posted(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    await slack.deliver()
    await slack.settle()


async def test_every_subcommand_answers_through_slack(slack: SlackRig) -> None:
    await posted(slack)
    script = [
        ("UADMIN", "help", "What you can run (admin):"), ("U1", "list", "Open gigs"), ("U1", "search form", "#1"),
        ("U1", "more 0123456789abcdef 2", "too old"),
        ("U1", "show 1", "Fix my WordPress form"), ("U1", "apply 1", "You applied"),
        ("U2", "apply 1", "You applied"), ("U2", "withdraw 1", "You withdrew"), ("U1", "mine", "applied"),
        ("U2", "report 1 reason=fake", "Thanks for reporting #1"),
        ("U1", "status 1 followed_up", "applied → followed up"), ("U1", "snooze 1", "remind you about #1"),
        ("U1", "reminders 1 off", "No more reminders"), ("U1", "settings tz=Europe/Paris", "Settings saved."),
        ("U1", "home", "Your applications (1):"), ("UADMIN", "applicants 1", "Applicants to #1"),
        ("UADMIN", "route add <#C0PHP|php> tags=php", "Route 1 added"),
        ("UADMIN", "route list", "1. slack <#C0PHP> ← tags php"),
        ("UADMIN", "route remove 1", "Route 1 removed"), ("UADMIN", "role add <@U3|bob> poster", "can now post"),
        ("UADMIN", "role remove <@U3> poster", "can no longer post"), ("UADMIN", "admin settings", "Community"),
        ("UADMIN", "admin trust <@U3|bob> yes", "<@U3> is now a trusted poster"),
        ("UADMIN", "admin outbox list", "No message is failed"),
        ("UADMIN", "admin outbox retry 99", "no failed, dead or delayed"),
        ("UADMIN", "route default <#C0GIGS|gigs>", "posted in <#C0GIGS>"), ("UADMIN", "edit 1 hours=5", "Edited #1"),
        ("UADMIN", "history 1", "Edits of #1"), ("UADMIN", "close 1", "Closed #1"),
        ("UADMIN", "admin places", "1. Slack"), ("UADMIN", "admin link", "/gig-admin join"),
        ("UADMIN", "admin join WXYZ-2345", "There is no link code WXYZ-2345"),
        ("UADMIN", "admin unlink", "the only place of this community"),
        ("U1", "link", "on Discord, type"), ("U1", "unlink", "nothing to unlink"),
        ("UADMIN", "review", "Nothing waits for review."), ("UADMIN", "approve 1", "isn't waiting for review"),
        ("UADMIN", "reject 1 reason=spam", "isn't waiting for review"),
        ("UADMIN", "admin review-channel", "no review channel"),
        ("UADMIN", "admin audit action=route", "Audit log, page 1 of 1"),
        ("UADMIN", "admin audit-more 0123456789abcdef 2", "too old"),
        ("U1", "my-data", "The file is in your direct messages"), ("U2", "forget-me", "cannot be undone"),
        ("UADMIN", "admin screening", "How gigs are screened"),
        ("UADMIN", "admin screening set hold=50 off_platform=off", "• off_platform: on, weight 45 → off"),
    ]
    covered = {"post"}
    for user, text, expected in script:
        answer = await slack.command(user, text)
        assert expected in texts(answer), (text, texts(answer))
        spec, _ = registry.resolve(tuple(text.split()[:3]))
        assert spec is not None
        covered.add(spec.name)
    assert covered == set(registry.commands)


async def test_the_post_modal_maps_errors_to_fields_then_posts(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    status, _ = await slack.post(slack.command_body("UADMIN", "post"), "application/x-www-form-urlencoded")
    assert status == 200
    opened = await slack.fake.next("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] == "1337.42.trigger" and view["callback_id"] == "gig:form:post"
    assert [b["block_id"] for b in view["blocks"]] == ["title", "budget", "tags", "description", "apply_url",
                                                       "remote", "location", "hours", "apply_by", "source"]
    status, text = await slack.submit("UADMIN", view, {"title": "ab", "budget": "free", "tags": "php"})
    assert status == 200
    answer = json.loads(text)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "budget"}
    assert "The title is too short" in answer["errors"]["title"]
    status, text = await slack.submit("UADMIN", view, {"title": "Fix my form", "budget": "90", "tags": "php"})
    assert (status, text) == (200, "")
    confirmation = await slack.fake.next("chat.postEphemeral")
    assert confirmation.args["channel"] == "C1" and confirmation.args["user"] == "UADMIN"
    assert 'Posted gig #1 "Fix my form" to <#C0GIGS>.' in texts(confirmation)
    status, text = await slack.submit("UADMIN", view, {"title": "Fix my form", "budget": "90"})
    assert "already posted as #1" in json.loads(text)["errors"]["title"]  # a whole-form error under the 1st input


async def test_the_post_modal_holds_every_gig_field_with_a_select_a_date_picker_and_a_number(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.post(slack.command_body("UADMIN", "post"), "application/x-www-form-urlencoded")
    view = (await slack.fake.next("views.open")).args["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["remote"]["type"] == "static_select"
    assert [o["value"] for o in elements["remote"]["options"]] == ["yes", "no"]
    assert elements["apply_by"]["type"] == "datepicker" and elements["hours"]["type"] == "number_input"
    typed = {"title": "Fix my form", "budget": "90 EUR", "remote": "no", "location": "Lyon", "hours": "5000",
             "apply_by": "2026-11-01", "source": "a client"}
    status, text = await slack.submit("UADMIN", view, typed)
    errors = json.loads(text)["errors"]
    assert status == 200 and set(errors) == {"hours", "apply_by"}  # each error under its own field
    async with slack.core.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Gig))).scalar_one() == 0
    status, text = await slack.submit("UADMIN", view, typed | {"hours": "12", "apply_by": "2026-12-20"})
    assert (status, text) == (200, "")
    async with slack.core.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
    assert (gig.remote, gig.location, gig.hours, gig.apply_by, gig.source) == (
        False, "Lyon", 12, date(2026, 12, 20), "a client")


async def test_apply_button_opens_the_pitch_modal_and_its_details_button_works(slack: SlackRig) -> None:
    await posted(slack)
    assert (await slack.press("U1", "gig:apply:1"))[0] == 200
    opened = await slack.fake.next("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "gig:form:apply" and json.loads(view["private_metadata"])["args"] == ["1"]
    assert (await slack.press("U1", "gig:show:1", where="modal"))[0] == 200  # a block action from the modal
    pushed = await slack.fake.next("views.push")
    assert "Fix my WordPress form" in texts(pushed)
    status, text = await slack.submit("U1", view, {"pitch": "I fixed ten of these"})
    assert (status, text) == (200, "")
    confirmation = await slack.fake.next("chat.postEphemeral")
    assert "You applied to #1" in texts(confirmation)
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Application.pitch))).scalar_one() == "I fixed ten of these"
    await slack.deliver()
    [update] = slack.fake.made("chat.update")  # the posting shows the new applicant count
    post = slack.fake.made("chat.postMessage")[0]
    assert (update.args["channel"], update.args["ts"]) == ("C0GIGS", post.args["_reply"]["ts"])
    assert "*Applicants*\n1" in texts(update)


async def test_buttons_in_messages_answer_ephemerally(slack: SlackRig) -> None:
    await posted(slack)
    assert (await slack.press("U1", "gig:show:1"))[0] == 200
    answer = await slack.fake.next("response_url")
    assert answer.args["response_type"] == "ephemeral" and "Fix my WordPress form" in texts(answer)
    assert (await slack.press("U1", "gig:bogus:1"))[0] == 200
    assert "doesn't work any more" in texts(await slack.fake.next("response_url"))


async def test_app_home_is_published_on_open_and_after_each_change(slack: SlackRig) -> None:
    await posted(slack)
    status, _ = await slack.event(payload("app_home_opened"))
    assert status == 200
    home = await slack.fake.next("views.publish")
    assert home.args["user_id"] == "U1" and home.args["view"]["type"] == "home"
    assert "Open gigs for you:" in texts(home) and action_ids(home) == ["gig:apply:1", "gig:show:1"]
    await slack.command("U1", "apply 1")
    refreshed = await slack.fake.next("views.publish")
    assert "#1 Fix my WordPress form: applied" in texts(refreshed)
    await slack.command("U1", "list")  # reading changes nothing: no refresh
    await slack.settle()
    assert [c.args["user_id"] for c in slack.fake.made("views.publish")].count("U1") == 2


async def test_a_retried_event_and_a_replayed_command_are_handled_once(slack: SlackRig) -> None:
    body = payload("app_home_opened")
    assert (await slack.event(body))[0] == 200
    assert (await slack.event(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))[0] \
        == 200
    other = copy.deepcopy(body) | {"event_id": "Ev0002"}
    assert (await slack.event(other))[0] == 200
    await slack.fake.next("views.publish")
    await slack.fake.next("views.publish")
    command = slack.command_body("U1", "help")
    assert (await slack.post(command, "application/x-www-form-urlencoded"))[0] == 200
    assert (await slack.post(command, "application/x-www-form-urlencoded", headers={"X-Slack-Retry-Num": "1"}))[0] \
        == 200
    await slack.fake.next("response_url")
    await slack.adapter.work.join()
    assert len(slack.fake.made("views.publish")) == 2 and len(slack.fake.made("response_url")) == 1


async def test_a_429_is_not_waited_out_in_the_call_but_retried_after_retry_after(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    slack.fake.rate_limit("chat.postMessage", retry_after=30)
    assert await slack.deliver() == 0
    async with slack.core.sessions() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert row.state == "pending" and row.next_attempt_at >= slack.core.clock.now() + timedelta(seconds=30)
    slack.core.clock.advance(timedelta(seconds=29))  # type: ignore[attr-defined]
    assert await slack.deliver() == 0
    slack.core.clock.advance(timedelta(seconds=10))  # type: ignore[attr-defined]
    assert await slack.deliver() == 1
    calls = slack.fake.made("chat.postMessage")
    assert [c.args.get("_answered") for c in calls] == [429, None]


async def test_closing_dms_the_applicants_once_per_member_channel(slack: SlackRig) -> None:
    await posted(slack)
    await slack.command("U1", "apply 1")
    await slack.command("U2", "apply 1")
    await slack.command("UADMIN", "close 1")
    await slack.deliver()
    opened = [c.args["users"] for c in slack.fake.made("conversations.open")]
    assert sorted(opened) == ["U1", "U2"]
    dms = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"].startswith("D")]
    assert sorted(c.args["channel"] for c in dms) == ["DU1", "DU2"]
    assert all("is now closed" in c.args["text"] for c in dms)
    async with slack.core.sessions() as session:
        channels = dict((await session.execute(select(Member.platform_user_id, Member.dm_channel))).all())
    assert channels["U1"] == "DU1" and channels["U2"] == "DU2"
    closed = [c for c in slack.fake.made("chat.update") if "[Closed]" in texts(c)]
    assert len(closed) == 1 and action_ids(closed[0]) == []


async def test_a_closed_dm_marks_the_member_undeliverable_and_is_not_retried(slack: SlackRig) -> None:
    await posted(slack)
    await slack.command("U1", "apply 1")
    await slack.deliver()
    slack.fake.fail("chat.postMessage", "cannot_dm_bot")
    await slack.command("UADMIN", "close 1")
    await slack.deliver()
    await slack.deliver()
    assert len([c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DU1"]) == 1
    async with slack.core.sessions() as session:
        member = (await session.execute(select(Member).where(Member.platform_user_id == "U1"))).scalar_one()
    assert member.dm_undeliverable


async def test_the_nudge_flow_arrives_as_slack_dms_whose_buttons_work(slack: SlackRig) -> None:
    await posted(slack)
    await slack.command("U1", "apply 1")
    await slack.deliver()
    slack.core.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await Scheduler(slack.core, worker="t").run_now()
    await slack.deliver()
    [nudge] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DU1"]
    assert nudge.args["text"] == "Time to follow up on #1 · Fix my WordPress form"
    assert "gig:status:1.followed_up" in action_ids(nudge)
    assert (await slack.press("U1", "gig:status:1.followed_up"))[0] == 200
    answer = await slack.fake.next("response_url")
    assert '#1 "Fix my WordPress form": applied → followed up.' in texts(answer)
    assert (await slack.press("U1", "gig:settings:"))[0] == 200
    opened = await slack.fake.next("views.open")
    assert opened.args["view"]["callback_id"] == "gig:form:settings"
    status, text = await slack.submit("U1", opened.args["view"], {"tz": "Mars/Base", "nudges": "on"})
    assert json.loads(text)["errors"]["tz"].startswith('"Mars/Base" is not a timezone')
    status, text = await slack.submit("U1", opened.args["view"], {"tz": "Europe/Paris", "nudges": "off"})
    assert (status, text) == (200, "")
    async with slack.core.sessions() as session:
        member = (await session.execute(select(Member).where(Member.platform_user_id == "U1"))).scalar_one()
    assert (member.timezone, member.nudges_enabled) == ("Europe/Paris", False)


async def test_when_too_many_commands_wait_the_next_one_is_answered_busy_at_once(slack: SlackRig,
                                                                                  monkeypatch) -> None:
    from bot.adapters.slack import adapter

    monkeypatch.setattr(adapter, "QUEUE_LIMIT", 0)
    status, body = await slack.post(slack.command_body("UFR", "list"), "application/x-www-form-urlencoded")
    assert status == 200
    assert json.loads(body) == {"text": "I'm answering a lot of requests right now and didn't run that one. Please "
                                        "try again in a minute.", "response_type": "ephemeral"}
    assert slack.fake.made("users.info") == []  # nothing was run


async def test_a_button_in_the_app_home_answers_by_dm_and_refreshes_the_home(slack: SlackRig) -> None:
    await posted(slack)
    await slack.command("U1", "apply 1")
    await slack.settle()
    assert (await slack.press("U1", "gig:status:1.interviewing", where="home"))[0] == 200
    dm = await slack.fake.next("chat.postMessage")
    assert dm.args["channel"] == "DU1" and "applied → interviewing" in texts(dm)
    home = await slack.fake.next("views.publish")
    assert "#1 Fix my WordPress form: interviewing" in texts(home)


async def test_a_search_with_more_pages_has_a_next_page_button_that_shows_the_next_page(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    for n in range(7):
        await slack.command("UADMIN", f'post title="Logo number {n}" budget=80 tags=design location="Le Mans"')
    answer = await slack.command("U1", 'search logo tag=design location="Le Mans"')
    assert 'More: /gig search logo tag=design location="Le Mans" page=2' in texts(answer)
    [more] = [a for a in action_ids(answer) if a.startswith("gig:more:")]
    assert action_ids(answer)[-1] == more  # under the cards, after their Apply and Details
    assert (await slack.press("U1", more))[0] == 200
    second = await slack.fake.next("response_url")
    assert "page 2 of 2 (7 in all)" in texts(second) and "Logo number 0" in texts(second)
    assert "Logo number 2" not in texts(second) and not [a for a in action_ids(second) if "more" in a]
