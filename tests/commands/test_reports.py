"""Reports: `gig report` and the Report button, one report per person, and hiding a gig at the threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.config import Settings
from bot.core.i18n import Translator
from bot.core.registry import Kind
from bot.core.text import plain
from bot.core.types import Place
from bot.services.cards import gig_card
from bot.store.models import AuditEntry, Community, Gig, GigReport, Member, Workspace
from tests.commands.people import ADMINS, People, snapshot
from tests.commands.places_harness import ADMINS as PLACE_ADMINS
from tests.commands.places_harness import DISCORD, DISCORD2, Places
from tests.conftest import PLATFORM, START, Harness, as_text

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php apply_by=2027-06-30'


async def posted(bot: Harness, review_channel: str | None = "review") -> None:
    """Poppy (a trusted poster) posts gig #1; the place's review channel is #review."""
    await bot.poster("poppy")
    await bot.ok("poppy", POST)
    if review_channel:
        async with bot.app.sessions() as session:
            await session.execute(update(Workspace).values(review_channel=review_channel))
            await session.commit()
    await bot.deliver()


async def reports(app: App) -> list[tuple[str | None, str]]:
    async with app.sessions() as session:
        rows = await session.execute(select(Member.platform_user_id, GigReport.reason)
                                     .outerjoin(Member, Member.id == GigReport.member_id).order_by(GigReport.id))
        return [(user, reason) for user, reason in rows]


async def audit(app: App, action: str) -> list[tuple[str | None, str, dict]]:
    async with app.sessions() as session:
        rows = await session.execute(select(Member.platform_user_id, AuditEntry.subject, AuditEntry.details)
                                     .outerjoin(Member, Member.id == AuditEntry.actor_id)
                                     .where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(user, subject, details) for user, subject, details in rows]


async def hidden_at(app: App) -> object:
    async with app.sessions() as session:
        return (await session.execute(select(Gig.hidden_at).where(Gig.id == 1))).scalar_one()


async def test_a_report_with_or_without_a_reason_reaches_the_review_channel(bot: Harness) -> None:
    await posted(bot)
    text = await bot.ok("alice", '/gig report 1 reason="Asks for a 50 EUR deposit by DM"')
    assert text == ('Thanks for reporting #1 "Fix my WordPress form": the admins will look at it. '
                    "Its poster is not told who reported it.")
    assert "Thanks for reporting #1" in await bot.ok("bob", "/gig report #1")
    assert await reports(bot.app) == [("alice", "Asks for a 50 EUR deposit by DM"), ("bob", "")]
    assert await audit(bot.app, "gig.report") == [("alice", "1", {"reason": "Asks for a 50 EUR deposit by DM"}),
                                                  ("bob", "1", {"reason": ""})]
    sent = await bot.deliver()
    posts = [m for m in sent if m.kind == "post"]
    assert [(m.destination, plain(m.message.cards[0].title)) for m in posts] == \
        [("review", "#1 · Fix my WordPress form")] * 2  # a fresh card for each report
    [stub] = [m for m in sent if m.kind == "edit"]  # the older card loses its buttons: only the newest decides
    assert stub.destination == "review" and stub.message.cards[0].buttons == ()
    assert [m for m in sent if m.kind == "dm"] == []  # the poster hears nothing below the threshold
    assert await hidden_at(bot.app) is None
    assert "#1 · Fix my WordPress form" in await bot.ok("carol", "/gig list")


async def test_a_second_report_by_the_same_member_changes_nothing(bot: Harness) -> None:
    await posted(bot)
    await bot.ok("alice", "/gig report 1 reason=scam")
    await bot.deliver()
    before = await snapshot(bot.app)
    assert await bot.fails("alice", '/gig report 1 reason="really a scam"') == (
        "You already reported #1: the admins have it. Thanks!")
    assert await bot.fails("alice", "/gig report 1") == "You already reported #1: the admins have it. Thanks!"
    assert (await bot.press("alice", "gig:report:1")).ok is False
    assert await snapshot(bot.app) == before
    assert await bot.deliver() == []


async def test_refusals_own_gig_closed_held_rejected_and_unknown(bot: Harness) -> None:
    await posted(bot)
    assert await bot.fails("poppy", "/gig report 1") == (
        "You posted gig #1, so you can't report it. To take it down, close it with /gig close 1.")
    assert "There is no gig #42" in await bot.fails("alice", "/gig report 42")
    assert '"x" is not a gig number' in await bot.fails("alice", "/gig report x")
    assert "Missing: id" in await bot.fails("alice", "/gig report")
    long = "x" * 1001
    assert "`reason` is too long (1001 characters)" in await bot.fails("alice", f"/gig report 1 reason={long}")
    async with bot.app.sessions() as session:
        for status, expected in (("held", "Gig #1 is not published: it already waits for an admin's review."),
                                 ("rejected", "Gig #1 was already taken down by the admins.")):
            await session.execute(update(Gig).values(status=status))
            await session.commit()
            assert await bot.fails("alice", "/gig report 1") == expected
        await session.execute(update(Gig).values(status="open"))
        await session.commit()
    bot.app.clock.advance(timedelta(days=400))  # type: ignore[attr-defined]  # past its apply-by date
    assert await bot.fails("alice", "/gig report 1") == "Gig #1 is closed: there is nothing left to report."
    bot.app.clock.advance(timedelta(days=-400))  # type: ignore[attr-defined]
    await bot.ok("poppy", "/gig close 1")
    assert await bot.fails("alice", "/gig report 1") == "Gig #1 is closed: there is nothing left to report."
    assert await reports(bot.app) == []


async def test_three_distinct_reporters_hide_the_gig_everywhere_and_tell_the_poster(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    await posted(bot)
    await bot.ok("dave", '/gig apply 1 pitch="I fixed ten of these"')
    await bot.deliver()
    await bot.ok("alice", '/gig report 1 reason="Asks for a deposit"')
    await bot.ok("bob", "/gig report 1")
    assert await hidden_at(bot.app) is None
    assert "Thanks for reporting #1" in await bot.ok("carol", '/gig report 1 reason="Telegram only"')
    assert await hidden_at(bot.app) == START
    assert [(user, subject) for user, subject, _ in await audit(bot.app, "gig.hide")] == [(None, "1")]
    sent = await bot.deliver()
    edits = [m for m in sent if m.kind == "edit" and m.destination != "review"]  # the job channels' copies
    assert [m.destination for m in edits] == ["gigs", "php"]
    for edit in edits:
        card = edit.message.cards[0]
        assert card.title == "[Under review] #1 · Fix my WordPress form" and card.buttons == ()
        assert "under review" in card.footer
        assert edit.message.topic is not None and not edit.message.topic.closed  # the thread stays open
    [dm] = [m for m in sent if m.kind == "dm"]
    assert dm.destination == "poppy"
    assert dm.message.text.startswith('Your gig #1 "Fix my WordPress form" was reported by members and is hidden')
    for said in ("Alice", "alice", "Bob", "Carol", "deposit", "Telegram"):  # not who, not their reasons
        assert said not in dm.message.text and dm.message.cards == ()
    assert [m.destination for m in sent if m.kind == "post"] == ["review"] * 3  # a card for each report
    # out of every listing; show and apply say it is under review; dave keeps his application
    assert "No open gigs match" in await bot.ok("eve", "/gig list")
    assert "No open gig matches" in await bot.ok("eve", "/gig search wordpress")
    assert "[Under review] #1 · Fix my WordPress form" in await bot.ok("eve", "/gig show 1")
    refused = "Gig #1 is under review after members' reports and takes no applications until an admin decides."
    assert (await bot.fails("eve", "/gig apply 1")).startswith(refused)
    assert (await bot.fails("eve", "/gig apply 1")) == as_text(await bot.press("eve", "gig:apply:1"))
    assert "Fix my WordPress form" not in await bot.ok("eve", "/gig home")
    assert "#1 Fix my WordPress form: applied" in await bot.ok("dave", "/gig mine")
    assert await bot.app.dispatcher.suggest(Kind.GIG, "1", bot.actor("eve"), bot.place()) == []
    # a fourth report is taken (admins see it) but hides nothing again and tells the poster nothing more
    await bot.ok("eve", "/gig report 1")
    again = await bot.deliver()
    assert [(m.kind, m.destination) for m in again if m.kind == "post"] == [("post", "review")]
    assert len(await audit(bot.app, "gig.hide")) == 1


async def test_a_gig_hidden_meanwhile_refuses_the_application_form_it_opened(bot: Harness) -> None:
    await posted(bot, review_channel=None)
    form_place = Place(PLATFORM, "T1", "general", "general", forms=True)
    opened = await bot.app.dispatcher.press("gig:apply:1", bot.actor("dave"), form_place)
    assert opened.form is not None
    for who in ("alice", "bob", "carol"):
        await bot.ok(who, "/gig report 1")
    answer = await bot.app.dispatcher.submit("apply", {"pitch": "hi"}, bot.actor("dave"), form_place, ("1",))
    assert not answer.ok and "under review" in as_text(answer)


async def test_the_threshold_is_the_community_setting(bot: Harness) -> None:
    await posted(bot)
    async with bot.app.sessions() as session:
        await session.execute(update(Community).values(settings={"screening": {"reports_to_hide": 1}}))
        await session.commit()
    await bot.ok("alice", "/gig report 1")
    assert await hidden_at(bot.app) == START
    await bot.ok("poppy", '/gig post title="Logo for a bakery" budget=90 apply_by=2027-06-30')
    async with bot.app.sessions() as session:
        await session.execute(update(Community).values(settings={"screening": {"reports_to_hide": 5}}))
        await session.commit()
    for who in ("alice", "bob", "carol", "dave"):
        await bot.ok(who, "/gig report 2")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.hidden_at).where(Gig.id == 2))).scalar_one() is None
    await bot.ok("eve", "/gig report 2")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.hidden_at).where(Gig.id == 2))).scalar_one() == START


async def test_the_button_opens_a_reason_form_where_forms_open_and_reports_at_once_elsewhere(bot: Harness) -> None:
    await posted(bot)
    form_place = Place(PLATFORM, "T1", "general", "general", forms=True)
    opened = await bot.app.dispatcher.press("gig:report:1", bot.actor("alice"), form_place)
    assert opened.ok and opened.form is not None
    form = opened.form
    assert (form.command, form.title, form.args) == ("report", "Report #1", ("1",))
    [reason] = form.inputs
    assert (reason.name, reason.kind, reason.required) == ("reason", "multiline", False)
    assert form.cards[0].title == "#1 · Fix my WordPress form" and form.cards[0].buttons == ()
    assert await reports(bot.app) == []  # opening the form records nothing
    submitted = await bot.app.dispatcher.submit("report", {"reason": "Wants my bank login"}, bot.actor("alice"),
                                                form_place, ("1",))
    assert submitted.ok and "Thanks for reporting #1" in as_text(submitted)
    empty = await bot.app.dispatcher.submit("report", {"reason": "  "}, bot.actor("bob"), form_place, ("1",))
    assert empty.ok
    pressed = await bot.press("carol", "gig:report:1")  # no forms (the console): reported at once, no reason
    assert pressed.ok and pressed.form is None and "Thanks for reporting #1" in as_text(pressed)
    assert await reports(bot.app) == [("alice", "Wants my bank login"), ("bob", ""), ("carol", "")]
    own = await bot.app.dispatcher.press("gig:report:1", bot.actor("poppy"), form_place)
    assert not own.ok and own.form is None and "You posted gig #1" in as_text(own)


async def test_the_card_of_each_state(bot: Harness) -> None:
    await posted(bot)
    t, today = Translator("en"), START.date()
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
        live = gig_card(gig, t, 0, today)
        assert [b.label for b in live.buttons] == ["Apply", "Details", "Report"] and live.ref == "#1"
        assert [b.id for b in gig_card(gig, t, 0, today, full=True).buttons] == ["gig:apply:1"]
        titles = {}
        for status, hidden in (("open", START), ("held", None), ("rejected", None), ("rejected", START),
                               ("closed", START)):
            gig.status, gig.hidden_at = status, hidden
            card = gig_card(gig, t, 0, today)
            assert card.buttons == ()
            titles[status, hidden is not None] = (card.title, card.footer)
        gig.status, gig.hidden_at = "open", None  # an admin approved it: live again
        assert len(gig_card(gig, t, 0, today).buttons) == 3
    assert titles == {
        ("open", True): ("[Under review] #1 · Fix my WordPress form",
                         "Members reported this gig: it is under review and takes no applications until an admin "
                         "decides."),
        ("held", False): ("[Waiting for review] #1 · Fix my WordPress form",
                          "An admin reviews this gig before it goes live."),
        ("rejected", False): ("[Removed] #1 · Fix my WordPress form", "An admin took this gig down after review."),
        ("rejected", True): ("[Removed] #1 · Fix my WordPress form", "An admin took this gig down after review."),
        ("closed", True): ("[Closed] #1 · Fix my WordPress form", "This gig is closed."),
    }


async def test_in_french(bot: Harness) -> None:
    await posted(bot)
    bot.locales["alice"] = "fr"
    assert (await bot.ok("alice", "/gig report 1")).startswith("Merci d'avoir signalé #1 « Fix my WordPress form »")
    assert (await bot.fails("alice", "/gig report 1")).startswith("Vous avez déjà signalé #1")


class TestLinkedPeople:
    """A person on Slack and Discord reports once, whichever account reported first."""

    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)

    @pytest.fixture
    async def two(self, app: App) -> People:
        people = People(app)
        await people.setup()
        await people.ok("admin", POST)
        return people

    async def link(self, two: People) -> None:
        code = await two.code("ana")
        await two.ok("ana_d", f"/gig link {code}")

    async def test_linked_before_the_reports(self, two: People) -> None:
        await self.link(two)
        await two.ok("ana", "/gig report 1 reason=scam")
        assert "You already reported #1" in await two.fails("ana_d", "/gig report 1")
        await two.ok("bob", "/gig report 1")
        async with two.app.sessions() as session:
            assert (await session.execute(select(Gig.hidden_at))).scalar_one() is None
        await two.ok("cid_d", "/gig report 1")
        async with two.app.sessions() as session:
            assert (await session.execute(select(Gig.hidden_at))).scalar_one() == START

    async def test_reported_from_both_accounts_before_linking_counts_once(self, two: People) -> None:
        await two.ok("ana", "/gig report 1")
        await two.ok("ana_d", "/gig report 1")
        await self.link(two)
        await two.ok("bob", "/gig report 1")  # ana (twice, one person now) and bob: two reporters
        async with two.app.sessions() as session:
            assert (await session.execute(select(Gig.hidden_at))).scalar_one() is None
        assert "You already reported #1" in await two.fails("ana", "/gig report 1")
        await two.ok("cid_d", "/gig report 1")
        async with two.app.sessions() as session:
            assert (await session.execute(select(Gig.hidden_at))).scalar_one() == START


class TestMergedPlaces:
    """A member known to two communities that merge keeps their reports, as one member."""

    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(admins=PLACE_ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)

    async def test_a_reporter_known_to_both_communities_keeps_the_reports(self, app: App) -> None:
        places = Places(app)
        await places.ok(DISCORD, "dana", '/gig post title="Landing page in React" budget=300', admin=True)
        await places.ok(DISCORD2, "jo", '/gig post title="Logo for a bakery" budget=80', admin=True)
        await places.ok(DISCORD, "dora", "/gig report 1 reason=fake")
        await places.ok(DISCORD2, "dora", "/gig report 2 reason=odd")
        code = await places.code(DISCORD, "dana", admin=True)
        await places.ok(DISCORD2, "jo", f"/gig admin join {code}", admin=True)
        assert await places.rows(
            "SELECT r.gig_id, r.reason, m.platform_user_id FROM gig_report r JOIN member m ON m.id = r.member_id"
            " ORDER BY r.gig_id") == [(1, "fake", "dora"), (2, "odd", "dora")]
        assert await places.rows("SELECT count(*) FROM member WHERE platform_user_id = 'dora'") == [(1,)]
        assert "You already reported #2" in await places.fails(DISCORD, "dora", "/gig report 2")

    async def test_an_admin_known_to_both_communities_keeps_their_decisions_and_edits(self, app: App) -> None:
        places = Places(app)
        await places.ok(DISCORD, "dana", '/gig post title="Landing page in React" budget=300', admin=True)
        await places.ok(DISCORD, "dana", "/gig edit 1 budget=350", admin=True)
        held = await places.run(DISCORD2, "dana", '/gig post title="Survey page" budget=80 description="Pay a '
                                'registration fee of 20 EUR to start, then contact me on Telegram @hr for details."',
                                admin=True)
        assert "Publish anyway" in str(held)
        await places.ok(DISCORD2, "dana", "/gig approve 2", admin=True)
        await places.ok(DISCORD2, "dana", "/gig edit 2 budget=90", admin=True)
        code = await places.code(DISCORD, "dana", admin=True)
        await places.ok(DISCORD2, "dana", f"/gig admin join {code}", admin=True)
        assert await places.rows("SELECT count(*) FROM member WHERE platform_user_id = 'dana'") == [(1,)]
        assert await places.rows(
            "SELECT g.id, m.platform_user_id FROM gig g JOIN member m ON m.id = g.reviewed_by_id") == [(2, "dana")]
        assert await places.rows(
            "SELECT r.gig_id, m.platform_user_id FROM gig_revision r JOIN member m ON m.id = r.editor_id"
            " ORDER BY r.gig_id") == [(1, "dana"), (2, "dana")]
