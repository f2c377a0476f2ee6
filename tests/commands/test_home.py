from tests.conftest import Harness


async def test_home_shows_my_applications_and_gigs_in_my_niches(bot: Harness) -> None:
    text = await bot.ok("alice", "/gig home")
    assert "You haven't applied to any gig yet." in text and "No open gig for you right now" in text
    await bot.ok("admin", '/gig post title="Django API" budget=100 tags=python,django')
    await bot.ok("admin", '/gig post title="Logo" budget=50 tags=design')
    await bot.ok("admin", '/gig post title="Flask fix" budget=80 tags=python,flask')
    await bot.ok("admin", '/gig post title="Poster design" budget=60 tags=design,print')
    reply = await bot.run("alice", "/gig home")
    assert [c.title for c in reply.cards] == ["#4 · Poster design", "#3 · Flask fix", "#2 · Logo", "#1 · Django API"]
    await bot.ok("alice", "/gig apply 1")
    reply = await bot.run("alice", "/gig home")
    assert reply.text.splitlines()[:3] == ["Your applications (1):", "• #1 Django API: applied",
                                           "Your niches: django, python"]
    assert [c.title for c in reply.cards] == ["#3 · Flask fix"]  # python, not applied to yet
    assert [b.id for b in reply.cards[0].buttons] == ["gig:apply:3", "gig:show:3"]
