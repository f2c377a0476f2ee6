"""`gigbot run` as a real process, for the tests that start it with platform tokens and stop it with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def environment(settings: dict[str, str] | None = None) -> dict[str, str]:
    """Our environment minus any gigbot, Slack or Discord setting of ours, plus these settings."""
    ours = {k: v for k, v in os.environ.items() if not k.startswith(("GIGBOT_", "SLACK_", "DISCORD_"))}
    return ours | (settings or {})


class Gigbot:
    """A running `gigbot run`. Its stderr is read all along (a full pipe would block the bot) and kept."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr = bytearray()
        self.more = asyncio.Condition()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, settings: dict[str, str]) -> Gigbot:
        """Start it with these settings and none of ours (see environment())."""
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT,
                                                       env=environment(settings), stderr=asyncio.subprocess.PIPE)
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            async with self.more:
                self.stderr += line
                self.more.notify_all()
        async with self.more:
            self.more.notify_all()

    async def logged(self, text: str, timeout: float = 60) -> None:
        """Wait until stderr shows text."""
        async def seen() -> None:
            async with self.more:
                await self.more.wait_for(lambda: text.encode() in self.stderr or self.reader.done())
        await asyncio.wait_for(seen(), timeout)
        assert text.encode() in self.stderr, f"gigbot run stopped before logging {text!r}:\n{self.stderr.decode()}"

    async def stop(self) -> int:
        """SIGTERM, then the exit code; a process still running after 30 s is killed and fails the test."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            raise AssertionError(f"gigbot run did not exit within 30 s of SIGTERM:\n{self.stderr.decode()}") from None
        finally:
            await self.reader
