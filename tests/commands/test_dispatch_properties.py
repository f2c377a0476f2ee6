"""Hypothesis through dispatch, for every command of the registry: typed text, button presses and form submissions
with arbitrary arguments (words, key=value pairs with random and near-valid values, quotes, unicode, control
characters, mentions, ids, huge numbers), as a member, a poster, an admin and a gig's own poster.

No traceback reaches a member (never the internal error, nothing logged as an error, no exception out of the
dispatcher), and a rejected command (ok=False) writes nothing beyond first-contact rows: every table's rows, the
outbox's and the audit log's included, are the same after it, but new member rows (a mention of someone the bot
never met) and the last-seen time.
"""

from __future__ import annotations

import logging
import shlex
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from bot.commands import registry
from bot.core.registry import CommandSpec, Kind
from tests.commands.matrix import INTERNAL, dump
from tests.conftest import Harness, as_text

ACTORS = ("mia", "poppy", "admin", "olga")  # member, poster, admin, a former poster who owns gig 2
COMMANDS = sorted(registry.commands)
EXAMPLES = 25

HUGE = st.sampled_from(["99999999999999999999", "9223372036854775808", "-9223372036854775809", "1e400", "0",
                        "-1", "007", "1_000", "١٢", "²", "3.0", "#3", "# 3", "0x10", "NaN", "inf"])
IDS = st.one_of(st.integers(-3, 12).map(str), st.integers(2**31 - 2, 2**63 + 5).map(str), HUGE)
MENTIONS = st.sampled_from(["@mia", "@poppy", "@admin", "@nobody", "<@U1>", "<@!123>", "<@&4>", "<@U1|mia>", "@",
                            "<#C1|gigs>", "#gigs", "<#>", "#", "<!channel>", "@here", "<@" + "x" * 80 + ">"])
NEAR = st.sampled_from(["yes", "no", "oui", "maybe", "", " ", "on", "off", "poster", "admin", "followed_up",
                        "interviewing", "hired", "embauché", "2026-12-01", "2026-02-30", "9999-12-31", "150 EUR",
                        "€", "1-2", "3d", "0d", "-2h", "99999d", "Europe/Paris", "Mars/Olympus", "21-9", "25-99",
                        "en", "fr", "de", "slack", "discord", "https://acme.io/x", "javascript:alert(1)",
                        "WXYZ-2345", "confirm", "all", "*", "%", "_", "'", '"', "“", "\\"])
TEXT = st.text(max_size=30)
CONTROL = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x9f), max_size=8)
UNICODE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
VALUES = st.one_of(TEXT, CONTROL, UNICODE, IDS, MENTIONS, NEAR, st.just("x" * 5000))


@pytest.fixture
def backend() -> str:
    return "sqlite"  # one backend keeps it within a minute or two; the converters refuse what PostgreSQL would


def keys(spec: CommandSpec) -> st.SearchStrategy[str]:
    """Mostly the command's own option names, sometimes one it does not take, or one in odd case or script."""
    names = [p.name for p in spec.params] or ["id"]
    return st.one_of(st.sampled_from(names), st.sampled_from(names).map(str.upper),
                     st.sampled_from(["id", "page", "reason", "member", "x", "é", "title", "budget"]))


def value_for(spec: CommandSpec) -> st.SearchStrategy[str]:
    near = [IDS] if any(p.kind in (Kind.INT, Kind.GIG) for p in spec.params) else []
    near += [st.sampled_from(list(p.choices)) for p in spec.params if p.choices]
    return st.one_of(VALUES, *near)


@st.composite
def invocations(draw: st.DrawFn, spec: CommandSpec) -> tuple[str, str, Any]:
    """(actor, how, what): `text` a command line, `press` a button id, `submit` form values and words."""
    actor = draw(st.sampled_from(ACTORS))
    words = draw(st.lists(value_for(spec), max_size=4))
    options = draw(st.dictionaries(keys(spec), value_for(spec), max_size=4))
    how = draw(st.sampled_from(["text", "text", "text", "press", "submit"]))
    if how == "press":
        action = draw(st.sampled_from([spec.name.replace(" ", "_"), spec.name.replace(" ", "-")]))
        value = draw(st.one_of(st.just(".".join(words)), IDS, TEXT))
        return actor, how, f"gig:{action}:{value}"
    if how == "submit":
        return actor, how, (options, tuple(words))
    quoted = draw(st.booleans())
    parts = [shlex.quote(w) if quoted else w for w in words]
    parts += [f"{k}={shlex.quote(v) if quoted else v}" for k, v in options.items()]
    return actor, how, " ".join([f"/gig {spec.name}", *parts])


async def world(bot: Harness) -> None:
    """A poster with gig 1, a former poster who keeps gig 2, the admin's gig 3, a member who applied to gig 1."""
    await bot.poster("poppy")
    await bot.poster("olga")
    await bot.ok("poppy", '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes '
                          'description="The contact form of our bakery site stopped sending mail after an update."')
    await bot.ok("olga", '/gig post title="Add a booking page to our yoga site" budget="300 EUR" tags=php '
                         'remote=yes description="A weekly timetable where students book a class, on WordPress."')
    await bot.ok("admin", '/gig post title="Design a logo for a student radio" budget="120 EUR" tags=design '
                          'remote=yes description="A simple logo in two colours for our campus radio, sources too."')
    await bot.ok("admin", "/gig role remove @olga poster")
    await bot.ok("mia", '/gig apply 1 pitch="I did one like it"')


def unchanged(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """What a rejected command changed: any table but member exactly; members that existed, unchanged."""
    found = [f"{name}: {len(before[name])} -> {len(after[name])} rows" for name in before
             if name != "member" and before[name] != after[name]]
    missing = set(before["member"]) - set(after["member"])
    if missing:
        found.append(f"member rows changed: {sorted(missing, key=repr)}")
    return found


@pytest.mark.parametrize("command", COMMANDS)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(data=st.data())
async def test_any_invocation_answers_without_a_traceback_and_a_refusal_writes_nothing(
        bot: Harness, caplog: pytest.LogCaptureFixture, command: str, data: st.DataObject) -> None:
    if not await _ready(bot):
        await world(bot)
    spec = registry.commands[command]
    actor, how, what = data.draw(invocations(spec), label="invocation")
    before = await dump(bot.app)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        if how == "text":
            reply = await bot.run(actor, what)
        elif how == "press":
            reply = await bot.press(actor, what)
        else:
            reply = await bot.app.dispatcher.submit(spec.name, what[0], bot.actor(actor), bot.place(), args=what[1])
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    text = as_text(reply)
    cell = f"{actor} ran {command!r} by {how}: {what!r}"
    assert INTERNAL not in text and not logged, f"{cell}: {text!r}, logged {logged}"
    if not reply.ok:
        changed = unchanged(before, await dump(bot.app))
        assert not changed, f"{cell} was refused ({text!r}) but wrote: {changed}"


async def _ready(bot: Harness) -> bool:
    """Whether this test's harness already holds the world (Hypothesis reuses the fixture across examples).

    On SQLite, commits skip fsync: the examples test what is written, not that it survives a power cut.
    """
    done = getattr(bot, "world_built", False)
    if not done and bot.app.engine.dialect.name == "sqlite":
        event.listen(bot.app.engine.sync_engine, "connect", _no_sync)
        await bot.app.engine.dispose()
    bot.world_built = True  # type: ignore[attr-defined]
    return done


def _no_sync(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()
