"""`gigbot run`, `console` and `migrate` against a database they cannot use: one line that says what to fix."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.process import ROOT, environment

COMMANDS = ["run", "console", "migrate"]


def gigbot(command: str, url: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run one gigbot command on `url` with a 1 s connect timeout; return it and how long it took."""
    script = tmp_path / "lines.gig"
    script.write_text("/gig list\n", encoding="utf-8")
    args = {"run": ["run"], "console": ["console", "--script", str(script), "--db", url], "migrate": ["migrate"]}
    env = environment({"GIGBOT_DATABASE_URL": url, "GIGBOT_DB_CONNECT_TIMEOUT": "1"})
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "bot", *args[command]], capture_output=True, text=True, cwd=ROOT,
                            env=env, stdin=subprocess.DEVNULL, timeout=60)
    return result, time.monotonic() - started


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return lines[0]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_port_is_named_with_what_to_fix(command: str, closed_port: int, tmp_path: Path) -> None:
    result, _ = gigbot(command, f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port}/test", tmp_path)
    line = one_line(result)
    assert f"127.0.0.1:{closed_port}" in line and "refused" in line
    assert ("--db" if command == "console" else "GIGBOT_DATABASE_URL") in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_database_says_to_create_it_and_migrate(command: str, postgres_schema: str,
                                                         tmp_path: Path) -> None:
    result, _ = gigbot(command, "postgresql+asyncpg://postgres@127.0.0.1:5432/gigbot_no_such_db", tmp_path)
    line = one_line(result)
    assert "127.0.0.1:5432" in line and "gigbot_no_such_db" in line and "gigbot migrate" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_server_that_never_answers_fails_within_the_connect_timeout(command: str, silent_port: int,
                                                                     tmp_path: Path) -> None:
    result, took = gigbot(command, f"postgresql+asyncpg://postgres@127.0.0.1:{silent_port}/test", tmp_path)
    line = one_line(result)
    assert f"127.0.0.1:{silent_port}" in line and "did not answer within 1 s" in line
    assert took < 20  # asyncpg's own default waits 60 s


def test_an_sqlite_file_in_a_missing_directory_is_named(tmp_path: Path) -> None:
    result, _ = gigbot("migrate", f"sqlite+aiosqlite:///{tmp_path}/missing/gigbot.db", tmp_path)
    assert "missing/gigbot.db" in one_line(result)
