"""`gig admin audit` (pages, filters, actions in words, errors) and `gig my-data` (the JSON file of my rows)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core.i18n import Translator
from bot.services import audit
from bot.store.models import GigReport, GigRevision, Member
from tests.conftest import START, Harness, as_text


async def test_the_audit_log_pages_newest_first_with_actions_in_words(bot: Harness, post_line: str) -> None:
    await bot.poster("alice")
    for n in range(11):
        bot.app.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        await bot.ok("admin", f"/gig route add #chan{n} tags=t{n}")
    await bot.ok("alice", post_line)
    first = await bot.ok("admin", "/gig admin audit")
    lines = first.splitlines()
    assert lines[0] == "Audit log, page 1 of 2 (14 entries, newest first):"
    assert lines[1].startswith("• Mon, Nov 23, 2026 9:11 AM · @Alice · posted a gig · #1 · tier=publish, "
                               "title=Fix my WordPress")
    assert lines[2] == "• Mon, Nov 23, 2026 9:11 AM · @Admin · added a route · 11 · channel=chan10"
    assert "More: /gig admin audit page=2" in first and "[Next page](gig:admin_audit_more:" in first
    button = first.split("](")[-1].rstrip(")")
    second = as_text(await bot.press("admin", button))
    assert second.splitlines()[0] == "Audit log, page 2 of 2 (14 entries, newest first):"
    assert "changed who may post" in second and "set the default channel" in second
    assert "Next page" not in second


async def test_audit_filters_by_member_and_by_action_family(bot: Harness, post_line: str) -> None:
    await bot.poster("alice")
    await bot.ok("alice", post_line)
    await bot.ok("alice", "/gig close 1")
    mine = await bot.ok("admin", "/gig admin audit member=@alice")
    assert "(2 entries" in mine and "@Admin" not in mine.split("\n", 1)[1]
    assert "closed a gig · #1" in mine
    closes = await bot.ok("admin", "/gig admin audit action=gig.close")
    assert "(1 entry," in closes and "posted" not in closes
    gigs = await bot.ok("admin", "/gig admin audit action=GIG")
    assert "(2 entries" in gigs
    assert "No audit entries match" in await bot.ok("admin", "/gig admin audit action=gig.c")  # no half words
    assert "No audit entries match" in await bot.ok("admin", "/gig admin audit member=@alice action=route")


async def test_audit_errors_say_what_to_fix_and_members_may_not_read_it(bot: Harness) -> None:
    assert "is not an action name" in await bot.fails("admin", "/gig admin audit action=gig%")
    assert "@zoe has never used gigbot here" in await bot.fails("admin", "/gig admin audit member=@zoe")
    async with bot.app.sessions() as session:  # an unknown member named is not created
        assert (await session.execute(select(Member).where(Member.platform_user_id == "zoe"))).first() is None
    assert "There is no page 9: there is only 1." in await bot.fails("admin", "/gig admin audit page=9")
    assert "admin" in await bot.fails("alice", "/gig admin audit")
    assert "too old" in await bot.fails("admin", "/gig admin audit-more 0123456789abcdef 2")


async def test_an_unknown_action_reads_as_recorded_and_french_admins_read_french(bot: Harness) -> None:
    async with bot.app.sessions() as session:
        member = (await session.execute(select(Member).where(Member.platform_user_id == "admin"))).scalar_one()
        audit.write(session, member.community_id, None, START, "queue.shuffle", "x", why="test")
        await session.commit()
    assert "gigbot · did queue.shuffle · x · why=test" in await bot.ok("admin", "/gig admin audit")
    await bot.ok("admin", "/gig settings lang=fr tz=Europe/Paris")
    french = await bot.ok("admin", "/gig admin audit")
    assert "Journal d'audit, page 1 sur 1" in french
    assert "lun. 23 nov. 2026 10:00 · gigbot · a fait queue.shuffle" in french  # the admin's clock: Paris


async def test_my_data_is_every_row_about_me_as_a_json_file(bot: Harness, post_line: str) -> None:
    await bot.poster("alice")
    await bot.ok("alice", post_line)
    await bot.ok("bob", '/gig apply 1 pitch="Hé, j’ai déjà fait ça"')
    await bot.ok("bob", "/gig status 1 interviewing")
    async with bot.app.sessions() as session:
        bob = (await session.execute(select(Member).where(Member.platform_user_id == "bob"))).scalar_one()
        session.add(GigReport(gig_id=1, member_id=bob.id, reason="too cheap", created_at=START))
        session.add(GigRevision(gig_id=1, editor_id=bob.id, changes={"title": ["a", "b"]}, at=START))
        await session.commit()
    reply = await bot.run("bob", "/gig my-data")
    assert reply.ok
    text = as_text(reply)
    assert "• 1 application, with its pitch and history" in text and "• 1 report you made" in text
    [attachment] = reply.attachments
    assert attachment.filename == "gigbot-data-test-bob-2026-11-23.json"
    assert attachment.content_type == "application/json"
    assert "j’ai déjà" in attachment.data.decode("utf-8")  # UTF-8 as typed, not escaped
    data = json.loads(attachment.data)
    assert [m["platform_user_id"] for m in data["members"]] == ["bob"]
    [application] = data["applications"]
    assert application["pitch"] == "Hé, j’ai déjà fait ça" and application["created_at"] == "2026-11-23T09:00:00+00:00"
    assert [(e["from_status"], e["to_status"]) for e in application["history"]] == [
        (None, "applied"), ("applied", "interviewing")]
    assert data["reports_made"][0]["reason"] == "too cheap"
    assert data["edits_of_other_gigs"][0]["changes"] == {"title": ["a", "b"]}
    assert data["gigs_posted"] == [] and data["nudges"]
    posted = json.loads((await bot.run("alice", "/gig my-data")).attachments[0].data)
    [gig] = posted["gigs_posted"]
    assert gig["title"] == "Fix my WordPress form" and gig["tags"] == ["wordpress", "php"]
    assert gig["revisions"][0]["editor_id"] == bob.id
    assert [entry["action"] for entry in posted["audit_entries"]] == ["gig.post"]


def test_every_audited_action_reads_in_words_in_both_languages() -> None:
    """Each action the code audits (`ctx.audit("gig.post", ...)`, `audit.write(..., "gig.hide", ...)`) has its words."""
    source = "\n".join(path.read_text() for path in Path("bot").rglob("*.py"))
    actions = set(re.findall(r'\baudit\(\s*"([a-z_]+\.[a-z_.]+)"', source))
    actions |= set(re.findall(r'audit\.write\([^"]*?"([a-z_]+\.[a-z_.]+)"', source))
    assert {"gig.post", "gig.hold", "gig.publish_anyway", "settings.screening"} <= actions  # the scan finds them
    actions.add("gig.approve")  # chosen in an expression: `"gig.publish_anyway" if own else "gig.approve"`
    for locale in ("en", "fr"):
        t = Translator(locale)
        assert [a for a in sorted(actions) if not t.has(f"audit.action.{a}")] == [], locale
