from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.core.delivery import RecipientRefused
from bot.services import delivery, outbox
from bot.store.models import Application, Member, Nudge
from tests.conftest import Harness, as_text

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress apply_by=2027-06-30'


def dms(sent: list[outbox.Outgoing], to: str | None = None) -> list[outbox.Outgoing]:
    return [m for m in sent if m.kind == "dm" and (to is None or m.destination == to)]


def title(message: outbox.Outgoing) -> str:
    return message.message.cards[0].title if message.message.cards else message.message.text


async def nudge_states(bot: Harness) -> list[tuple[str, str]]:
    async with bot.app.sessions() as session:
        rows = await session.execute(select(Nudge.kind, Nudge.state).order_by(Nudge.id))
        return [(kind, state) for kind, state in rows]


async def test_the_whole_member_policy(bot: Harness) -> None:
    await bot.ok("admin", POST)
    text = await bot.ok("alice", "/gig apply 1")
    assert "I'll remind you to follow up in 2 days" in text
    assert dms(await bot.later(days=2, minutes=-1)) == []
    sent = await bot.later(minutes=1)
    [first] = dms(sent, "alice")
    card = first.message.cards[0]
    assert card.title == "Time to follow up on #1 · Fix my WordPress form"
    assert "habit that most often wins a gig" in card.body
    assert ('> Hi Admin, I applied for "Fix my WordPress form" a couple of days ago and wanted to follow up. '
            "Have you found someone for your project? If you still need help, I'm available.") in card.body
    assert [b.id for b in card.buttons] == [
        "gig:status:1.followed_up", "gig:status:1.interviewing", "gig:status:1.hired", "gig:status:1.rejected",
        "gig:snooze:1", "gig:reminders:1.off", "gig:settings:"]
    confirm = await bot.press("alice", "gig:status:1.followed_up")
    assert confirm.ok and confirm.text == '#1 "Fix my WordPress form": applied → followed up.'
    assert dms(await bot.later(days=5, minutes=-1)) == []
    [second] = dms(await bot.later(minutes=1), "alice")  # the poster also hears about the gig today
    assert title(second) == "A second follow-up on #1 · Fix my WordPress form?"
    await bot.press("alice", "gig:status:1.followed_up")  # the second follow-up: no third one is planned
    assert dms(await bot.later(days=13), "alice") == []
    [news] = dms(await bot.later(days=1), "alice")
    assert title(news) == "Any news on #1 · Fix my WordPress form?"
    assert 'has been "followed up" for 14 days' in news.message.cards[0].body
    assert dms(await bot.later(days=7, minutes=-1), "alice") == []
    [gave_up] = dms(await bot.later(minutes=1), "alice")
    assert gave_up.message.text.startswith('No news on #1 "Fix my WordPress form" for a while')
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Application.status))).scalar_one() == "no_response"
    assert "no answer" in await bot.ok("alice", "/gig mine")
    assert dms(await bot.later(days=60), "alice") == []  # nothing is sent twice
    kinds = [(k, s) for k, s in await nudge_states(bot) if k != "poster_review"]
    assert [k for k, s in kinds if s == "sent"] == [
        "follow_up", "follow_up_again", "news_check", "no_response"]


async def test_news_from_the_member_stops_the_nudges(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.later(days=1)
    await bot.ok("alice", "/gig status 1 interviewing")
    assert dms(await bot.later(days=13, hours=23), "alice") == []
    [news] = dms(await bot.later(hours=1), "alice")
    assert 'has been "interviewing" for 14 days' in news.message.cards[0].body
    await bot.press("alice", "gig:status:1.hired")
    assert dms(await bot.later(days=30), "alice") == []


async def test_withdrawing_and_closing_cancel_pending_nudges(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("bob", "/gig apply 1")
    await bot.ok("bob", "/gig withdraw 1")
    await bot.ok("admin", "/gig close 1")
    await bot.deliver()
    assert dms(await bot.later(days=30)) == []
    assert {state for _, state in await nudge_states(bot)} == {"cancelled"}


async def test_poster_review_after_a_week_without_movement(bot: Harness) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", POST)
    await bot.ok("poppy", '/gig post title="Second gig" budget=50')
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("bob", "/gig apply 1")
    await bot.ok("alice", "/gig apply 2")
    await bot.ok("alice", "/gig status 2 interviewing")  # gig 2 moved on: no review reminder
    [review] = dms(await bot.later(days=7), "poppy")
    card = review.message.cards[0]
    assert card.title == "Review the applicants to #1 · Fix my WordPress form"
    assert card.body.startswith("2 members applied in the last 7 days")
    assert [b.id for b in card.buttons] == ["gig:applicants:1", "gig:close:1"]
    reply = await bot.press("poppy", "gig:applicants:1")
    assert "Applicants to #1" in reply.text
    assert "Closed #1" in as_text(await bot.press("poppy", "gig:close:1"))


async def test_a_gig_closes_itself_after_its_apply_by_date(bot: Harness) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", '/gig post title="Short gig" budget=50 apply_by=2026-11-24')
    await bot.ok("alice", "/gig apply 1")
    posted = await bot.deliver()
    assert dms(await bot.later(hours=38, minutes=59)) == []  # 2026-11-24 23:59 UTC: still open
    sent = await bot.later(minutes=1)
    edits = [m for m in sent if m.kind == "edit"]
    assert [(m.destination, m.message_ref) for m in edits] == [("gigs", f"M{posted[0].id}")]
    assert edits[0].message.cards[0].title == "[Closed] #1 · Short gig"
    assert dms(sent) == []  # midnight is inside everyone's quiet hours (21-9 UTC): the notices wait
    assert dms(await bot.later(hours=8, minutes=59)) == []
    sent = await bot.later(minutes=1)
    assert dms(sent, "alice")[0].message.text.startswith('Gig #1 "Short gig" reached its apply-by date')
    assert dms(sent, "poppy")[0].message.text.startswith('Your gig #1 "Short gig" reached its apply-by date')
    assert "Gig #1 is closed" in await bot.fails("bob", "/gig apply 1")
    assert dms(await bot.later(days=10)) == []


async def test_snooze_and_stop_from_the_nudge(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.later(days=2)
    reply = await bot.press("alice", "gig:snooze:1")
    assert reply.text == "OK, I'll remind you about #1 again on Thu, Nov 26, 2026 9:00 AM (UTC)."
    assert dms(await bot.later(hours=23), "alice") == []
    [again] = dms(await bot.later(hours=1), "alice")
    assert title(again).startswith("Time to follow up on #1")
    stop = await bot.press("alice", "gig:reminders:1.off")
    assert stop.text == "No more reminders about #1. Turn them back on with /gig reminders 1 on."
    assert dms(await bot.later(days=30), "alice") == []
    assert "nothing to snooze" in as_text(await bot.press("alice", "gig:snooze:1"))
    await bot.ok("alice", "/gig reminders 1 on")  # the news check fell due meanwhile: it comes now, nothing else
    [news] = dms(await bot.later(minutes=1), "alice")
    assert title(news).startswith("Any news on #1")


async def test_members_who_turned_nudges_off_get_none(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig settings nudges=off")
    text = await bot.ok("alice", "/gig apply 1")
    assert "remind you" not in text
    assert dms(await bot.later(days=30), "alice") == []


async def test_a_closed_dm_marks_the_member_undeliverable_and_is_not_retried(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("admin", '/gig post title="Another gig" budget=20')
    await bot.ok("alice", "/gig apply 2")
    await bot.deliver()
    attempts: list[int] = []

    async def closed_dms(message: outbox.Outgoing) -> outbox.Sent:
        attempts.append(message.id)
        raise RecipientRefused("cannot send messages to this user")

    bot.app.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    from bot.scheduler import Scheduler

    await Scheduler(bot.app, worker="t").run_now()
    while await delivery.deliver_due(bot.app.sessions, "test", closed_dms, bot.app.clock):
        pass
    assert len(attempts) == 2  # one nudge per application, each tried once
    async with bot.app.sessions() as session:
        alice = (await session.execute(select(Member).where(Member.platform_user_id == "alice"))).scalar_one()
    assert alice.dm_undeliverable
    assert dms(await bot.later(days=30), "alice") == [] and len(attempts) == 2
    await bot.ok("alice", "/gig settings nudges=on")  # asking again means trying DMs again
    async with bot.app.sessions() as session:
        assert not (await session.execute(select(Member.dm_undeliverable).where(Member.id == alice.id))).scalar_one()


async def test_quiet_hours_move_a_nudge_to_the_end_of_the_quiet_period(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig settings tz=America/New_York quiet=21-9")
    await bot.ok("alice", "/gig apply 1")  # due 2026-11-25 09:00 UTC = 04:00 in New York
    assert dms(await bot.later(days=2), "alice") == []
    async with bot.app.sessions() as session:
        due = (await session.execute(select(Nudge.due_at).where(Nudge.kind == "follow_up"))).scalar_one()
    assert due == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert dms(await bot.later(hours=4, minutes=59), "alice") == []
    assert len(dms(await bot.later(minutes=1), "alice")) == 1


async def test_quiet_hours_across_a_dst_change_use_the_new_offset(bot: Harness) -> None:
    bot.app.clock.set(datetime(2027, 3, 25, 21, 30, tzinfo=UTC))  # type: ignore[attr-defined]
    await bot.ok("admin", '/gig post title="Spring gig" budget=40')
    await bot.ok("alice", "/gig settings tz=Europe/Paris quiet=21-9")
    await bot.ok("alice", "/gig apply 1")  # due 2027-03-27 21:30 UTC = 22:30 CET, the night clocks go forward
    assert dms(await bot.later(days=2), "alice") == []
    async with bot.app.sessions() as session:
        due = (await session.execute(select(Nudge.due_at).where(Nudge.kind == "follow_up"))).scalar_one()
    assert due == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 09:00 CEST (UTC+2), not 08:00 UTC
    assert len(dms(await bot.later(hours=9, minutes=30), "alice")) == 1


async def test_community_timings_and_quiet_hours_are_admin_settings(bot: Harness) -> None:
    text = await bot.ok("admin", "/gig admin settings")
    assert "first 2d after applying" in text and "quiet hours 21-9" in text
    text = await bot.ok("admin", "/gig admin settings first_nudge=36h quiet=off tz=Europe/Paris")
    assert "first 36h after applying" in text and "quiet hours off" in text and "timezone Europe/Paris" in text
    bad = await bot.fails("admin", "/gig admin settings first_nudge=soon news_check=0d tz=Mars/Base")
    assert "first_nudge: `first_nudge` must be a duration" in bad and "news_check:" in bad and "tz:" in bad
    assert "Only admins" in await bot.fails("alice", "/gig admin settings first_nudge=1d")
    await bot.ok("admin", POST)
    bot.app.clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    await bot.ok("alice", "/gig apply 1")  # due 2026-11-25 08:00 UTC = 09:00 in Paris
    assert dms(await bot.later(hours=35, minutes=59), "alice") == []
    assert len(dms(await bot.later(minutes=1), "alice")) == 1
    await bot.ok("admin", "/gig admin settings first_nudge=default")
    assert "first 2d after applying" in await bot.ok("admin", "/gig admin settings")


async def test_member_settings(bot: Harness) -> None:
    reply = await bot.run("alice", "/gig settings")
    assert reply.text.startswith("Your settings: timezone UTC (community default) · quiet hours 21-9 (community "
                                 "default) · nudges on · language en (community default)")
    assert reply.form is not None and [i.name for i in reply.form.inputs] == ["tz", "quiet", "nudges", "lang"]
    text = await bot.ok("alice", "/gig settings tz=Europe/Paris quiet=22:30-7 nudges=off lang=fr")
    assert text.startswith("Réglages enregistrés.")
    assert "fuseau Europe/Paris · heures calmes 22:30-7 · rappels coupés · langue fr" in text
    bad = await bot.fails("alice", "/gig settings tz=Paris quiet=9-9 lang=de nudges=maybe")
    assert bad.count("•") == 4
    text = await bot.ok("alice", "/gig settings lang=default tz=default quiet=off")
    assert "timezone UTC (community default) · quiet hours off" in text
    pressed = await bot.press("alice", "gig:settings:")
    assert pressed.form is not None and pressed.form.inputs[2].value == "off"


async def test_a_gig_held_again_by_an_edit_keeps_its_nudges_until_an_admin_decides(bot: Harness) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", POST)
    await bot.ok("alice", "/gig apply 1")
    held = await bot.ok("poppy", '/gig edit 1 description="Send a registration fee of 30 EUR to start, then wait '
                                 'for the details of the job by email."')
    assert "review" in held
    told = dms(await bot.later(days=2, hours=3), "alice")  # only the edit's news: the follow-up waits, it is held
    assert [title(m) for m in told if "follow up" in title(m)] == []
    assert ("follow_up", "pending") in await nudge_states(bot)
    await bot.ok("admin", "/gig approve 1")
    sent = dms(await bot.later(hours=1), "alice")
    assert [title(m) for m in sent] == ["Time to follow up on #1 · Fix my WordPress form"]


async def test_a_rejected_gig_drops_its_nudges(bot: Harness) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("poppy", '/gig edit 1 description="Send a registration fee of 30 EUR to start, then wait for the '
                          'details of the job by email."')
    await bot.ok("admin", '/gig reject 1 reason="Asks applicants for a fee"')
    sent = dms(await bot.later(days=3), "alice")
    assert [title(m) for m in sent if "follow up" in title(m)] == []
    assert ("follow_up", "pending") not in await nudge_states(bot)
