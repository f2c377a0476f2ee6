from datetime import timedelta

from bot.core.text import plain
from tests.conftest import Harness, as_text


async def post_some(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Python scraper" budget=200 tags=python remote=yes description="httpx"')
    await bot.ok("admin", '/gig post title="Shop in Lyon" budget="1000-1500 EUR" tags=shopify remote=no location=Lyon')
    await bot.ok("admin", '/gig post title="Django API fix" budget="40 EUR/h" hours=20 '
                          'tags=python,django remote=yes')


async def test_list_shows_open_gigs_newest_first_with_buttons(bot: Harness) -> None:
    await post_some(bot)
    reply = await bot.run("alice", "/gig list")
    assert reply.ok
    assert reply.text.startswith("Open gigs, page 1 of 1 (3 in all):")
    assert [c.title for c in reply.cards] == ["#3 · Django API fix", "#2 · Shop in Lyon", "#1 · Python scraper"]
    assert reply.cards[1].body == "€1,000 – €1,500 · shopify · Lyon · apply by Dec 7, 2026"
    assert reply.cards[0].body == "€40/h · python, django · Remote · apply by Dec 7, 2026"
    assert [b.id for b in reply.cards[0].buttons] == ["gig:apply:3", "gig:show:3"]


async def test_list_filters(bot: Harness) -> None:
    await post_some(bot)

    async def ids(line: str) -> list[str]:
        reply = await bot.run("alice", line)
        assert reply.ok, reply.text
        return [c.title.split(" ")[0] for c in reply.cards]

    assert await ids("/gig list tag=python") == ["#3", "#1"]
    assert await ids("/gig list tag=py") == ["#3", "#1"]  # aliases apply to filters too
    assert await ids("/gig list remote=no") == ["#2"]
    assert await ids("/gig list location=lyon") == ["#2"]
    assert await ids("/gig list min_budget=500") == ["#3", "#2"]  # 40 EUR/h for 20 h is worth 800
    assert await ids("/gig list min_budget=1000") == ["#2"]
    assert await ids("/gig list tag=python remote=yes min_budget=100") == ["#3", "#1"]
    assert "No open gigs match" in await bot.ok("alice", "/gig list tag=rust")


async def test_min_budget_with_a_currency_keeps_to_that_currency(bot: Harness) -> None:
    await post_some(bot)
    await bot.ok("admin", '/gig post title="Landing page" budget="$900" tags=html')
    await bot.ok("admin", '/gig post title="Small fix" budget="90 USD" tags=css')

    async def ids(line: str) -> list[str]:
        reply = await bot.run("alice", line)
        assert reply.ok, reply.text
        return [c.title.split(" ")[0] for c in reply.cards]

    assert await ids("/gig list min_budget=500") == ["#4", "#3", "#2"]  # no currency: amounts in any currency
    assert await ids('/gig list min_budget="500 USD"') == ["#4"]
    assert await ids("/gig list min_budget=€500") == ["#3", "#2"]
    assert "No open gigs match" in await bot.ok("alice", '/gig list min_budget="500 GBP"')
    error = await bot.fails("alice", '/gig list min_budget="500 ABC"')
    assert '"ABC" is not a currency code' in error


async def test_search_matches_every_word_in_title_description_or_tags(bot: Harness) -> None:
    await post_some(bot)
    reply = await bot.run("alice", "/gig search python")
    assert [c.title.split(" ")[0] for c in reply.cards] == ["#3", "#1"]
    reply = await bot.run("alice", "/gig search HTTPX scraper")
    assert [c.title.split(" ")[0] for c in reply.cards] == ["#1"]
    assert "No open gig matches those words" in await bot.ok("alice", "/gig search 100%_")
    assert "Missing: text" in await bot.fails("alice", "/gig search")


async def test_list_is_paginated(bot: Harness) -> None:
    for n in range(7):
        await bot.ok("admin", f'/gig post title="Gig number {n}" budget=50')
    first = await bot.run("alice", "/gig list")
    assert len(first.cards) == 5 and "page 1 of 2 (7 in all)" in first.text
    assert "More: /gig list page=2" in first.text
    second = await bot.run("alice", "/gig list page=2")
    assert [c.title for c in second.cards] == ["#2 · Gig number 1", "#1 · Gig number 0"]
    assert "More:" not in second.text
    assert "There is no page 3: there are 2." in await bot.fails("alice", "/gig list page=3")
    assert "must be a whole number above zero" in await bot.fails("alice", "/gig list page=0")


async def test_closed_and_expired_gigs_are_not_listed(bot: Harness, clock) -> None:
    await bot.ok("admin", '/gig post title="Soon over" budget=50 apply_by=2026-11-24')
    await bot.ok("admin", '/gig post title="Closed one" budget=50')
    await bot.ok("admin", "/gig close 2")
    assert [c.title for c in (await bot.run("alice", "/gig list")).cards] == ["#1 · Soon over"]
    clock.advance(timedelta(days=2))
    assert "No open gigs match" in await bot.ok("alice", "/gig list")


async def test_show_has_everything_and_an_apply_button_while_open(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Logo" budget=80 tags=design hours=5 apply_url=https://acme.io/jobs/1 '
                          'description="A full description"')
    text = await bot.ok("alice", "/gig show #1")
    for expected in ("== #1 · Logo ==", "A full description", "Budget: €80", "Tags: design", "Where: Remote",
                     "Effort: about 5 h", "Apply by: Dec 7, 2026", "Apply at: https://acme.io/jobs/1",
                     "Applicants: 0", "Posted by: @Admin", "[Apply](gig:apply:1)"):
        assert expected in text
    assert "There is no gig #9" in await bot.fails("alice", "/gig show 9")
    assert '"abc" is not a gig number' in await bot.fails("alice", "/gig show abc")
    details = await bot.press("alice", "gig:show:1")
    assert "== #1 · Logo ==" in as_text(details)


async def test_a_very_long_list_is_not_counted_to_the_end(bot: Harness, monkeypatch) -> None:
    from bot.commands import browse
    from bot.services import gigs

    monkeypatch.setattr(gigs, "COUNT_LIMIT", 6)
    monkeypatch.setattr(browse, "COUNT_LIMIT", 6)
    for n in range(12):
        await bot.ok("admin", f'/gig post title="Gig number {n}" budget=50')
    first = await bot.run("alice", "/gig list")
    assert first.text.splitlines() == ["Open gigs, page 1 (more than 6 in all: filters narrow them down):",
                                       "More: /gig list page=2"]
    third = await bot.run("alice", "/gig list page=3")
    assert [c.title for c in third.cards] == ["#2 · Gig number 1", "#1 · Gig number 0"]
    assert "More:" not in third.text
    assert "There is no page 4." == await bot.fails("alice", "/gig list page=4")


async def test_suggestions_while_typing_a_gig_or_a_tag(bot: Harness) -> None:
    from bot.core.registry import Kind

    await post_some(bot)
    await bot.ok("admin", "/gig close 2")
    for n in range(4, 14):
        await bot.ok("admin", f'/gig post title="Filler {n}" budget=10 tags=python')
    suggest = bot.app.dispatcher.suggest
    actor, place = bot.actor("alice"), bot.place()
    assert (await suggest(Kind.GIG, "djan", actor, place)) == [("#3 Django API fix", "3")]
    assert [v for _, v in await suggest(Kind.GIG, "#1", actor, place)] == ["13", "12", "11", "10", "1"]
    assert len(await suggest(Kind.GIG, "", actor, place)) == 12  # open gigs only: #2 is closed
    assert await suggest(Kind.TEXT, "py", actor, place) == [("python", "python")]
    assert [v for _, v in await suggest(Kind.TEXT, "", actor, place)][:2] == ["python", "django"]


async def titles(reply) -> list[str]:  # type: ignore[no-untyped-def]
    assert reply.ok, as_text(reply)
    return [plain(card.title) for card in reply.cards]


async def post_pythons(bot: Harness, count: int) -> None:
    for n in range(count):
        await bot.ok("admin", f'/gig post title="Python scraper {n}" budget=50 tags=python remote=no '
                              f'location="Le Mans" description="Un café, n° {n}" apply_by=2027-06-30')
    await bot.ok("admin", '/gig post title="Python elsewhere" budget=50 tags=python remote=no location=Lyon')
    await bot.ok("admin", '/gig post title="Ruby scraper" budget=50 tags=ruby remote=no location="Le Mans"')


async def test_the_more_hint_repeats_the_whole_search_quoted_and_runs_as_shown(bot: Harness) -> None:
    await post_pythons(bot, 7)
    first = await bot.run("alice", '/gig search python café tag=py location="Le Mans" remote=no')
    assert await titles(first) == [f"#{n} · Python scraper {n - 1}" for n in (7, 6, 5, 4, 3)]
    hint = plain(first.text).splitlines()[-1]
    assert hint == 'More: /gig search python café tag=python remote=no location="Le Mans" page=2'
    second = await bot.run("alice", hint.removeprefix("More: "))
    assert await titles(second) == ["#2 · Python scraper 1", "#1 · Python scraper 0"]
    assert "More:" not in plain(second.text) and second.buttons == ()
    listed = await bot.run("alice", "/gig list tag=python remote=no page=1")
    assert plain(listed.text).splitlines()[-1] == "More: /gig list tag=python remote=no page=2"
    quoted = await bot.run("alice", '/gig search "python" Scraper min_budget="10 EUR" location=\'Le "Mans\'')
    assert quoted.ok and quoted.cards == ()  # no such place, but the words and the quote survive:
    await bot.ok("admin", '/gig post title="Odd place" budget=50 location=\'Le "Mans\' description="python scraper"')
    for n in range(5):
        await bot.ok("admin", f'/gig post title="Odd place {n}" budget=50 location=\'Le "Mans\' tags=python,scraper')
    quoted = await bot.run("alice", '/gig search "python" Scraper min_budget="10 EUR" location=\'Le "Mans\'')
    hint = plain(quoted.text).splitlines()[-1]
    assert hint == r'More: /gig search python Scraper location="Le \"Mans" min_budget="10 EUR" page=2'
    assert await titles(await bot.run("alice", hint.removeprefix("More: "))) == ["#10 · Odd place"]


async def test_the_next_page_button_runs_the_same_search_on_the_next_page(bot: Harness) -> None:
    await post_pythons(bot, 12)
    first = await bot.run("alice", "/gig search python scraper remote=no")
    [button] = first.buttons
    assert button.label == "Next page" and len(button.id) <= 100
    second = await bot.press("alice", button.id)
    assert await titles(second) == [f"#{n} · Python scraper {n - 1}" for n in (7, 6, 5, 4, 3)]
    assert "page 2 of 3 (12 in all)" in plain(second.text)
    third = await bot.press("bob", second.buttons[0].id)  # anyone shown the button may press it
    assert await titles(third) == ["#2 · Python scraper 1", "#1 · Python scraper 0"] and third.buttons == ()
    long_words = " ".join(["python"] * 60)  # far more than a button id holds
    button = (await bot.run("alice", f"/gig search {long_words} location=Mans")).buttons[0]
    assert len(button.id) <= 100
    assert len((await bot.press("alice", button.id)).cards) == 5
    french = await bot.run("alice", "/gig search python scraper remote=non")
    bot.locales["carol"] = "fr"
    assert (await bot.run("carol", "/gig search python scraper remote=non")).buttons[0].label == "Page suivante"
    assert french.buttons == first.buttons  # the same query keeps one key


async def test_a_next_page_button_lasts_a_month_after_its_list_was_last_shown(bot: Harness, clock) -> None:
    await post_pythons(bot, 6)
    button = (await bot.run("alice", "/gig list tag=python")).buttons[0].id
    clock.advance(timedelta(days=20))
    assert await titles(await bot.press("alice", button)) == ["#1 · Python scraper 0"]  # "Python elsewhere" closed
    assert (await bot.run("alice", "/gig list tag=python")).buttons[0].id == button  # shown again: renewed
    clock.advance(timedelta(days=25))
    assert await titles(await bot.press("alice", button)) == ["#1 · Python scraper 0"]  # "Python elsewhere" closed
    clock.advance(timedelta(days=31))
    gone = await bot.press("alice", button)
    assert not gone.ok and "too old" in as_text(gone) and "/gig list" in as_text(gone)
    other = await bot.press("alice", "gig:more:0123456789abcdef.2")
    assert not other.ok and "too old" in as_text(other)
