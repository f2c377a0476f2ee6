"""Three-word admin commands on the console: run, suggested when mistyped, listed by help, refused to members."""

from bot.adapters.console import Console
from bot.app import App
from bot.scheduler import Scheduler
from tests.threewords import with_three_words


async def test_three_word_commands_on_the_console(app: App) -> None:
    app.dispatcher.registry = with_three_words()
    out: list[str] = []
    con = Console(app, out.append, Scheduler(app))
    for line in ("/gig admin queue retry 3", "/gig Admin Queue List", "/gig admin queue retyr 3",
                 "/gig admin queue", "/gig admin queue retry 3 4", "/as bob", "/gig admin queue retry 3"):
        assert await con.handle(line)
    assert out[0] == "[reply] queue retried 3"
    assert out[1] == "[reply] queue listed"
    assert out[2] == ("[reply] I don't know `/gig admin queue retyr`. Did you mean `/gig admin queue retry`? "
                      "Type `/gig help` for the list.")
    assert out[3].startswith("[reply] I don't know `/gig admin queue`. Did you mean `/gig admin queue ")
    assert "4" in out[4] and "/gig admin queue retry <" in out[4]  # too many words, with the usage line
    assert out[5] == "[reply] You are now @bob."
    assert "admin" in out[6] and "queue retried" not in out[6]
