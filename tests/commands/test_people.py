"""Linking people: one person on Slack and Discord, one pipeline, DMs on one platform, unlinking without loss."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.scheduler import Scheduler
from bot.store.models import Application, Member
from tests.commands.people import ADMINS, ELSEWHERE, People, snapshot

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress apply_by=2027-06-30'


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


@pytest.fixture
async def two(app: App) -> People:
    people = People(app)
    await people.setup()
    return people


async def linked(two: People) -> None:
    """Ana on Slack makes a code; Ana on Discord types it."""
    code = await two.code("ana")
    await two.ok("ana_d", f"/gig link {code}")


async def identities(two: People) -> dict[str, tuple[int | None, str | None]]:
    async with two.app.sessions() as session:
        rows = (await session.execute(select(Member))).scalars().all()
        return {m.platform_user_id: (m.linked_to_id, m.dm_platform) for m in rows}


async def test_link_makes_one_person_of_a_slack_and_a_discord_account(two: People) -> None:
    reply = await two.ok("ana", "/gig link")
    assert "lasts" not in reply and "15 minutes" in reply and "on Discord" in reply
    code = await two.code("ana")
    assert f"type `/gig link {code}`" in reply.replace(reply.split("code: ")[1][:9], code)
    done = await two.ok("ana_d", f"/gig link {code.lower()}")
    assert "your Discord account ana.d (Discord) and your Slack account Ana (Slack) are now one person" in done
    assert "applying to a gig from either platform counts once" in done
    assert "DMs go to Discord (the platform you used last)" in done
    found = await identities(two)
    assert found["1001"][0] is not None and found["UANA"][0] is None
    assert "already linked with ana.d (Discord)" in await two.fails("ana", f"/gig link {await two.code('ana_d')}")


async def test_apply_from_both_platforms_counts_once_and_mine_is_shared(two: People) -> None:
    await two.ok("admin", POST)
    await linked(two)
    assert "You applied to #1" in await two.ok("ana", "/gig apply 1")
    refused = await two.fails("ana_d", "/gig apply 1")
    assert "You already applied to #1" in refused
    assert not (await two.press("ana_d", "gig:apply:1")).ok
    assert await two.ok("ana", "/gig mine") == await two.ok("ana_d", "/gig mine")
    assert "#1" in await two.ok("ana_d", "/gig mine")
    assert "applied → interviewing" in await two.ok("ana_d", "/gig status 1 interviewing")
    assert "interviewing" in await two.ok("ana", "/gig mine")
    async with two.app.sessions() as session:
        [application] = (await session.execute(select(Application))).scalars().all()
        ana = (await session.execute(select(Member).where(Member.platform_user_id == "UANA"))).scalar_one()
    assert application.member_id == ana.id and application.applied_as_id == ana.id


async def test_linking_merges_what_the_second_account_had(two: People) -> None:
    await two.ok("admin", POST)
    await two.ok("admin", '/gig post title="Logo" budget=80')
    await two.ok("ana", "/gig apply 1")
    await two.ok("ana_d", '/gig apply 1 pitch="from Discord"')
    await two.ok("ana_d", "/gig apply 2")
    await two.ok("ana_d", "/gig settings tz=Europe/Paris")
    await linked(two)
    mine = await two.ok("ana", "/gig mine")
    assert "Your applications (2)" in mine and "#1" in mine and "#2" in mine
    assert "timezone Europe/Paris" in await two.ok("ana", "/gig settings")
    async with two.app.sessions() as session:
        rows = (await session.execute(select(Application).order_by(Application.gig_id))).scalars().all()
    assert [(a.gig_id, a.member_id) for a in rows] == [(1, rows[0].member_id), (2, rows[0].member_id)]


async def test_the_poster_sees_applicants_of_both_platforms(two: People) -> None:
    await two.ok("admin", POST)
    await two.ok("ana", "/gig apply 1")
    await two.ok("bob_d", "/gig apply 1")
    reply = await two.run("admin", "/gig applicants 1")
    from bot.adapters.slack.blocks import mrkdwn
    rendered = mrkdwn(reply.text)
    assert "<@UANA>" in rendered and "bobby (Discord)" in rendered and "<@1002>" not in rendered
    on_discord = await two.run("admin_d", "/gig applicants 1")
    from bot.adapters.discord.render import markdown
    shown = markdown(on_discord.text)
    assert "<@1002>" in shown and "Ana (Slack)" in shown and "<@UANA>" not in shown


async def test_nudges_go_once_to_the_platform_used_last_or_chosen(two: People) -> None:
    await two.ok("admin", POST)
    await linked(two)
    await two.ok("ana", "/gig apply 1")  # Slack used last
    two.app.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await Scheduler(two.app, worker="test").run_now()
    sent = [m for m in await two.deliver() if m.kind == "dm" and m.destination in ("UANA", "1001")]
    assert [(m.platform, m.destination) for m in sent] == [("slack", "UANA")]
    assert "link your Slack" not in await two.ok("ana", "/gig settings dm=discord")
    assert "go to Discord (your choice)" in await two.ok("ana", "/gig settings")
    await two.ok("ana", "/gig status 1 followed_up")
    two.app.clock.advance(timedelta(days=5))  # type: ignore[attr-defined]
    await Scheduler(two.app, worker="test").run_now()
    sent = [m for m in await two.deliver() if m.kind == "dm" and m.destination in ("UANA", "1001")]
    assert [(m.platform, m.destination) for m in sent] == [("discord", "1001")]
    await two.ok("ana_d", "/gig settings dm=auto")
    assert "(the platform you used last)" in await two.ok("ana_d", "/gig settings")


async def test_dm_setting_needs_an_account_on_that_platform(two: People) -> None:
    text = await two.fails("bob", "/gig settings dm=discord")
    assert "Link your Discord account first: /gig link" in text
    assert "not a platform for your DMs" in await two.fails("bob", "/gig settings dm=email")


async def test_closing_tells_a_linked_applicant_once(two: People) -> None:
    await two.ok("admin", POST)
    await linked(two)
    await two.ok("ana_d", "/gig apply 1")
    await two.deliver()
    await two.ok("admin", "/gig close 1")
    told = [m for m in await two.deliver() if m.kind == "dm"]
    assert [(m.platform, m.destination) for m in told] == [("discord", "1001")]


async def test_unlink_gives_each_account_its_own_applications_back(two: People) -> None:
    await two.ok("admin", POST)
    await two.ok("admin", '/gig post title="Logo" budget=80')
    await linked(two)
    await two.ok("ana", "/gig apply 1")
    await two.ok("ana_d", "/gig apply 2")
    text = await two.ok("ana_d", "/gig unlink")
    assert "Unlinked your Discord account ana.d (Discord) from your Slack account Ana (Slack)" in text
    assert "(1 application)" in text
    assert "#1" in await two.ok("ana", "/gig mine") and "#2" not in await two.ok("ana", "/gig mine")
    assert "#2" in await two.ok("ana_d", "/gig mine") and "#1" not in await two.ok("ana_d", "/gig mine")
    assert "nothing to unlink" in await two.fails("ana", "/gig unlink")
    assert all(linked_to is None for linked_to, _ in (await identities(two)).values())


async def test_unlink_from_the_person_splits_every_account(two: People) -> None:
    await linked(two)
    await two.ok("admin", POST)
    await two.ok("ana_d", "/gig apply 1")
    text = await two.ok("ana", "/gig unlink")
    assert "Unlinked your Discord account" in text and "(1 application)" in text
    assert "#1" in await two.ok("ana_d", "/gig mine")


async def test_refused_codes_change_nothing(two: People) -> None:
    await two.ok("admin", POST)
    for who in ("ana", "ana_d", "bob", "bob_d"):
        await two.ok(who, "/gig help")
    await two.ok("cid_d", "/gig help", ELSEWHERE)
    await two.ok("bob", "/gig apply 1")
    slack_code = await two.code("ana")
    used = await two.code("bob")
    await two.ok("bob_d", f"/gig link {used}")
    stale = await two.code("ana")
    two.app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    fresh = await two.code("ana")
    before = await snapshot(two.app)
    assert "expired" in await two.fails("ana_d", f"/gig link {stale}")
    assert "already used" in await two.fails("ana_d", f"/gig link {used}")
    assert "There is no link code" in await two.fails("ana_d", "/gig link ZZZZ-ZZZZ")
    assert "another community" in await two.fails("cid_d", f"/gig link {fresh}", ELSEWHERE)
    assert "an admin runs /gig admin link" in await two.fails("cid_d", f"/gig link {fresh}", ELSEWHERE)
    assert "Both accounts are on Slack" in await two.fails("bob", f"/gig link {fresh}")
    assert "the code you just made here" in await two.fails("ana", f"/gig link {fresh}")
    assert "already linked with another account" in await two.fails("bob_d", f"/gig link {fresh}")
    assert "Both accounts are on Discord" in await two.fails("ana_d", f"/gig link {await two.code('bob_d')}")
    after = await snapshot(two.app)
    assert {k: v for k, v in after.items() if k != "link_code"} == {
        k: v for k, v in before.items() if k != "link_code"}
    assert len(after["link_code"]) == len(before["link_code"]) + 1  # only the code bob_d made
    assert "now one person" in await two.ok("ana_d", f"/gig link {fresh}")  # the refusals left it usable
    assert slack_code


async def test_a_linked_identity_named_in_a_command_is_its_person(two: People) -> None:
    await linked(two)
    assert "can now post gigs" in await two.ok("admin_d", "/gig role add <@1001> poster")
    assert "trusted poster" in await two.ok("admin_d", "/gig admin trust <@1001>")  # the person is trusted
    assert "Posted #1" in await two.ok("ana", POST) or "#1" in await two.ok("ana", "/gig show 1")
    await two.ok("bob_d", "/gig apply 1")
    assert "bob" in (await two.ok("ana_d", "/gig applicants 1")).lower()  # the gig is the person's on both
    assert await two.ok("ana", "/gig home") == await two.ok("ana_d", "/gig home")


async def test_settings_are_shared_and_say_where_dms_go(two: People) -> None:
    await linked(two)
    await two.ok("ana_d", "/gig settings tz=Europe/Paris lang=fr")
    text = await two.ok("ana", "/gig settings")
    assert "fuseau Europe/Paris" in text and "dm=slack" in text
    assert "vont sur Slack (la plateforme utilisée en dernier)" in text  # settings was typed on Slack just now
    reply = await two.run("ana", "/gig settings")
    assert reply.form is not None and [i.name for i in reply.form.inputs][-1] == "dm"
