"""Hostile text in every user-text field: refused when too long, else stored as typed and rendered by all three
renderers with zero pings and zero disguised links; ordinary text comes out unchanged."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from sqlalchemy import select

from bot.adapters import console
from bot.adapters.discord import render
from bot.adapters.slack import blocks
from bot.core.clock import local_date
from bot.core.i18n import Translator
from bot.core.states import NudgeKind
from bot.core.text import BIDI
from bot.core.types import Actor, Message, Place, Reply
from bot.services.cards import gig_card
from bot.services.nudge_messages import NudgeFacts, nudge_message
from bot.services.screening import RULE_NAMES
from bot.store.models import Application, Community, Gig, Member
from tests.conftest import PLATFORM, Harness

CORPUS = json.loads((Path(__file__).parent / "injection_corpus.json").read_text(encoding="utf-8"))
HOSTILE: list[str] = CORPUS["hostile"]
ORDINARY: list[str] = CORPUS["ordinary"]
LIMITS = {"title": 120, "description": 3000, "location": 100, "source": 100}
MAX_PITCH = 1000
ESCAPED = re.compile(r"\\.", re.DOTALL)


def slack_strings(message: Reply | Message) -> tuple[list[str], list[str], dict[str, Any]]:
    """Every mrkdwn string Slack parses (the top-level text too), every plain_text string, and the payload."""
    payload = {"text": blocks.fallback_text(message), "blocks": blocks.message_blocks(message)}
    mrkdwn, plain = [payload["text"]], []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                mrkdwn.append(node["text"])
            elif node.get("type") == "plain_text":
                plain.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload["blocks"])
    return mrkdwn, plain, payload


def discord_strings(message: Reply | Message) -> tuple[list[str], dict[str, Any]]:
    """Every string Discord parses as markdown (content, embed titles, descriptions, fields), and the kwargs."""
    kwargs = render.message(message).send_kwargs()
    texts = [kwargs["content"] or ""]
    for embed in kwargs["embeds"]:
        data = embed.to_dict()
        texts += [data.get("title", ""), data.get("description", "")]
        texts += [f["name"] for f in data.get("fields", [])] + [f["value"] for f in data.get("fields", [])]
    return texts, kwargs


def assert_safe(message: Reply | Message) -> None:
    """Zero pings, zero disguised links, no bidirectional controls, on Slack, Discord and the console."""
    mrkdwn, plain, payload = slack_strings(message)
    assert "link_names" not in json.dumps(payload)
    for text in mrkdwn:
        assert "<" not in text and ">" not in text, text  # no reference of this platform here: every < is escaped
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text  # a raw & could start an entity Slack decodes
    for text in mrkdwn + plain:
        assert not BIDI.search(text), text
    texts, kwargs = discord_strings(message)
    assert kwargs["allowed_mentions"].to_dict() == discord.AllowedMentions.none().to_dict() == {"parse": []}
    for text in texts:
        bare = ESCAPED.sub("", text)  # what stays active once Discord has taken the escapes out
        assert "](" not in bare, text  # no masked link: [label](url) needs `](` unescaped
        assert not re.search(r"<[@#/]|<a?:\w+:\d", bare), text  # no mention, role, channel or command markup
        assert not BIDI.search(text), text
    for line in console.render("x", message):
        assert not BIDI.search(line), line


def shown_as_typed(message: Reply | Message, typed: str) -> None:
    """Ordinary text reads the same: Slack's entities decode to it, Discord and the console carry it unchanged."""
    mrkdwn, plain, _ = slack_strings(message)
    assert any(typed in html.unescape(text) for text in mrkdwn + plain)
    texts, _ = discord_strings(message)
    assert any(typed in text for text in texts)
    assert any(typed in line for line in console.render("x", message))


def actor(user_id: str, name: str) -> Actor:
    return Actor(PLATFORM, user_id, name)


async def last_gig_id(bot: Harness) -> int:
    async with bot.app.sessions() as session:
        return int((await session.execute(select(Gig.id).order_by(Gig.id.desc()).limit(1))).scalar_one())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
async def test_hostile_text_in_every_field_through_the_commands(bot: Harness) -> None:
    place = Place(PLATFORM, "T1", "general", "general")
    dispatcher = bot.app.dispatcher
    rendered: list[Reply | Message] = []
    posted: list[tuple[int, str]] = []
    # every post goes live, so its text reaches every place a gig shows: no first-gig hold (trusted from 0 published
    # gigs) and no rule (hostile text pings and links); held and refused replies: tests/commands/test_gate.py
    await bot.screening(trusted_after=0, off=sorted(RULE_NAMES))
    for number, typed in enumerate(HOSTILE):
        fields = {name: typed for name in LIMITS} | {"budget": "50"}
        assert (await dispatcher.run_text(f"role add poster{number} poster", actor("admin", "admin"), place)).ok
        reply = await dispatcher.submit("post", fields, actor(f"poster{number}", typed), place)
        too_long = {name for name, limit in LIMITS.items() if len(" ".join(typed.split()) if name == "title"
                                                                  else typed.strip()) > limit}
        if too_long:
            assert not reply.ok and too_long <= set(reply.field_errors), (typed[:20], reply.field_errors)
            for name in too_long:
                assert name in reply.field_errors[name] and str(LIMITS[name]) in reply.field_errors[name]
            continue
        assert reply.ok, (typed, str(reply.text))
        rendered.append(reply)
        gig_id = await last_gig_id(bot)
        posted.append((gig_id, typed))
        applicant = actor(f"m{number}", typed)
        applied = await dispatcher.submit("apply", {"pitch": typed}, applicant, place, (str(gig_id),))
        if len(typed.strip()) > MAX_PITCH:
            assert not applied.ok and "pitch" in str(applied.text) and str(MAX_PITCH) in str(applied.text)
            applied = await dispatcher.submit("apply", {}, applicant, place, (str(gig_id),))
        assert applied.ok, str(applied.text)
        for who, line in (("admin", f"applicants {gig_id}"), ("admin", f"show {gig_id}"), (f"m{number}", "mine"),
                          ("admin", f"role add m{number} poster"), ("admin", "list")):
            answer = await dispatcher.run_text(line, actor(who, typed), place)
            assert answer.ok, (line, str(answer.text))
            rendered.append(answer)
    assert len(posted) >= 40
    async with bot.app.sessions() as session:
        for gig_id, typed in posted:
            gig = await session.get(Gig, gig_id)
            assert gig is not None
            assert (gig.description, gig.location, gig.source) == (typed.strip(),) * 3  # kept as typed
            assert gig.title == " ".join(typed.split())
            assert gig.poster.display_name == typed[:100]
    sent = await bot.later(days=2)  # the follow-up nudges, with the title and poster's name in the template
    assert sum(1 for m in sent if m.kind == "dm") >= len(posted)
    for gig_id, _ in posted[:10]:
        closing = await dispatcher.run_text(f"close {gig_id}", actor("admin", "admin"), place)
        assert closing.ok
        rendered.append(closing)
    sent += await bot.deliver()
    rendered += [message.message for message in sent]
    for message in rendered:
        assert_safe(message)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
async def test_hostile_rows_written_directly_render_safely(bot: Harness) -> None:
    """Rows that never passed validation (an import, an older version, a console), up to the column sizes."""
    now = bot.app.clock.now()
    async with bot.app.sessions() as session:
        community = (await session.execute(select(Community))).scalars().first()
        assert community is not None
        today = local_date(now, community.timezone)
        t = Translator("en")
        for number, typed in enumerate(HOSTILE):
            poster = Member(community_id=community.id, platform=PLATFORM, platform_user_id=f"p{number}",
                            display_name=typed[:100], created_at=now)
            session.add(poster)
            await session.flush()
            gig = Gig(community_id=community.id, poster_id=poster.id, title=typed[:120], title_key="k",
                      description=typed, budget_min=100, budget_max=100, currency="<!h", location=typed[:100],
                      source=typed[:100], apply_by=today + timedelta(days=3), created_at=now,
                      apply_url=typed[:500])
            session.add(gig)
            await session.flush()
            session.add(Application(gig_id=gig.id, member_id=poster.id, pitch=typed, created_at=now,
                                    updated_at=now))
            await session.flush()
            await session.refresh(gig, ["tags", "poster"])
            for full in (False, True):
                assert_safe(Message(cards=(gig_card(gig, t, 1, today, full=full),)))
            for kind in NudgeKind:
                facts = NudgeFacts(kind, gig.id, typed[:120], typed[:100], "applied", 2, 5, 1)
                assert_safe(nudge_message(facts, t))
        await session.commit()
    for gig_id in range(1, len(HOSTILE) + 1):
        reply = await bot.run("admin", f"applicants {gig_id}")
        assert reply.ok
        assert_safe(reply)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_ordinary_text_comes_out_unchanged(bot: Harness) -> None:
    place = Place(PLATFORM, "T1", "general", "general")
    for typed in ORDINARY:
        reply = await bot.app.dispatcher.submit("post", {"title": typed, "budget": "50", "description": typed,
                                                         "location": typed}, actor("admin", "admin"), place)
        assert reply.ok, str(reply.text)
        shown_as_typed(reply, typed)
        gig_id = await last_gig_id(bot)
        await bot.app.dispatcher.submit("apply", {"pitch": typed}, actor("amy", "Amy"), place, (str(gig_id),))
        shown_as_typed(await bot.run("admin", f"applicants {gig_id}"), typed)
    sent = await bot.later(days=2)
    nudged = [m.message for m in sent if m.kind == "dm"]
    assert len(nudged) == len(ORDINARY)
    for message, typed in zip(nudged, ORDINARY, strict=True):
        texts, _ = discord_strings(message)
        template = [line for text in texts for line in text.splitlines() if line.startswith("> ")]
        assert len(template) == 1 and typed in template[0]  # the message members copy carries the title unchanged
        assert "\u200b" not in "".join(texts)
        shown_as_typed(message, typed)
