"""The console against bad input: clock moves out of range, and every kind of standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.console import Console
from bot.app import App
from bot.scheduler import Scheduler
from tests.adapters.process import ROOT, environment

TYPED = '/gig post title="Typed in" budget=20\n/as alice\n/gig apply 1\n'


@pytest.fixture
async def console(app: App) -> tuple[Console, list[str]]:
    out: list[str] = []
    return Console(app, out.append, Scheduler(app), echo=True), out


async def test_the_clock_refuses_times_out_of_range_and_keeps_going(console: tuple[Console, list[str]],
                                                                    app: App) -> None:
    con, out = console
    before = app.clock.now()
    for line in ("/clock +999999999999d", "/clock +" + "9" * 5000 + "d", "/clock set 9999-12-31",
                 "/clock set 0001-01-01T00:00+05:00"):
        assert await con.handle(line)
        assert out[-1].startswith("[reply] That time is out of range"), out[-1]
        assert app.clock.now() == before
    assert await con.handle("/clock set 8999-12-31T23:00")
    assert await con.handle("/clock +1d")
    assert out[-1] == "[reply] That time is out of range: the console clock stays before 9000-01-01."
    assert app.clock.now().isoformat() == "8999-12-31T23:00:00+00:00"
    await con.handle("/lang fr")
    await con.handle("/clock +2d")
    assert out[-1].startswith("[reply] Cette heure est hors limites")
    await con.handle("/clock +30m")  # still in range: moves, and runs what became due
    assert out[-1] == "[reply] Il est maintenant 8999-12-31T23:30+00:00 à l'horloge."


def test_a_script_with_out_of_range_clock_lines_runs_to_its_end(tmp_path: Path) -> None:
    script = tmp_path / "clock.gig"
    script.write_text("/clock +999999999999d\n/clock set 9999-12-31\n/clock +1d\n/gig list\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "console", "--script", str(script), "--now",
                             "2026-12-01T10:00"], capture_output=True, text=True, env=environment(), cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("out of range") == 2
    assert "[reply] The clock is now 2026-12-02T10:00+00:00." in result.stdout


def run_with_stdin(tmp_path: Path, stdin: object = None, text: str | None = None,
                   shell: str = "") -> subprocess.CompletedProcess[bytes]:
    """`gigbot run` with this standard input (or through `sh -c` with redirections of its own)."""
    env = environment({"GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"})
    command = [sys.executable, "-m", "bot", "run"]
    if shell:
        command = ["sh", "-c", f'exec "$0" -m bot run {shell}', sys.executable]
    return subprocess.run(command, stdin=stdin, input=None if text is None else text.encode(),  # type: ignore
                          capture_output=True, env=env, cwd=ROOT, timeout=120)


def ran_to_the_end(result: subprocess.CompletedProcess[bytes], typed: bool = True) -> None:
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err and not err.strip(), err
    assert "no Slack or Discord token is set" in out
    if typed:
        assert '[reply] Posted gig #1 "Typed in" to #gigs.' in out
        assert '[reply] You applied to #1 "Typed in".' in out


def test_run_with_standard_input_from_dev_null_ends_at_once(tmp_path: Path) -> None:
    with open(os.devnull, "rb") as devnull:
        ran_to_the_end(run_with_stdin(tmp_path, devnull), typed=False)


def test_run_with_standard_input_from_a_file_runs_its_lines(tmp_path: Path) -> None:
    lines = tmp_path / "typed.txt"
    lines.write_text(TYPED, encoding="utf-8")
    with lines.open("rb") as file:
        ran_to_the_end(run_with_stdin(tmp_path, file))


def test_run_with_standard_input_from_a_pipe_runs_its_lines(tmp_path: Path) -> None:
    ran_to_the_end(run_with_stdin(tmp_path, text=TYPED))


def test_run_with_standard_input_closed_ends_at_once(tmp_path: Path) -> None:
    ran_to_the_end(run_with_stdin(tmp_path, shell="<&-"), typed=False)


def test_run_on_a_terminal_reads_typed_lines_until_end_of_input(tmp_path: Path) -> None:
    master, terminal = os.openpty()
    env = environment({"GIGBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"})
    try:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=terminal, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env, cwd=ROOT)
        os.close(terminal)
        os.write(master, TYPED.encode() + b"\x04")  # Ctrl-D at the start of a line: end of input
        out, err = process.communicate(timeout=120)
    finally:
        os.close(master)
    ran_to_the_end(subprocess.CompletedProcess(process.args, process.returncode, out, err))
