"""`gig search` on a large board in PostgreSQL: the time of one search (its first page and its count), per query.

    PYTHONPATH=. .venv/bin/python -m bench.search --gigs 100000 --repeat 20

Creates a fresh database, migrates it, seeds it as bench/slack_http.py does (titles "Gig number N", descriptions
"A small paid job, number N", one of eight tags each), then runs each search `repeat` times in a row through the
service the command uses (SQLAlchemy and asyncpg, with their prepared statements), and reports the median and the
slowest; then drops the trigram index of the search words and does the same again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import date
from typing import Any

import asyncpg

from bench.slack_http import ADMIN_DSN, ROOT, seed
from bot.services.gigs import GigFilter, search_gigs
from bot.store.db import make_engine, session_factory

SEARCHES = ["number 4242", "4242", "wordpress", "python", "golang", "paid job"]  # rare words, tags (golang: an
# alias of go), words in every gig
TODAY = date(2026, 11, 22)


async def timed(url: str, repeat: int) -> dict[str, dict[str, float]]:
    engine = make_engine(url)
    sessions = session_factory(engine)
    results: dict[str, dict[str, float]] = {}
    try:
        for words in SEARCHES:
            times = []
            for _ in range(repeat):
                async with sessions() as session:
                    started = time.perf_counter()
                    _, total = await search_gigs(session, 1, TODAY, GigFilter(text=words), 1, 5)
                    times.append((time.perf_counter() - started) * 1000)
            results[words] = {"matches": total, "p50_ms": round(statistics.median(times), 1),
                              "max_ms": round(max(times), 1)}
    finally:
        await engine.dispose()
    return results


async def main(gigs: int, repeat: int) -> dict[str, Any]:
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")} | {"GIGBOT_DATABASE_URL": url}
        migrate = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "migrate", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.DEVNULL)
        assert await migrate.wait() == 0
        await seed(dsn, gigs, 0)
        report: dict[str, Any] = {"gigs": gigs, "repeat": repeat, "with the trigram index": await timed(url, repeat)}
        connection = await asyncpg.connect(dsn)
        await connection.execute("DROP INDEX IF EXISTS ix_gig_search_trgm; ANALYZE gig")
        await connection.close()
        report["without it"] = await timed(url, repeat)
        return report
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench.search")
    parser.add_argument("--gigs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.gigs, args.repeat)), indent=2))


if __name__ == "__main__":
    cli()
