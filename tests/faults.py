"""Making a real engine fail, for the tests of what members hear when the database is down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

TRY_AGAIN = "I can't reach my database right now, so I didn't run that. Please try again in a minute."
CAUSE = "server closed the connection unexpectedly"


class Breakdown:
    """Fails the statements that read the community table (the lookup before every command), or every connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.hooks: list[tuple[str, Callable[..., None]]] = []

    def _hook(self, name: str, fn: Callable[..., None]) -> None:
        event.listen(self.engine.sync_engine, name, fn)
        self.hooks.append((name, fn))

    def lookups(self) -> None:
        def fail(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if "FROM community" in statement:
                raise OperationalError(statement, None, Exception(CAUSE))
        self._hook("before_cursor_execute", fail)

    async def everything(self) -> None:
        def refuse(*_: Any) -> None:
            raise ConnectionRefusedError(111, f"Connect call failed: {CAUSE}")
        self._hook("do_connect", refuse)
        await self.engine.dispose()  # the pooled connections go: every new one is refused

    def __enter__(self) -> Breakdown:
        return self

    def __exit__(self, *_: object) -> None:
        self.mend()

    def mend(self) -> None:
        for name, fn in self.hooks:
            event.remove(self.engine.sync_engine, name, fn)
        self.hooks.clear()

