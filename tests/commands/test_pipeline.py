from datetime import timedelta

from sqlalchemy import select

from bot.store.models import ApplicationEvent
from tests.conftest import Harness


async def test_mine_lists_status_and_days_since_the_last_change(bot: Harness, clock, post_line: str) -> None:
    assert "You haven't applied to any gig yet." in await bot.ok("alice", "/gig mine")
    await bot.ok("admin", post_line)
    await bot.ok("admin", '/gig post title="Second gig" budget=60')
    await bot.ok("alice", "/gig apply 1")
    clock.advance(timedelta(days=1))
    await bot.ok("alice", "/gig apply 2")
    clock.advance(timedelta(days=2))
    text = await bot.ok("alice", "/gig mine")
    assert text.splitlines()[:3] == [
        "Your applications (2):",
        "#2 Second gig: applied, 2 days since the last change",
        "#1 Fix my WordPress form: applied, 3 days since the last change",
    ]
    await bot.ok("alice", "/gig status 1 followed_up")
    clock.advance(timedelta(days=1))
    assert "#1 Fix my WordPress form: followed up, 1 day since the last change" in await bot.ok("alice", "/gig mine")


async def test_status_records_each_transition_with_its_time(bot: Harness, clock, post_line: str) -> None:
    await bot.ok("admin", post_line)
    await bot.ok("alice", "/gig apply 1")
    clock.advance(timedelta(hours=30))
    assert '#1 "Fix my WordPress form": applied → followed up.' == await bot.ok("alice", "/gig status 1 followed_up")
    clock.advance(timedelta(days=2))
    await bot.ok("alice", "/gig status #1 INTERVIEWING")
    await bot.ok("alice", "/gig status 1 hired")
    async with bot.app.sessions() as session:
        events = (await session.execute(select(ApplicationEvent).order_by(ApplicationEvent.id))).scalars().all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "applied"), ("applied", "followed_up"), ("followed_up", "interviewing"), ("interviewing", "hired")]
    assert [e.at - events[0].at for e in events] == [
        timedelta(0), timedelta(hours=30), timedelta(hours=78), timedelta(hours=78)]


async def test_transitions_that_make_no_sense_are_refused(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    assert "You haven't applied to gig #1" in await bot.fails("alice", "/gig status 1 interviewing")
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("alice", "/gig status 1 interviewing")
    assert 'can\'t go from "interviewing" to "followed up"' in await bot.fails("alice", "/gig status 1 followed_up")
    assert 'already at "interviewing"' in await bot.fails("alice", "/gig status 1 interviewing")
    assert "must be one of: followed_up, interviewing, hired, rejected, withdrawn" in await bot.fails(
        "alice", "/gig status 1 applied")
    await bot.ok("alice", "/gig status 1 rejected")
    assert 'This application is over ("rejected")' in await bot.fails("alice", "/gig status 1 hired")
    assert "Missing: status" in await bot.fails("alice", "/gig status 1")


async def test_french_apply_and_mine_flow(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    bot.locales["claire"] = "fr-FR"  # the platform's locale chooses French
    text = await bot.ok("claire", "/gig apply 1")
    assert text.startswith("Vous avez candidaté à #1 « Fix my WordPress form ». Bonne chance !")
    assert "Vous avez déjà candidaté à #1 le 23 nov. 2026 (statut : candidature envoyée)." == await bot.fails(
        "claire", "/gig apply 1")
    await bot.ok("claire", "/gig status 1 interviewing")
    mine = await bot.ok("claire", "/gig mine")
    assert mine.splitlines()[:2] == [
        "Vos candidatures (1) :", "#1 Fix my WordPress form : en entretien, modifiée aujourd'hui"]
    assert "Il n'y a pas de mission #7" in await bot.fails("claire", "/gig apply 7")
    text = await bot.fails("claire", '/gig post title=x budget=0')
    assert "Seuls les publieurs et les admins" in text


async def test_community_default_language_applies_to_members_without_one(bot: Harness, post_line: str) -> None:
    from bot.store.models import Community

    async with bot.app.sessions() as session:
        community = (await session.execute(select(Community))).scalar_one()
        community.default_locale = "fr"
        await session.commit()
    await bot.ok("admin", post_line)
    assert "Vous avez candidaté" in await bot.ok("dave", "/gig apply 1")
    bot.locales["erin"] = "en-GB"
    assert "You applied" in await bot.ok("erin", "/gig apply 1")
