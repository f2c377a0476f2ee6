"""Nudges around what members do and the gig's end: reminders off and on, snooze, wording, quiet hours, closing."""


from sqlalchemy import select

from bot.store.models import Nudge
from tests.commands.test_nudges import POST, dms, title
from tests.conftest import Harness

SHORT = '/gig post title="Short gig" budget=50 apply_by=2026-11-24'  # takes applications until Monday 24 23:59 UTC


def body(message: object) -> str:
    return str(message.message.cards[0].body)  # type: ignore[attr-defined]


async def test_reminders_off_and_on_resume_the_plan_without_repeating(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    [follow_up] = dms(await bot.later(days=2), "alice")
    assert title(follow_up).startswith("Time to follow up on #1")
    await bot.later(days=2)
    await bot.ok("alice", "/gig reminders 1 off")
    await bot.later(days=1)
    assert "on again" in await bot.ok("alice", "/gig reminders 1 on")
    # the follow-up was sent: it does not come again; the news check keeps its day (14 days after applying)
    assert dms(await bot.later(days=9, minutes=-1), "alice") == []
    [news] = dms(await bot.later(minutes=1), "alice")
    assert title(news).startswith("Any news on #1")
    assert 'has been "applied" for 14 days' in body(news)


async def test_a_nudge_due_while_reminders_were_off_comes_when_they_are_on(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("alice", "/gig reminders 1 off")
    assert dms(await bot.later(days=3), "alice") == []
    await bot.ok("alice", "/gig reminders 1 on")
    [follow_up] = dms(await bot.later(minutes=1), "alice")
    assert "You applied 3 days ago" in body(follow_up)
    assert dms(await bot.later(days=11, minutes=-2), "alice") == []
    assert title(dms(await bot.later(minutes=1), "alice")[0]).startswith("Any news on #1")  # still day 14


async def test_a_status_change_while_reminders_are_off_plans_for_when_they_are_on(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("alice", "/gig reminders 1 off")
    await bot.later(days=1)
    await bot.ok("alice", "/gig status 1 interviewing")
    await bot.later(days=2)
    await bot.ok("alice", "/gig reminders 1 on")
    assert dms(await bot.later(days=12, minutes=-1), "alice") == []
    [news] = dms(await bot.later(minutes=1), "alice")  # 14 days after the move to interviewing
    assert 'has been "interviewing" for 14 days' in body(news)


async def test_snooze_at_interviewing_brings_the_news_check_tomorrow(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("alice", "/gig status 1 interviewing")
    assert "again on Tue, Nov 24, 2026 9:00 AM (UTC)" in await bot.ok("alice", "/gig snooze 1")
    assert dms(await bot.later(days=1, minutes=-1), "alice") == []
    [news] = dms(await bot.later(minutes=1), "alice")
    assert title(news).startswith("Any news on #1")


async def test_snooze_after_following_up_brings_the_second_follow_up(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.later(days=2)
    await bot.press("alice", "gig:status:1.followed_up")
    assert "I'll remind you about #1 again on" in (await bot.press("alice", "gig:snooze:1")).text
    [again] = dms(await bot.later(days=1), "alice")
    assert title(again).startswith("A second follow-up on #1")
    assert dms(await bot.later(days=10), "alice") == []  # moved, not doubled: the news check stays at day 16
    assert title(dms(await bot.later(days=4), "alice")[0]).startswith("Any news on #1")


async def test_snooze_refuses_when_no_reminder_would_come(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Last day to apply" budget=50 apply_by=2026-11-23')
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    assert "until Nov 23, 2026" in await bot.fails("alice", "/gig snooze 1")  # tomorrow is past the gig's end
    await bot.ok("bob", "/gig apply 2")
    await bot.ok("bob", "/gig settings nudges=off")
    assert "nudges=on" in await bot.fails("bob", "/gig snooze 2")
    await bot.ok("alice", "/gig apply 2")
    await bot.later(days=14)  # the follow-up, then the news check
    await bot.later(days=7)  # marked no answer
    assert "nothing to snooze" in await bot.fails("alice", "/gig snooze 2")
    assert "closed" in await bot.fails("alice", "/gig snooze 1")
    assert dms(await bot.later(days=30)) == []  # no refusal planned anything


async def test_the_follow_up_template_says_how_long_ago_the_member_applied(bot: Harness) -> None:
    await bot.ok("admin", "/gig admin settings first_nudge=4d")
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    bot.locales["bob"] = "fr"
    await bot.ok("bob", "/gig apply 1")
    sent = await bot.later(days=4)
    [alice], [bob] = dms(sent, "alice"), dms(sent, "bob")
    assert 'I applied for "Fix my WordPress form" 4 days ago and wanted to follow up' in body(alice)
    assert "a couple of days" not in body(alice)
    assert "« Fix my WordPress form » il y a 4 jours" in body(bob)


async def test_the_snooze_confirmation_is_on_the_members_clock_after_quiet_hours(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig settings tz=Europe/Paris quiet=21-9")
    await bot.ok("alice", "/gig apply 1")
    await bot.later(days=2)  # the follow-up, Wednesday 10:00 in Paris
    await bot.later(hours=12)  # Wednesday 22:00 in Paris: tomorrow at this time is inside quiet hours
    reply = await bot.ok("alice", "/gig snooze 1")
    assert reply == ("OK, I'll remind you about #1 again on Fri, Nov 27, 2026 9:00 AM (Europe/Paris), "
                     "once your quiet hours are over.")
    assert dms(await bot.later(hours=34, minutes=59), "alice") == []  # Friday 07:59 UTC = 08:59 in Paris
    assert title(dms(await bot.later(minutes=1), "alice")[0]).startswith("Time to follow up on #1")
    await bot.ok("alice", "/gig settings lang=fr")
    await bot.later(hours=13)  # Friday 22:00 in Paris
    assert "le dim. 29 nov. 2026 09:00 (Europe/Paris), une fois vos heures calmes passées" in await bot.ok(
        "alice", "/gig snooze 1")


async def test_closing_notices_wait_for_each_recipients_quiet_hours(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig settings tz=America/New_York")
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("bob", "/gig settings tz=Europe/Paris")
    await bot.ok("bob", "/gig apply 1")
    await bot.later(hours=13)  # Monday 22:00 UTC: 17:00 in New York, 23:00 in Paris
    await bot.ok("admin", "/gig close 1")
    sent = await bot.later(minutes=1)
    assert len(dms(sent, "alice")) == 1 and dms(sent, "bob") == []
    assert dms(await bot.later(hours=9, minutes=58), "bob") == []  # Tuesday 07:59 UTC = 08:59 in Paris
    [bob] = dms(await bot.later(minutes=1), "bob")
    assert bob.message.text.startswith('Gig #1 "Fix my WordPress form" is now closed')


async def test_gig_mine_shows_a_closed_gig_as_closed(bot: Harness) -> None:
    await bot.ok("admin", SHORT)
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("alice", "/gig apply 2")
    await bot.later(days=2)  # gig 1 expires at midnight, and the follow-up on gig 2 goes out
    await bot.later(days=31)
    lines = (await bot.ok("alice", "/gig mine")).splitlines()
    assert "#1 Short gig: applied, gig closed on Nov 25, 2026" in lines
    assert "#2 Fix my WordPress form: applied, 33 days since the last change" in lines  # still open


async def test_the_close_notice_follows_the_applications_state(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("admin", SHORT)
    for who in ("alice", "bob", "carol"):
        await bot.ok(who, "/gig apply 1")
    await bot.ok("alice", "/gig apply 2")
    await bot.ok("bob", "/gig apply 2")
    await bot.ok("alice", "/gig status 1 interviewing")
    await bot.ok("alice", "/gig status 2 interviewing")
    await bot.ok("admin", "/gig close 1 filled_by=@carol")
    sent = await bot.later(minutes=1) + await bot.later(days=2)  # gig 2 expires at Wednesday's midnight
    notices = {(m.destination, m.message.text.split('"')[0]): m.message.text for m in dms(sent)}
    assert "went to another member" in notices["alice", "Gig #1 "]  # interviewing, and someone else was hired
    assert "Thanks for applying" in notices["bob", "Gig #1 "]
    assert "Congratulations" in notices["carol", "Congratulations! You got gig #1 "]
    expired = notices["alice", "Gig #2 "]
    assert "You're interviewing for it" in expired and "/gig status 2 hired" in expired
    assert "Thanks for applying" not in expired
    assert "Thanks for applying" in notices["bob", "Gig #2 "]


async def test_no_reminder_is_promised_or_planned_after_the_gigs_end(bot: Harness) -> None:
    await bot.ok("admin", SHORT)
    text = await bot.ok("alice", "/gig apply 1")
    assert "remind you to follow up" not in text
    assert "takes applications until Nov 24, 2026" in text
    async with bot.app.sessions() as session:
        kinds = (await session.execute(select(Nudge.kind).where(Nudge.application_id.is_not(None)))).scalars().all()
    assert kinds == []
    [closed] = dms(await bot.later(days=30), "alice")
    assert closed.message.text.startswith('Gig #1 "Short gig" reached its apply-by date')
