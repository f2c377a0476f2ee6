import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.adapters.console import Console
from bot.app import App, SchemaOutOfDate, build_app
from bot.core.clock import FrozenClock
from bot.scheduler import Scheduler
from bot.store.models import Member
from tests.adapters.process import ROOT, environment
from tests.conftest import START


def gigbot(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
           cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=environment(env), cwd=cwd, timeout=120)


def test_the_demo_script_walks_through_the_whole_gig_board() -> None:
    result = gigbot("console", "--script", "examples/demo.gig", "--now", "2026-11-22T09:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("[") for line in lines)
    out = result.stdout
    assert "[reply] Posted gig #1 \"Scrape 200 product pages into a CSV\" to #gigs, #python-gigs." in out
    assert "[#gigs] == #1 · Scrape 200 product pages into a CSV ==" in out
    assert "[#python-gigs]   [Apply](gig:apply:1) [Details](gig:show:1)" in out
    assert "[reply] Vous avez candidaté à #1" in out  # bob switched to French and pressed the button
    assert "[reply] #1 \"Scrape 200 product pages into a CSV\": applied → interviewing." in out
    assert "[reply] • @alice: interviewing (applied Nov 22, 2026)" in out
    assert "[#gigs] == [Closed] #1 · Scrape 200 product pages into a CSV ==" in out
    assert "[#python-gigs] == [Closed] #1 · Scrape 200 product pages into a CSV ==" in out
    assert "[DM @bob] La mission #1 « Scrape 200 product pages into a CSV » est maintenant fermée." in out
    assert "[DM @alice] Congratulations! You got gig #1" in out


def test_script_on_a_file_database_keeps_its_data_between_runs(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'board.db'}"
    first = tmp_path / "first.gig"
    first.write_text('/gig post title="Kept gig" budget=10\n', encoding="utf-8")
    second = tmp_path / "second.gig"
    second.write_text("/as zoe\n/gig list\n/quit\n/gig list\n", encoding="utf-8")
    assert gigbot("console", "--script", str(first), "--db", db, "--now", "2026-11-22T09:00").returncode == 0
    result = gigbot("console", "--script", str(second), "--db", db, "--now", "2026-11-23T09:00")
    assert result.stdout.count("[reply] == #1 · Kept gig ==") == 1  # /quit stopped the script


def test_missing_script_and_bad_settings_are_reported() -> None:
    result = gigbot("console", "--script", "nope.gig")
    assert result.returncode == 2 and "no such script file: nope.gig" in result.stderr
    result = gigbot("console", "--script", "examples/demo.gig", env={"GIGBOT_ADMINS": "nocolon"})
    assert result.returncode == 2 and "is not platform:user_id" in result.stderr
    result = gigbot("console", "--script", "examples/demo.gig", "--now", "yesterday")
    assert result.returncode == 2 and "--now" in result.stderr


def test_run_without_tokens_starts_the_console_and_creates_the_database(tmp_path: Path) -> None:
    result = gigbot("run", stdin='/gig post title="Typed in" budget=20\n/as alice\n/gig apply 1\n',
                    env={"GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no Slack or Discord token is set" in result.stdout
    assert "[reply] Posted gig #1 \"Typed in\" to #gigs." in result.stdout
    assert "[#gigs] == #1 · Typed in ==" in result.stdout
    assert "[reply] You applied to #1 \"Typed in\"." in result.stdout
    assert (tmp_path / "live.db").exists()


def test_migrate_command_and_refusal_of_an_unknown_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    result = gigbot("migrate", env={"GIGBOT_DATABASE_URL": url})
    assert result.returncode == 0 and "up to date" in result.stdout
    result = gigbot("run", stdin="", env={"GIGBOT_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr


async def test_an_older_schema_is_not_migrated_behind_the_admins_back(settings, tmp_path: Path) -> None:
    app = build_app(settings, FrozenClock(START), f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    async with app.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE legacy (id INTEGER)"))
    with pytest.raises(SchemaOutOfDate, match="run `gigbot migrate` first"):
        await app.prepare_database()
    await app.close()


@pytest.fixture
async def console(app: App) -> tuple[Console, list[str]]:
    out: list[str] = []
    return Console(app, out.append, Scheduler(app), echo=True), out


async def test_console_lines(console: tuple[Console, list[str]], app: App) -> None:
    con, out = console
    for line in ("# a comment", "", "/as", "/as two words", "/as @alice", "/clock", "/clock +5x", "/clock set never",
                 "/clock set 2020-01-01T00:00", "/lang xx", "/lang fr", "hello", "/help"):
        assert await con.handle(line)
    assert out[:2] == ["[admin>] /as", "[reply] Usage: /as <name> [--admin], e.g. /as alice"]
    assert "[reply] You are now @alice." in out
    assert "[reply] Usage: /clock +2d, /clock +3h, /clock +30m or /clock set 2026-12-01T09:00" in out
    assert "[reply] Usage: /clock set 2026-12-01T09:00 (an ISO time, UTC unless it says otherwise)" in out
    assert "[reply] The clock only moves forward." in out
    assert "[reply] Usage: /lang en|fr" in out
    assert "[reply] Langue : français." in out
    # alice now reads French, the console's own lines included
    assert any(line.startswith("[reply] Ce n'est pas une ligne de la console : 'hello'") for line in out)
    assert "[reply]   /press <id de bouton>     appuyer sur un bouton, par ex. /press gig:apply:1" in out
    await con.handle("/as bob")
    await con.handle("/help")
    assert out[-1] == "[reply]   /quit                    leave"
    assert not await con.handle("/quit")
    async with app.sessions() as session:
        alice = (await session.execute(select(Member).where(Member.platform_user_id == "alice"))).scalar_one()
    assert alice.locale == "fr"


async def test_console_clock_press_and_admin_switch(console: tuple[Console, list[str]], app: App) -> None:
    con, out = console
    await con.handle('/gig post title="Console gig" budget=30')  # the console starts as an admin
    await con.handle("/as bob")
    await con.handle("/gig post title=x budget=1")
    assert "[reply] Only posters and admins can run `/gig post`. Ask an admin to give you the poster role." in out
    await con.handle("/press gig:apply:1")
    assert '[reply] You applied to #1 "Console gig". Good luck!' in out
    await con.handle("/clock +2d")
    assert "[reply] The clock is now 2026-11-25T09:00+00:00." in out
    await con.handle("/clock set 2026-12-01T10:30")
    assert app.clock.now().isoformat() == "2026-12-01T10:30:00+00:00"
    await con.handle("/as root --admin")
    await con.handle("/gig close 1")
    assert "[DM @bob] Gig #1 \"Console gig\" is now closed." in " ".join(out)
    assert out.count("[#gigs] (message 1 edited)") == 2  # the applicant count, then the closing
    assert out[-3:-1] == ["[#gigs] == [Closed] #1 · Console gig ==", "[#gigs]   (This gig is closed.)"]


def test_every_command_through_the_script_runner_matches_its_transcript(tmp_path: Path) -> None:
    """Each command's success and error paths as a member sees them on the console.

    The transcript was read line by line when written; after a deliberate change of wording, regenerate it with
    `gigbot console --script tests/adapters/scripts/every_command.gig --now 2026-11-23T09:00` and read the diff.
    """
    scripts = ROOT / "tests" / "adapters" / "scripts"
    result = gigbot("console", "--script", str(scripts / "every_command.gig"), "--now", "2026-11-23T09:00",
                    cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})  # `gig my-data` writes under ./gigbot-data
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "gigbot-data").iterdir()] == ["gigbot-data-console-alice-2026-11-26.json"]
    expected = (scripts / "every_command.out").read_text(encoding="utf-8")
    assert result.stdout.splitlines() == expected.splitlines()


def test_a_nudge_that_fell_due_while_the_bot_was_down_is_sent_once_after_restart(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    setup = tmp_path / "setup.gig"
    setup.write_text('/gig post title="Restart gig" budget=10 apply_by=2027-01-31\n/as alice\n/gig apply 1\n',
                     encoding="utf-8")
    idle = tmp_path / "idle.gig"
    idle.write_text("/as alice\n/gig mine\n", encoding="utf-8")
    follow_up = "[DM @alice] == Time to follow up on #1 · Restart gig =="
    first = gigbot("console", "--script", str(setup), "--db", db, "--now", "2026-11-23T09:00")
    assert first.returncode == 0 and follow_up not in first.stdout
    # The bot was down for three days: the nudge due on the 25th goes out when it starts, late but once.
    second = gigbot("console", "--script", str(idle), "--db", db, "--now", "2026-11-26T10:00")
    assert second.stdout.count(follow_up) == 1
    assert second.stdout.index(follow_up) < second.stdout.index("[alice>] /gig mine")
    third = gigbot("console", "--script", str(idle), "--db", db, "--now", "2026-11-26T11:00")
    assert follow_up not in third.stdout
