"""The permission matrix, shared by the console, Slack and Discord tests: every command and every button of the
registry, run by a member, a poster, an admin and (for gig_owner commands) the poster of the gig, in one world.

Each platform test builds the same world through its platform (an admin, a poster with an open gig, a member who
applied, a former poster who keeps a gig of theirs, a held gig, a second page of `gig list`), copies the SQLite
file, and puts that copy back before every cell, so that every cell starts from the same world and one app, one
Slack app or one Discord client serves them all.

SAMPLES gives each command arguments that work for the roles allowed to run it; a command missing from it fails
the matrix, so a new command must be added here. Placeholders are filled per actor and platform:
{gig} a gig the actor may manage (theirs if they posted one), {applied} a gig the actor applied to, {fresh} an
open gig the actor neither posted nor applied to, {held} a gig waiting for review, {member} / {poster} the member's
and the poster's mentions, {channel} a channel, {gigs} the default job channel, {review} a review channel,
{more_key} the key of the world's `gig list` second page.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update

from bot.app import App
from bot.core.i18n import Translator
from bot.core.registry import CommandSpec, Registry
from bot.core.text import command_words
from bot.core.types import Role
from bot.store.models import Base, BrowseQuery, Gig, Member

ROLES = ("member", "poster", "admin", "owner")  # owner: a member (no longer a poster) who posted the gig
GIG_POSTER_ID, GIG_OWNER_ID, GIG_ADMIN_ID = 1, 2, 3

# Every command with arguments that work for the roles allowed to run it.
SAMPLES: dict[str, str] = {
    "admin join": "admin join WXYZ-2345",
    "admin link": "admin link",
    "admin outbox list": "admin outbox list",
    "admin outbox retry": "admin outbox retry 99",
    "admin places": "admin places",
    "admin settings": "admin settings first_nudge=3d",
    "admin unlink": "admin unlink",
    "applicants": "applicants {gig}",
    "apply": 'apply {fresh} pitch="I fixed ten of these"',
    "close": "close {gig}",
    "help": "help apply",
    "home": "home",
    "link": "link",
    "list": "list tag=php",
    "mine": "mine",
    "more": "more {more_key} 2",
    "post": 'post title="Translate our menu into English" budget="90 EUR" tags=translation remote=yes '
            'description="Twenty dishes and four drinks, from French into plain English, by Friday."',
    "reminders": "reminders {applied} off",
    "role add": "role add {member} poster",
    "role remove": "role remove {poster} poster",
    "route add": "route add {channel} tags=php",
    "route default": "route default {gigs}",
    "route list": "route list",
    "route remove": "route remove 1",
    "search": "search wordpress",
    "settings": "settings tz=Europe/Paris",
    "show": "show {gig}",
    "snooze": "snooze {applied}",
    "status": "status {applied} followed_up",
    "unlink": "unlink",
    "withdraw": "withdraw {applied}",
    # trust and safety (issue 11)
    "approve": "approve {held}",
    "reject": 'reject {held} reason="A deposit asked of applicants"',
    "review": "review",
    "report": 'report {fresh} reason="Asks for a deposit by WhatsApp"',
    "edit": 'edit {gig} budget="180 EUR"',
    "admin trust": "admin trust {member} yes",
    "admin screening": "admin screening set per_day=4",
    "admin review-channel": "admin review-channel {review}",
    "admin audit": "admin audit",
    "admin audit-more": "admin audit-more 0123456789abcdef 2",
    "history": "history {gig}",
    "my-data": "my-data",
    "forget-me": "forget-me",
}
# Commands whose sample, run by an allowed role, answers with a friendly refusal that is about the world, not about
# who runs it (no failed outbox message, no link code, the only place): the answer must still not be a permission
# refusal or an internal error.
MAY_REFUSE: dict[str, str] = {
    "admin join": "no such link code",
    "admin outbox retry": "no failed message 99",
    "admin unlink": "the community's only place",
    "unlink": "nothing linked",
    "admin audit-more": "that list is too old",
}
# The value of each button-enabled command's button, `gig:<action>:<value>`.
BUTTONS: dict[str, str] = {
    "apply": "{fresh}", "withdraw": "{applied}", "applicants": "{gig}", "close": "{gig}", "show": "{gig}",
    "more": "{more_key}.2", "settings": "", "snooze": "{applied}", "reminders": "{applied}.off",
    "status": "{applied}.followed_up",
    "approve": "{held}", "reject": "{held}", "report": "{fresh}", "edit": "{gig}", "forget-me": "confirm",
    "history": "{gig}", "review": "1", "admin audit-more": "0123456789abcdef.2",
}
# Tables the adapters write for their own bookkeeping on every interaction (dedupe keys): not a command's write.
BOOKKEEPING = {"seen_key", "inbox_request"}
VOLATILE = {"member": {"last_seen_at"}}

REFUSALS = {"admin": "Only admins can run ", "poster": "Only posters and admins can run "}
INTERNAL = str(Translator("en")("errors.internal"))


@dataclass(frozen=True)
class Outcome:
    """What a member saw: the text, whether the core said ok (None where the platform does not show it), a form."""

    text: str
    ok: bool | None = None
    form: bool = False


class Platform(Protocol):
    """Runs command text and button presses as one of the world's actors, on one platform."""

    name: str  # the platform's name in command_words: "test", "slack", "discord"

    def values(self, role: str) -> dict[str, str]: ...
    async def command(self, role: str, line: str) -> Outcome: ...
    async def press(self, role: str, button: str) -> Outcome: ...
    async def settle(self) -> None: ...
    async def trust(self, role: str) -> None: ...


def rank(role: str) -> int:
    return Role(role if role != "owner" else "member").rank


def allowed(spec: CommandSpec, role: str) -> bool:
    return rank(role) >= spec.role.rank or (role == "owner" and spec.gig_owner)


def cells(registry: Registry) -> list[tuple[CommandSpec, str]]:
    """(command, role) for every command and role; the gig's own poster only where the command is gig_owner."""
    return [(spec, role) for spec in sorted(registry, key=lambda s: s.name) for role in ROLES
            if role != "owner" or spec.gig_owner]


def missing_samples(registry: Registry) -> list[str]:
    missing = [f"{s.name}: add sample arguments to SAMPLES" for s in registry if s.name not in SAMPLES]
    missing += [f"{s.name}: add its button value to BUTTONS" for s in registry if s.button and s.name not in BUTTONS]
    return sorted(missing)


def button_of(spec: CommandSpec, values: dict[str, str]) -> str:
    """`gig:<action>:<value>`; a BUTTONS entry that is a whole id (`gig:forget_me:confirm`) is taken as it is."""
    value = BUTTONS[spec.name].format(**values)
    action = spec.name.replace(" ", "_").replace("-", "_")  # ids take [a-z_] actions: `gig:forget_me:confirm`
    return value if value.startswith("gig:") else f"gig:{action}:{value}"


def refusal(spec: CommandSpec, platform: str) -> str:
    """The start of the refusal a member sees: `Only admins can run `/gig-admin route list``."""
    words = command_words(spec.name, spec.role is Role.ADMIN, platform)
    return REFUSALS[spec.role.value] + "`/" + " ".join(words) + "`"


def check(spec: CommandSpec, role: str, platform: str, what: str, outcome: Outcome,
          written: list[str]) -> str | None:
    """Why this cell is wrong, or None: refusals are clear and write nothing, allowed commands work."""
    cell = f"[{platform}] {role} runs {what!r}"
    if INTERNAL in outcome.text:
        return f"{cell}: got the internal error"
    permission = any(s in outcome.text for s in REFUSALS.values())
    if not allowed(spec, role):
        expected = refusal(spec, platform)
        if expected not in outcome.text:
            return f"{cell}: expected the refusal {expected!r}, got {outcome.text!r}"
        if outcome.ok is not False and outcome.ok is not None:
            return f"{cell}: refused with ok=True"
        if written:
            return f"{cell}: refused but wrote {written}"
        return None
    if permission:
        return f"{cell}: allowed, but refused: {outcome.text!r}"
    if outcome.ok is False and not outcome.form and spec.name not in MAY_REFUSE:
        return f"{cell}: allowed, but failed: {outcome.text!r}"
    return None


async def dump(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the adapters' bookkeeping, without the columns that change on every read."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with app.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            columns = [c for c in table.columns if c.name not in VOLATILE.get(table.name, set())]
            rows = (await connection.execute(select(*columns))).all()
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def changes(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return [f"{name}: {len(before[name])} -> {len(after[name])} rows" if len(before[name]) != len(after[name])
            else f"{name}: rows changed" for name in before if before[name] != after[name]]


class World:
    """The world, kept as a copy of the SQLite file and put back before each cell."""

    def __init__(self, app: App, database: str) -> None:
        self.app = app
        self.path = Path(database)
        self.copy = self.path.with_name("world.db")
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.more_key = ""

    async def build(self, platform: Platform) -> None:
        """Admin, poster with gig 1, former poster with gig 2, admin's gig 3, more gigs, applications, a held gig."""
        steps: list[tuple[str, str]] = [
            ("admin", "route default {gigs}"),
            ("admin", "route add {channel} tags=design"),
            ("admin", "role add {poster} poster"),
            ("admin", "role add {owner} poster"),
        ]
        for role, line in steps:
            await self.must(platform, role, line)
        await platform.trust("poster")
        await platform.trust("owner")
        gigs = [
            ("poster", 'post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes '
                       'apply_by=2027-06-30 description="The contact form of our bakery site stopped sending mail '
                       'after an update; find why and fix it."'),
            ("owner", 'post title="Add a booking page to our yoga studio site" budget="300 EUR" tags=php,css '
                      'remote=yes apply_by=2027-06-30 description="A weekly timetable where students book a '
                      'class; we use WordPress and would like to keep it."'),
            ("admin", 'post title="Design a logo for a student radio" budget="120 EUR" tags=design remote=yes '
                      'apply_by=2027-06-30 description="A simple logo in two colours for our campus radio, with '
                      'the source files."'),
        ]
        extra = [
            ("Write unit tests for a Django app", "Our sign-up and billing views have no tests; we want pytest "
             "coverage before we upgrade Django."),
            ("Migrate a small shop to Shopify", "Forty products and their photos move from an old PrestaShop, "
             "with redirects for the old addresses."),
            ("Clean up a Laravel API", "Remove dead routes, add validation to six endpoints and document them "
             "for the mobile team."),
            ("Set up backups for a Postgres database", "Nightly dumps to object storage, a restore drill, and a "
             "short page explaining both."),
            ("Make an Excel report refresh by itself", "A monthly sales workbook should pull its data from a "
             "shared folder without copy and paste."),
            ("Review the accessibility of a museum site", "Check contrast, keyboard use and screen reader labels "
             "on twelve pages and list the fixes."),
        ]
        for n, (title, description) in enumerate(extra):
            gigs.append(("admin", f'post title="{title}" budget="{200 + 10 * n} EUR" tags=php remote=yes '
                                  f'apply_by=2027-06-30 description="{description}"'))
        for role, line in gigs:
            await self.must(platform, role, line)
        await self.must(platform, "admin", "role remove {owner} poster")
        for role, gig in (("member", GIG_POSTER_ID), ("admin", GIG_POSTER_ID), ("owner", GIG_POSTER_ID),
                          ("poster", GIG_OWNER_ID)):
            await self.must(platform, role, f'apply {gig} pitch="I did one like it last month"')
        await self.must(platform, "admin", "list")
        await platform.settle()
        async with self.app.sessions() as session:
            statuses = dict((await session.execute(select(Gig.id, Gig.status))).all())
            assert set(statuses.values()) == {"open"}, f"the world's gigs should all be open: {statuses}"
            held = max(statuses)
            await session.execute(update(Gig).where(Gig.id == held).values(status="held"))
            self.held = held
            keys = (await session.execute(select(BrowseQuery.key))).scalars().all()
            assert keys, "the world's `gig list` should have a second page"
            self.more_key = keys[0]
            await session.commit()
        await self.app.engine.dispose()
        shutil.copy(self.path, self.copy)
        self.rows = await dump(self.app)

    async def must(self, platform: Platform, role: str, line: str) -> None:
        outcome = await platform.command(role, line.format(**platform.values(role)))
        assert outcome.ok is not False and "Only" not in outcome.text and INTERNAL not in outcome.text, \
            f"[{platform.name}] building the world, {role} ran {line!r}: {outcome.text!r}"

    def values(self, platform: Platform, role: str) -> dict[str, str]:
        gig = {"owner": GIG_OWNER_ID}.get(role, GIG_POSTER_ID)
        applied = GIG_OWNER_ID if role == "poster" else GIG_POSTER_ID
        fresh = GIG_OWNER_ID if role == "admin" else GIG_ADMIN_ID
        return {"gig": str(gig), "applied": str(applied), "fresh": str(fresh), "held": str(self.held),
                "more_key": self.more_key, **platform.values(role)}

    async def restore(self, platform: Platform) -> None:
        await platform.settle()
        await self.app.engine.dispose()
        shutil.copy(self.copy, self.path)

    async def written(self) -> list[str]:
        return changes(self.rows, await dump(self.app))


async def walk(registry: Registry, platform: Platform, world: World) -> tuple[list[str], int]:
    """Run every cell (commands, then buttons) on one platform; return what went wrong and how many cells ran."""
    failures: list[str] = []
    ran = 0

    async def cell(spec: CommandSpec, role: str, what: str, run: Callable[[], Awaitable[Outcome]]) -> None:
        nonlocal ran
        await world.restore(platform)
        ran += 1
        try:
            outcome = await run()
        except Exception as error:  # a hung or crashed platform call names its cell too
            failures.append(f"[{platform.name}] {role} runs {what!r}: {type(error).__name__}: {error}")
            return
        await platform.settle()
        written = await world.written() if not allowed(spec, role) else []
        problem = check(spec, role, platform.name, what, outcome, written)
        if problem:
            failures.append(problem)

    for spec, role in cells(registry):
        if spec.name not in SAMPLES or spec.button and spec.name not in BUTTONS:
            failures.append(f"[{platform.name}] {spec.name}: no sample arguments in tests/commands/matrix.py")
            continue
        values = world.values(platform, role)
        line = SAMPLES[spec.name].format(**values)
        await cell(spec, role, f"/gig {line}", lambda r=role, li=line: platform.command(r, li))
        if spec.button:
            button = button_of(spec, values)
            await cell(spec, role, f"button {button}", lambda r=role, b=button: platform.press(r, b))
    await world.restore(platform)
    return failures, ran


async def mark_trusted(app: App, platform: str, user_id: str) -> None:
    """As an admin's `gig admin trust` would: the world's posters are held only for what their gigs say."""
    async with app.sessions() as session:
        await session.execute(update(Member).where(Member.platform == platform, Member.platform_user_id == user_id)
                              .values(trusted=True))
        await session.commit()

