"""`/on`: the console acting as on Slack or Discord, printing what the bot sends there, and `{code}` in a line."""

import sys

import pytest
from sqlalchemy import select

from bot.adapters import console_where as where
from bot.adapters.console import Console
from bot.app import App
from bot.scheduler import Scheduler
from bot.store.models import Member, Workspace
from tests.adapters.process import ROOT
from tests.adapters.test_console import gigbot


@pytest.fixture
async def console(app: App) -> tuple[Console, list[str]]:
    out: list[str] = []
    return Console(app, out.append, Scheduler(app), echo=True), out


async def run(con: Console, out: list[str], *lines: str) -> list[str]:
    """Run lines; return what they printed."""
    start = len(out)
    for line in lines:
        assert await con.handle(line)
    return out[start:]


async def test_on_alone_says_where_and_on_moves_there_keeping_the_actor(console: tuple[Console, list[str]]) -> None:
    con, out = console
    printed = await run(con, out, "/on", "/on discord", "/on", "/as ana", "/on slack T2 #dev", "/on console")
    assert printed == [
        "[admin>] /on",
        "[reply] On the console, channel #general. You are @admin, an admin.",
        "[admin>] /on discord",
        "[reply] On Discord, server guild1, channel #general. You are @admin, an admin.",
        "[admin@discord:guild1#general>] /on",
        "[reply] On Discord, server guild1, channel #general. You are @admin, an admin.",
        "[admin@discord:guild1#general>] /as ana",
        "[reply] You are now @ana.",
        "[ana@discord:guild1#general>] /on slack T2 #dev",
        "[reply] On Slack, workspace T2, channel #dev. You are @ana.",
        "[ana@slack:T2#dev>] /on console",
        "[reply] On the console, channel #general. You are @ana.",
    ]
    assert con.prompt_line() == "> "
    await run(con, out, "/on slack #jobs")
    assert con.prompt_line() == "ana@slack:T1#jobs> "
    assert (con.actor.platform, con.actor.user_id, con.actor.platform_admin) == ("slack", "ana", False)


async def test_on_refuses_what_is_not_a_place_and_stays(console: tuple[Console, list[str]]) -> None:
    con, out = console
    await run(con, out, "/on discord guild7 #jobs")
    for line in ("/on mars", "/on slack bad/place", "/on slack T1 #a #b", "/on slack T1 jobs extra", "/on slack #"):
        printed = await run(con, out, line)
        assert printed[1].startswith("[reply] Usage: /on <platform> [place] [#channel]"), line
        assert "console, slack, discord" in printed[1]
    assert (con.place.platform, con.place.workspace_id, con.place.channel_id) == ("discord", "guild7", "jobs")


async def test_lines_run_as_on_the_platform_and_its_messages_print_behind_it(console: tuple[Console, list[str]],
                                                                             app: App) -> None:
    con, out = console
    printed = await run(con, out, "/on slack", "/gig route default #jobs", '/gig post title="Slack gig" budget=10')
    assert "[reply] Every new gig will also be posted in #jobs on slack." in printed
    assert "[slack #jobs] == #1 · Slack gig ==" in printed
    printed = await run(con, out, "/as ana", "/gig apply 1", "/as admin --admin", "/gig close 1")
    assert "[slack #jobs] (message 1 edited)" in printed
    assert "[slack #jobs]   Applicants: 1" in printed
    assert "[slack #jobs] == [Closed] #1 · Slack gig ==" in printed
    assert any(line.startswith('[slack DM @ana] Gig #1 "Slack gig" is now closed.') for line in printed)
    # The same name on Discord is another identity, in another place (a community of its own until linked).
    printed = await run(con, out, "/on discord", "/as ana", "/gig show 1")
    assert printed[-1].startswith("[reply] There is no gig #1.")
    printed = await run(con, out, "/as boss --admin", "/gig route default #board",
                        '/gig post title="On Discord" budget=50')
    assert "[discord #board] == #2 · On Discord ==" in printed
    async with app.sessions() as session:
        members = {(m.platform, m.platform_user_id) for m in (await session.execute(select(Member))).scalars()}
        places = {(w.platform, w.external_id, w.default_channel)
                  for w in (await session.execute(select(Workspace))).scalars()}
    assert {("slack", "ana"), ("discord", "ana"), ("slack", "admin"), ("discord", "boss")} <= members
    assert {("slack", "T1", "jobs"), ("discord", "guild1", "board")} <= places


async def test_the_console_admin_and_members_on_each_platform(console: tuple[Console, list[str]]) -> None:
    con, out = console
    for platform in ("slack", "discord"):
        printed = await run(con, out, f"/on {platform}", "/as admin --admin", "/gig route add #dev tags=python")
        assert printed[-1].startswith("[reply] Route "), printed
        printed = await run(con, out, "/as zoe", "/gig route add #dev tags=go")
        assert "admin" in printed[-1] and "Route" not in printed[-1]


async def test_code_placeholder_needs_a_code_shown_first(console: tuple[Console, list[str]]) -> None:
    con, out = console
    printed = await run(con, out, "/gig show {code}")
    assert printed == ["[admin>] /gig show {code}",
                       "[reply] No link code was shown yet, so {code} has nothing to stand for: "
                       "run /gig admin link or /gig link first."]
    assert where.fill_code("/gig admin join {code}", "ABCD-EFGH") == "/gig admin join ABCD-EFGH"
    assert where.last_code(["[reply] Your code: WXYZ-2345, valid 15 minutes.", "[reply] other"], None) == "WXYZ-2345"
    assert where.last_code(["[reply] no code here, nor ABCD-EFG0"], "KEPT-CODE") == "KEPT-CODE"


async def test_on_speaks_the_members_language(console: tuple[Console, list[str]]) -> None:
    con, out = console
    printed = await run(con, out, "/on discord", "/as zoe", "/lang fr", "/on", "/on slack T1 #a #b")
    assert "[reply] Sur Discord, serveur guild1, salon #general. Vous êtes @zoe." in printed
    assert printed[-1].startswith("[reply] Usage : /on <plateforme>")


def test_interactive_prompt_shows_where_you_act(tmp_path) -> None:
    result = gigbot("run", stdin="/on discord guild1 #jobs\n/as ana\n",
                    env={"GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"})
    assert result.returncode == 0, result.stderr
    assert "admin@discord:guild1#jobs> " in result.stdout
    assert "ana@discord:guild1#jobs> " in result.stdout


def test_the_two_platform_demo_matches_its_transcript() -> None:
    """examples/two_platforms.gig as the console prints it, its random link codes read as XXXX-XXXX.

    After a deliberate change, regenerate the transcript with
    `python -m bot console --script examples/two_platforms.gig --now 2026-11-23T09:00 | python -m
    tests.adapters.test_console_on > tests/adapters/scripts/two_platforms.out` and read the diff.
    """
    result = gigbot("console", "--script", "examples/two_platforms.gig", "--now", "2026-11-23T09:00")
    assert result.returncode == 0, result.stderr
    expected = (ROOT / "tests" / "adapters" / "scripts" / "two_platforms.out").read_text(encoding="utf-8")
    assert without_codes(result.stdout).splitlines() == expected.splitlines()


def without_codes(text: str) -> str:
    """Console output with every link code as XXXX-XXXX (codes are random)."""
    return where.CODE.sub("XXXX-XXXX", text)


if __name__ == "__main__":  # the transcript's normaliser: console output on stdin, without its codes on stdout
    sys.stdout.write(without_codes(sys.stdin.read()))
