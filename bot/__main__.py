"""The gigbot command line: run, console, migrate."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from bot.adapters.console import LATEST, Console, run_script, stdin_lines
from bot.app import App, SchemaOutOfDate, build_app, settle_heap
from bot.config import Settings
from bot.core.clock import FrozenClock, SystemClock, as_utc
from bot.scheduler import Scheduler
from bot.services.nudge_tick import BATCH, run_due
from bot.store import reach
from bot.store.db import migrate
from bot.store.events import OUTBOX

SCRIPT_DB = "sqlite+aiosqlite:///:memory:"


def iso_time(text: str) -> datetime:
    """An ISO time on the command line, UTC unless it names an offset."""
    try:
        when = as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time such as 2026-12-01T09:00") from exc
    if when >= LATEST:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: times stay before {LATEST.date().isoformat()}")
    return when


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    cli = argparse.ArgumentParser(prog="gigbot", description="A gig board bot for Slack, Discord and the console.")
    sub = cli.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the interactive console when no Slack or Discord token is set)")
    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (YAML) for this bot")
    manifest.add_argument("--url", default="https://gigbot.example.org",
                          help="the public base URL Slack will call (HTTP mode)")
    manifest.add_argument("--socket-mode", action="store_true", help="a manifest for Socket Mode (no URLs)")
    invite = sub.add_parser("discord-invite", help="print the URL that adds the bot to a Discord server")
    invite.add_argument("--client-id", type=int, help="the application id (default: read from DISCORD_TOKEN)")
    console = sub.add_parser("console", help="run console lines from a script file and exit")
    console.add_argument("--script", required=True, type=Path, help="file of console lines")
    console.add_argument("--db", default=SCRIPT_DB, help=f"database URL (default: {SCRIPT_DB}, fresh each run)")
    console.add_argument("--now", type=iso_time,
                         help="start the clock at this ISO time (default: now); it moves only by /clock")
    sub.add_parser("migrate", help="bring the database schema up to date")
    tick = sub.add_parser("tick", help="close expired gigs and send every due nudge once, then exit")
    tick.add_argument("--db", help="database URL (default: GIGBOT_DATABASE_URL)")
    tick.add_argument("--now", type=iso_time, help="act as if it were this ISO time (default: now)")
    tick.add_argument("--batch", type=int, default=BATCH, help=f"nudges claimed at a time (default {BATCH})")
    tick.add_argument("--worker", help="the name claims carry (default: host:pid)")
    return cli


async def open_database(app: App, setting: str = "GIGBOT_DATABASE_URL") -> None:
    """Reach the database (or say in one line why not), then check or create its schema."""
    await reach.check(app.engine, setting, app.settings.db_connect_timeout)
    await app.prepare_database()


async def run_console_script(settings: Settings, script: Path, db: str, now: datetime | None) -> int:
    """`gigbot console --script FILE`: every line of FILE, echoed, with a clock that moves only by /clock."""
    app = build_app(settings, FrozenClock(now or SystemClock().now()), db)
    try:
        await open_database(app, "--db")
        console = Console(app, print, Scheduler(app), echo=True)
        await console.catch_up()
        await run_script(console, script.read_text(encoding="utf-8").splitlines())
    finally:
        await app.close()
    return 0


async def run_interactive(settings: Settings) -> int:
    """`gigbot run` with no platform tokens: the interactive console on the configured database."""
    app = build_app(settings, SystemClock())
    scheduler = Scheduler(app)
    try:
        await open_database(app)
        console = Console(app, lambda line: print(line, flush=True), scheduler)
        app.dispatcher.listen(OUTBOX, console.poke)
        scheduler.start()
        await console.answer("welcome", database=settings.database_url)
        await console.answer("help")
        await run_script(console, stdin_lines(lambda: print(console.prompt_line(), end="", flush=True)))
        await console.deliver()
    finally:
        await scheduler.stop()
        await app.close()
    return 0


async def run_tick(settings: Settings, db: str | None, now: datetime | None, batch: int, worker: str | None) -> int:
    """`gigbot tick`: one pass of expiry and nudges, a line per batch, for cron jobs and tests."""
    app = build_app(settings, FrozenClock(now) if now else SystemClock(), db)
    try:
        await open_database(app, "--db" if db else "GIGBOT_DATABASE_URL")
        scheduler = Scheduler(app, worker, batch)
        closed = await scheduler.expire()
        result = await run_due(app.sessions, app.clock, scheduler.worker, batch, pipelines=scheduler.pipelines,
                               on_batch=lambda r: print(f"batch: claimed {r.claimed} sent {r.sent}", flush=True))
    finally:
        await app.close()
    print(f"tick: {closed} gigs expired; claimed {result.claimed}, sent {result.sent}, deferred {result.deferred}, "
          f"skipped {result.skipped}")
    return 0


async def run_platforms(settings: Settings) -> int:
    """`gigbot run` with Slack or Discord tokens (or both, in one process)."""
    from bot.adapters.runner import serve

    app = build_app(settings, SystemClock())
    try:
        await open_database(app)
        settle_heap()
        await serve(app, settings)
    finally:
        await app.close()
    return 0


def print_discord_invite(settings: Settings, client_id: int | None) -> int:
    """`gigbot discord-invite`."""
    from bot.adapters.discord.invite import client_id_from_token, invite_url

    if client_id is None:
        if not settings.discord_token:
            print("gigbot: set DISCORD_TOKEN or pass --client-id (the application id)", file=sys.stderr)
            return 2
        try:
            client_id = client_id_from_token(settings.discord_token)
        except ValueError:
            print("gigbot: DISCORD_TOKEN does not look like a bot token; pass --client-id", file=sys.stderr)
            return 2
    print(invite_url(client_id))
    return 0


def print_slack_manifest(url: str, socket_mode: bool) -> int:
    """`gigbot slack-manifest`."""
    from bot.adapters.slack.manifest import manifest, to_yaml
    from bot.commands import registry

    print(to_yaml(manifest(registry, url, socket_mode)))
    return 0


async def run_migrate(settings: Settings) -> int:
    """`gigbot migrate`."""
    app = build_app(settings, SystemClock())
    try:
        await reach.check(app.engine, timeout=settings.db_connect_timeout)
        await migrate(app.engine)
    finally:
        await app.close()
    print("The database schema is up to date.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gigbot` command."""
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"gigbot: bad configuration:\n{error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "console":
            if not args.script.is_file():
                print(f"gigbot: no such script file: {args.script}", file=sys.stderr)
                return 2
            return asyncio.run(run_console_script(settings, args.script, args.db, args.now))
        if args.command == "migrate":
            return asyncio.run(run_migrate(settings))
        if args.command == "tick":
            return asyncio.run(run_tick(settings, args.db, args.now, args.batch, args.worker))
        if args.command == "slack-manifest":
            return print_slack_manifest(args.url, args.socket_mode)
        if args.command == "discord-invite":
            return print_discord_invite(settings, args.client_id)
        if settings.slack_enabled or settings.discord_enabled:
            return asyncio.run(run_platforms(settings))
        return asyncio.run(run_interactive(settings))
    except SchemaOutOfDate as error:
        print(f"gigbot: {error}", file=sys.stderr)
        return 2
    except reach.DatabaseUnreachable as error:
        print(f"gigbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
