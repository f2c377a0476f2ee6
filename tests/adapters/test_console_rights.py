"""`gig my-data` on the console: the file is written under GIGBOT_DATA_DIR and its path printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.console import Console
from bot.app import App
from bot.config import Settings
from bot.scheduler import Scheduler
from tests.conftest import PLATFORM


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(admins=f"{PLATFORM}:admin", database_url="sqlite+aiosqlite:///:memory:", _env_file=None,
                    data_dir=str(tmp_path / "exports"))


async def test_my_data_is_written_to_the_data_directory(app: App, tmp_path: Path) -> None:
    out: list[str] = []
    con = Console(app, out.append, Scheduler(app), echo=True)
    await con.handle("/as alice")
    await con.handle("/lang fr")
    await con.handle("/gig my-data")
    path = tmp_path / "exports" / "gigbot-data-console-alice-2026-11-23.json"
    assert f"[reply] Le fichier est écrit dans {path}." in out
    assert not any("bytes)" in line for line in out)  # the path, not the console's note of a message's file
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["members"][0]["platform_user_id"] == "alice" and data["members"][0]["locale"] == "fr"
