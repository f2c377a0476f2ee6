"""`gig search` matches whole words, folds accents and case both ways, and expands tag aliases (both databases)."""

from bot.core.text import plain
from tests.conftest import Harness


async def found(bot: Harness, words: str) -> list[str]:
    reply = await bot.run("alice", f"/gig search {words}")
    assert reply.ok, reply.text
    return [plain(card.title).split(" · ", 1)[1] for card in reply.cards]


async def test_a_word_matches_whole_words_never_inside_another(bot: Harness) -> None:
    for title, tags in (("Django API fix", "python"), ("Logo for a bakery", "design"), ("Go microservice", ""),
                        ("Rapid prototype", "")):
        await bot.ok("admin", f'/gig post title="{title}" budget=200 tags="{tags}"')
    assert await found(bot, "go") == ["Go microservice"]
    assert await found(bot, "api") == ["Django API fix"]  # not "Rapid"
    assert await found(bot, "log") == []  # not "Logo"
    assert await found(bot, "django") == ["Django API fix"]


async def test_accents_and_case_fold_both_ways(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Site pour un café" budget=300 description="Menu et réservations"')
    await bot.ok("admin", '/gig post title="CAFE ordering app" budget=300')
    await bot.ok("admin", '/gig post title="Cafeteria menu board" budget=300')
    assert await found(bot, "cafe") == ["CAFE ordering app", "Site pour un café"]
    assert await found(bot, "Café") == ["CAFE ordering app", "Site pour un café"]
    assert await found(bot, "reservations menu") == ["Site pour un café"]
    assert await found(bot, "RÉSERVATIONS") == ["Site pour un café"]


async def test_tag_aliases_are_expanded_in_tags_titles_and_descriptions(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Backend rewrite" budget=900 tags=golang')  # stored as the tag go
    await bot.ok("admin", '/gig post title="Golang CLI tool" budget=400')
    await bot.ok("admin", '/gig post title="Shop front" budget=400 tags=js description="Vanilla JS only"')
    await bot.ok("admin", '/gig post title="Node.js API" budget=400')
    assert await found(bot, "golang") == ["Golang CLI tool", "Backend rewrite"]
    assert await found(bot, "go") == ["Golang CLI tool", "Backend rewrite"]
    assert await found(bot, "javascript") == ["Node.js API", "Shop front"]  # the tag js, the words JS and Node.js
    assert await found(bot, "node") == ["Node.js API"]
    assert await found(bot, "nodejs") == ["Node.js API"]
    assert await found(bot, "node.js api") == ["Node.js API"]


async def test_every_word_must_match_and_symbols_match_nothing_else(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="C++ game patch" budget=500 tags=c++')
    await bot.ok("admin", '/gig post title="C# desktop app" budget=500')
    await bot.ok("admin", '/gig post title="Python scraper" budget=500 description="Use httpx, not requests"')
    assert await found(bot, "c++") == ["C++ game patch"]
    assert await found(bot, "cpp") == ["C++ game patch"]
    assert await found(bot, "c#") == ["C# desktop app"]
    assert await found(bot, "python httpx") == ["Python scraper"]
    assert await found(bot, "python django") == []
    assert await found(bot, "100%_") == []
    assert await found(bot, "%") == []
