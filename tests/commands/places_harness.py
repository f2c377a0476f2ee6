"""A test adapter for several places at once: a Slack workspace and Discord servers, each with its own members."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, text

from bot.app import App
from bot.core.types import Actor, Place, Reply
from bot.store.models import Base
from tests.conftest import as_text

SLACK = Place("slack", "T1", "CGENERAL", "general", workspace_name="acme")
DISCORD = Place("discord", "G1", "100", "general", workspace_name="Students")
DISCORD2 = Place("discord", "G2", "200", "general", workspace_name="Juniors")
DISCORD3 = Place("discord", "G3", "300", "general", workspace_name="Seniors")
DISCORD_DM = Place("discord", "", "DM1", "")
ADMINS = "slack:UADMIN"  # Slack admins come from GIGBOT_ADMINS; Discord ones from Manage Server
CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")


class Places:
    """Runs commands as `who` (a Slack user id, or a Discord one with `admin` for Manage Server) in a place."""

    def __init__(self, app: App) -> None:
        self.app = app

    def actor(self, place: Place, who: str, admin: bool = False) -> Actor:
        return Actor(place.platform, who, who.capitalize(), platform_admin=admin)

    async def run(self, place: Place, who: str, line: str, admin: bool = False) -> Reply:
        return await self.app.dispatcher.run_text(line, self.actor(place, who, admin), place)

    async def ok(self, place: Place, who: str, line: str, admin: bool = False) -> str:
        reply = await self.run(place, who, line, admin)
        assert reply.ok, as_text(reply)
        return as_text(reply)

    async def fails(self, place: Place, who: str, line: str, admin: bool = False) -> str:
        reply = await self.run(place, who, line, admin)
        assert not reply.ok, as_text(reply)
        return as_text(reply)

    async def code(self, place: Place, who: str, admin: bool = False) -> str:
        """An admin's `gig admin link` code."""
        found = CODE.search(await self.ok(place, who, "/gig admin link", admin))
        assert found is not None
        return found.group(1)

    async def counts(self) -> dict[str, int]:
        """How many rows each table holds."""
        async with self.app.sessions() as session:
            return {table.name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
                    for table in Base.metadata.sorted_tables}

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, in key order; when a member was last seen is not a change."""
        async with self.app.sessions() as session:
            found = {}
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if c.name != "last_seen_at"]
                query = select(*columns).order_by(*table.primary_key.columns)
                found[table.name] = [tuple(row) for row in await session.execute(query)]
            return found

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self.app.sessions() as session:
            return [tuple(row) for row in await session.execute(text(sql), params)]
