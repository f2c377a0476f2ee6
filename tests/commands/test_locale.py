"""What a member reads in their language: counted messages, amounts as posters write them, status words, dates."""

from datetime import timedelta

from sqlalchemy import select

from bot.store.models import Gig
from tests.commands.test_nudges import dms
from tests.conftest import Harness


async def stored_budget(bot: Harness) -> tuple[int, int, str]:
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig).order_by(Gig.id.desc()).limit(1))).scalar_one()
        return gig.budget_min, gig.budget_max, gig.currency


async def test_amounts_are_read_the_way_the_poster_wrote_them(bot: Harness) -> None:
    for n, (budget, stored) in enumerate([
        ("1.500,00 €", (150000, 150000, "EUR")),
        ("1 500,00", (150000, 150000, "EUR")),
        ("1500,50", (150050, 150050, "EUR")),
        ("1,500.00 USD", (150000, 150000, "USD")),
        ("200 euros", (20000, 20000, "EUR")),
        ("50 dollars/h", (5000, 5000, "USD")),
    ]):
        await bot.ok("admin", f'/gig post title="Gig number {n}" budget="{budget}"')
        assert await stored_budget(bot) == stored, budget


async def test_an_ambiguous_amount_is_refused_with_both_readings_and_nothing_is_stored(bot: Harness) -> None:
    text = await bot.fails("admin", '/gig post title="Logo design" budget=1.000')
    assert "1000" in text and "1.00" in text
    bot.locales["admin"] = "fr"
    text = await bot.fails("admin", '/gig post title="Logo design" budget="1,000 €"')
    assert "peut se lire 1000 ou 1,00" in text
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig))).scalars().all() == []


async def test_a_token_budget_is_refused_below_the_community_minimum(bot: Harness) -> None:
    text = await bot.fails("admin", '/gig post title="Logo design" budget=0.01')
    assert "at least 10 EUR" in text
    assert "at least 10 USD" in await bot.fails("admin", '/gig post title="Logo design" budget="$5-$300"')
    assert "Only admins" in await bot.fails("alice", "/gig admin settings min_paid=2")
    text = await bot.ok("admin", "/gig admin settings min_paid=2")
    assert "smallest paid budget 2" in text
    await bot.ok("admin", '/gig post title="Logo design" budget=5')
    assert await stored_budget(bot) == (500, 500, "EUR")
    assert "at least 2 EUR" in await bot.fails("admin", '/gig post title="Tiny task" budget=1.50')
    assert "1.000" in await bot.fails("admin", "/gig admin settings min_paid=1.000")  # read like a budget
    await bot.ok("admin", "/gig admin settings min_paid=default")
    assert "at least 10 EUR" in await bot.fails("admin", '/gig post title="Tiny task" budget=5')


async def test_counted_messages_agree_with_their_number_in_french(bot: Harness) -> None:
    await bot.poster("poppy")
    bot.locales["poppy"] = "fr"
    await bot.ok("poppy", '/gig post title="Fix my WordPress form" budget="150 EUR" apply_by=2027-06-30')
    await bot.ok("alice", "/gig apply 1")
    [review] = dms(await bot.later(days=7), "poppy")
    assert review.message.cards[0].body.startswith("1 membre a candidaté depuis 7 jours et n'a pas encore eu")
    text = await bot.ok("poppy", "/gig close 1")
    assert text.endswith("1 publication mise à jour, 1 candidat en attente prévenu.")


async def test_mine_counts_days_in_both_languages(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Fix my WordPress form" budget="150 EUR" apply_by=2027-06-30')
    await bot.ok("alice", "/gig apply 1")
    bot.app.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert "applied, 1 day since the last change" in await bot.ok("alice", "/gig mine")
    bot.locales["alice"] = "fr"
    assert "candidature envoyée, 1 jour depuis le dernier changement" in await bot.ok("alice", "/gig mine")


async def test_cards_show_money_and_dates_as_the_reader_writes_them(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Shop in Lyon" budget="1500-2000,50 EUR" apply_by=2026-12-07')
    english = await bot.ok("alice", "/gig show 1")
    assert "Budget: €1,500 – €2,000.50" in english and "Apply by: Dec 7, 2026" in english
    bot.locales["claire"] = "fr"
    french = await bot.ok("claire", "/gig show 1")
    assert "1\u202f500\u00a0€ – 2\u202f000,50\u00a0€" in french
    assert "7 déc. 2026" in french


async def test_status_words_are_accepted_in_french_too(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    bot.locales["claire"] = "fr"
    await bot.ok("claire", "/gig apply 1")
    assert "→ en entretien" in await bot.ok("claire", "/gig status 1 entretien")
    assert "→ retenu" in await bot.ok("claire", "/gig status 1 Embauchée")  # any case, any accent, any gender
    await bot.ok("alice", "/gig apply 1")
    assert "→ followed up" in await bot.ok("alice", "/gig status 1 relance")  # an English reader may type French
    assert "→ rejected" in await bot.ok("alice", "/gig status 1 rejected")  # and the English words still work


async def test_french_help_and_errors_name_the_french_status_words(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    bot.locales["claire"] = "fr"
    await bot.ok("claire", "/gig apply 1")
    usage = await bot.ok("claire", "/gig help status")
    assert "<relancé|entretien|embauché|refusé|retiré>" in usage
    assert "relancé, entretien, embauché, refusé, retiré" in await bot.fails("claire", "/gig status 1 envoyée")
    assert "relancé|entretien|embauché|refusé|retiré" in await bot.ok("claire", "/gig mine")
    assert "<followed_up|interviewing|hired|rejected|withdrawn>" in await bot.ok("alice", "/gig help status")


async def test_changing_the_community_language_confirms_in_the_new_language(bot: Harness) -> None:
    text = await bot.ok("admin", "/gig admin settings lang=fr")
    assert text.startswith("Réglages de la communauté enregistrés.")
    assert "langue fr" in text
    text = await bot.ok("admin", "/gig admin settings lang=en")
    assert text.startswith("Community settings saved.")
    bot.locales["admin"] = "fr"  # an admin who reads French reads French whatever the community's default
    assert (await bot.ok("admin", "/gig admin settings lang=en")).startswith("Réglages de la communauté enregistrés.")
