"""What a transaction wrote that others wait for (outbox messages, nudges), noted on the session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

WRITTEN = "gigbot.written"
OUTBOX = "outbox"
NUDGES = "nudges"


def note_written(session: AsyncSession, topic: str) -> None:
    """Remember that this transaction wrote something of `topic`."""
    session.info.setdefault(WRITTEN, set()).add(topic)


def take_written(session: AsyncSession) -> set[str]:
    """The topics written since the last call, forgotten afterwards."""
    topics: set[str] = session.info.pop(WRITTEN, set())
    return topics


CHANGED = "gigbot.changed"


def _flushed(session: Session, _context: Any) -> None:
    session.info[CHANGED] = True


def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[CHANGED] = True


event.listen(Session, "after_flush", _flushed)
event.listen(Session, "do_orm_execute", _executed)


def take_changed(session: AsyncSession) -> bool:
    """Whether this session wrote to the database since the last call."""
    return bool(session.sync_session.info.pop(CHANGED, False))


@contextmanager
def bookkeeping(session: AsyncSession) -> Iterator[None]:
    """Writes made inside are the bot's bookkeeping, not a change the member made (views are not refreshed)."""
    before = session.sync_session.info.get(CHANGED, False)
    try:
        yield
    finally:
        session.sync_session.info[CHANGED] = before
