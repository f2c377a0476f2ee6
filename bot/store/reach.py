"""Reaching the database at start: one line that says what is wrong and how to fix it, instead of a traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

# What a database that is down, unreachable or failing raises (asyncpg's connect errors come unwrapped).
DATABASE_ERRORS = (SQLAlchemyError, OSError, TimeoutError)
NO_DATABASE = "3D000"  # PostgreSQL's invalid_catalog_name
BAD_LOGIN = ("28000", "28P01")  # invalid_authorization_specification, invalid_password


class DatabaseUnreachable(Exception):
    """The database cannot be reached or opened; the message says why and what to change."""


async def check(engine: AsyncEngine, setting: str = "GIGBOT_DATABASE_URL", timeout: float | None = None) -> None:
    """Open one connection and read from it, or raise DatabaseUnreachable with a one-line explanation."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    if sqlite and not _writable_folder(engine.url.database):
        # Said before connecting: aiosqlite's worker thread outlives a failed connect and can print its own error.
        raise DatabaseUnreachable(f"cannot create the SQLite database {engine.url.database!r}: its directory does "
                                  f"not exist or is not writable; create it, or fix {setting}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT count(*) FROM sqlite_master" if sqlite else "SELECT 1"))
    except (OSError, TimeoutError, DBAPIError) as error:
        raise DatabaseUnreachable(explain(engine.url, error, setting, timeout)) from error


def _writable_folder(database: str | None) -> bool:
    """Whether SQLite can create or write the file `database` (in memory, it always can)."""
    if not database or database == ":memory:":
        return True
    folder = Path(database).parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def explain(url: URL, error: BaseException, setting: str, timeout: float | None) -> str:
    """What a failed first connection means, and what to do about it."""
    if url.get_backend_name() == "sqlite":
        return (f"cannot open the SQLite database {url.database!r} ({reason(error)}): check that it is a gigbot "
                f"database file you may write, or fix {setting}")
    server = f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}"
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    if code == NO_DATABASE:
        return (f"{server} has no database {url.database!r}: create it (createdb -h {url.host or 'localhost'} "
                f"-p {url.port or 5432} {url.database}), then run `gigbot migrate`, or fix the name in {setting}")
    if code in BAD_LOGIN:
        return f"{server} refused user {url.username!r} ({reason(error)}): fix the user or password in {setting}"
    if isinstance(error, TimeoutError):
        waited = f" within {timeout:g} s" if timeout else ""
        return (f"{server} did not answer{waited}: check that the host and port in {setting} are a running "
                f"PostgreSQL server (or raise GIGBOT_DB_CONNECT_TIMEOUT)")
    if isinstance(error, socket.gaierror):
        return f"cannot find the host {url.host!r} of {setting}: fix the host name"
    if isinstance(error, ConnectionRefusedError):
        return f"{server} refused the connection: start PostgreSQL there, or fix the host and port in {setting}"
    return f"cannot connect to {server} ({reason(error)}): check {setting} and the server"


def reason(error: BaseException) -> str:
    """The driver's own words, on one line, without SQLAlchemy's wrapping."""
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split()) or type(original).__name__
