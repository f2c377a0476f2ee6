from sqlalchemy import func, select

from bot.core.types import InputKind, Rich
from bot.services.gigs import GIG_FIELDS
from bot.store.models import AuditEntry, Gig, OutboxMessage, Posting
from tests.conftest import Harness


async def count(bot: Harness, model: type) -> int:
    async with bot.app.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_post_stores_the_gig_and_reposts_it_to_the_default_channel(bot: Harness, post_line: str) -> None:
    text = await bot.ok("admin", post_line)
    assert 'Posted gig #1 "Fix my WordPress form" to #gigs.' in text
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
    assert (gig.title, gig.budget_min, gig.budget_max, gig.currency, gig.hourly) == (
        "Fix my WordPress form", 15000, 15000, "EUR", False)
    assert gig.tag_names == ["wordpress", "php"]
    assert gig.remote is True and gig.status == "open"
    assert gig.apply_by.isoformat() == "2026-12-07"  # 14 days after 2026-11-23
    sent = await bot.deliver()
    assert [(m.kind, m.destination) for m in sent] == [("post", "gigs")]
    card = sent[0].message.cards[0]
    assert card.title == "#1 · Fix my WordPress form"
    assert [b.id for b in card.buttons] == ["gig:apply:1", "gig:show:1", "gig:report:1"]
    async with bot.app.sessions() as session:
        posting = (await session.execute(select(Posting))).scalar_one()
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "gig.post"))).scalar_one()
    assert (posting.channel, posting.message_ref) == ("gigs", f"M{sent[0].id}")
    assert audit.subject == "1"


async def test_post_goes_to_every_matching_route_once(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #php-gigs tags=php")
    await bot.ok("admin", "/gig route add #remote remote=yes")
    await bot.ok("admin", "/gig route add #paris location=paris")
    await bot.ok("admin", "/gig route add #gigs tags=wordpress")  # the default channel already gets it
    text = await bot.ok("admin", '/gig post title="Fix my form" budget=100 tags=js,PHP remote=yes')
    assert "to #gigs, #php-gigs, #remote." in text
    sent = await bot.deliver()
    assert sorted(m.destination for m in sent) == ["gigs", "php-gigs", "remote"]


async def test_every_field_is_read_and_normalised(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="  Build   a landing page " budget="25,50 EUR/h" tags=" #JS , ts,js " '
                          'remote=non location="Lyon" hours=12h apply_by=2026-12-01 '
                          'apply_url="https://Example.com/jobs/1?utm_source=x&b=2&a=1#top" source=Malt '
                          'description="Three sections, one form."')
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
    assert gig.title == "Build a landing page"
    assert (gig.budget_min, gig.currency, gig.hourly) == (2550, "EUR", True)
    assert gig.tag_names == ["javascript", "typescript"]
    assert (gig.remote, gig.location, gig.hours, gig.source) == (False, "Lyon", 12, "Malt")
    assert gig.apply_by.isoformat() == "2026-12-01"
    assert gig.canonical_url == "https://example.com/jobs/1?a=1&b=2"


async def test_each_invalid_field_gets_its_own_message_and_nothing_is_stored(bot: Harness) -> None:
    text = await bot.fails("admin", '/gig post title=ab budget=free tags="ok,not a/tag" remote=maybe hours=-3 '
                                    'apply_by=2026-13-01 apply_url=ftp://x')
    assert "Please fix 7 fields:" in text
    for expected in ("title: The title is too short", "budget: Gigs must be paid", 'tags: "not a/tag" is not a tag',
                     "remote: `remote` must be yes or no", "hours: `hours` is the estimated effort",
                     'apply_by: "2026-13-01" is not a date', 'apply_url: "ftp://x" is not a link'):
        assert expected in text
    assert await count(bot, Gig) == 0
    assert await count(bot, OutboxMessage) == 0


async def test_a_gig_must_have_a_title_and_a_paid_budget(bot: Harness) -> None:
    text = await bot.fails("admin", "/gig post tags=php")
    assert "A gig needs a title" in text and "Gigs must be paid: give a budget" in text
    assert "must be more than zero" in await bot.fails("admin", "/gig post title='Paid in exposure' budget=0")
    assert "upside down" in await bot.fails("admin", "/gig post title='Range' budget=300-150")
    assert '"ABC" is not a currency code' in await bot.fails("admin", "/gig post title='Odd money' budget='300 ABC'")
    assert "already passed" in await bot.fails("admin", "/gig post title='Late' budget=10 apply_by=2026-11-22")
    assert await count(bot, Gig) == 0


async def test_post_without_fields_explains_how_and_offers_the_form(bot: Harness) -> None:
    reply = await bot.run("admin", "/gig post")
    assert reply.ok and reply.form is not None
    names = [i.name for i in reply.form.inputs]
    assert sorted(names) == sorted(GIG_FIELDS)  # every field of a gig, the essentials first
    assert names[:5] == ["title", "budget", "tags", "description", "apply_url"]
    kinds = {i.name: i.kind for i in reply.form.inputs}
    assert (kinds["remote"], kinds["apply_by"], kinds["hours"]) == (InputKind.CHOICE, InputKind.DATE, InputKind.NUMBER)
    assert "/gig post title=" in reply.text


async def test_duplicates_are_refused_with_the_earlier_gig_id(bot: Harness, clock, post_line: str) -> None:
    await bot.ok("admin", post_line)
    text = await bot.fails("admin", '/gig post title="fix my  WordPress form!" budget=99')
    assert 'already posted as #1 "Fix my WordPress form"' in text
    await bot.ok("admin", '/gig post title="Logo design" budget=80 apply_url="https://www.acme.io/job?id=7&utm_medium=x"')
    await bot.ok("admin", "/gig role add @poppy poster")
    text = await bot.fails("poppy", '/gig post title="Another title" budget=80 apply_url="http://acme.io/job/?id=7&fbclid=1"')
    assert "already posted as #2" in text
    from datetime import timedelta

    clock.advance(timedelta(days=45))  # fine again 30 days after #1's apply-by date (2026-12-07) closed it
    await bot.ok("admin", '/gig post title="Fix my WordPress form" budget=150 apply_by=2027-01-30')
    assert await count(bot, Gig) == 3


async def test_members_cannot_post_until_an_admin_makes_them_posters(bot: Harness, post_line: str) -> None:
    assert "Only posters and admins" in await bot.fails("alice", post_line)
    assert "@Alice can now post gigs." == await bot.ok("admin", "/gig role add @alice poster")
    await bot.ok("alice", post_line)
    await bot.ok("admin", "/gig role remove alice poster")
    assert "Only posters and admins" in await bot.fails("alice", '/gig post title="Other gig" budget=10')


async def test_reposted_text_is_kept_as_typed_and_marked_as_user_text(bot: Harness) -> None:
    await bot.screening(off=["mentions"])  # pings on purpose: screening would hold them (tests/commands/test_gate.py)
    await bot.ok("admin", '/gig post title="@everyone URGENT <!channel>" budget=50 '
                          'description="ping @here and <@U123> and <@&42> and @channel"')
    sent = await bot.deliver()
    card = sent[0].message.cards[0]
    assert isinstance(card.title, Rich) and isinstance(card.body, Rich)
    assert card.title.user_parts == ["@everyone URGENT <!channel>"]  # the renderers make it safe, not the domain
    assert card.body.user_parts == ["ping @here and <@U123> and <@&42> and @channel"]
    assert "\u200b" not in str(card.title) + str(card.body)
