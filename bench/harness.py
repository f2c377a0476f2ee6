"""What the benchmarks share: a fresh database per run, stages in fresh processes, the machine's description."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def sqlite_database(name: str, _admin_url: str) -> Iterator[str]:
    """A fresh SQLite file under the temporary directory, deleted afterwards."""
    path = Path(tempfile.gettempdir()) / f"{name}.db"
    files = [path, *(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))]
    for file in files:
        file.unlink(missing_ok=True)
    try:
        yield f"sqlite+aiosqlite:///{path}"
    finally:
        for file in files:
            file.unlink(missing_ok=True)


@contextlib.contextmanager
def pg_database(name: str, admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of admin_url, dropped afterwards."""
    admin = make_url(admin_url)
    asyncio.run(pg_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}"'))


async def pg_admin(admin: URL, statement: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


DATABASES = {"sqlite": sqlite_database, "postgresql": pg_database}


def child(module: str, *argv: str) -> dict[str, Any]:
    """Run `python -m module argv...` in a fresh process and return the JSON line it prints last."""
    done = subprocess.run([sys.executable, "-m", module, *argv], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def machine(pg_url: str = PG_ADMIN_URL) -> dict[str, Any]:
    """The machine and the versions the numbers were taken with."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cores": os.cpu_count(), "cpu_model": model, "ram_gib": round(pages / 2**30, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql": asyncio.run(pg_version(make_url(pg_url))), "kernel": platform.release()}


async def pg_version(admin: URL) -> str:
    """The PostgreSQL server's version."""
    engine = create_async_engine(admin)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()
