"""`gig admin audit [member=] [action=] [page=]`: who did what and when, newest first, a page at a time.

On Discord it is /gig-admin audit. Its Next page button runs `gig admin audit-more <key> <page>` with the filters
kept like a list's (bot.services.pages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.review import member_ref
from bot.core.buttons import button_id
from bot.core.errors import UserError
from bot.core.params import read_user_id
from bot.core.registry import Kind, Param, registry
from bot.core.syntax import quote
from bot.core.types import Button, Reply, Rich, Role, Text, UserText
from bot.dispatch.context import Context
from bot.services import identities, members, pages
from bot.services.policy import timezone_for
from bot.services.timing import format_moment
from bot.store.models import AuditEntry, Member

PAGE_SIZE = 10  # lines of a page: one message on every platform (Discord's 2,000 characters)
ACTION = re.compile(r"^[a-z_]+(?:\.[a-z_]+)*\.?$")
DETAIL_LENGTH = 60
MEMBER_SUBJECTS = ("role.", "member.")  # actions whose subject is a member's id


@registry.command("admin audit", Param("member"), Param("action"), Param("page", Kind.INT), role=Role.ADMIN)
async def audit_log(ctx: Context, member: str | None = None, action: str | None = None, page: int = 1) -> Reply:
    """The audit log, newest first: who approved, rejected, edited, closed, changed roles, routes or settings."""
    options = {key: value for key, value in (("member", member), ("action", action)) if value}
    return await _page(ctx, options, page)


@registry.command("admin audit-more", Param("query", required=True, positional=True),
                  Param("page", Kind.INT, required=True, positional=True), role=Role.ADMIN, button=True)
async def audit_more(ctx: Context, query: str, page: int) -> Reply:
    """Another page of the audit log: what its Next page button runs."""
    kept = await pages.kept_query(ctx.session, ctx.community.id, query, ctx.now())
    if kept is None or kept[0] != "audit":
        raise UserError("list.expired")
    return await _page(ctx, kept[1], page)


async def _page(ctx: Context, options: dict[str, Any], page: int) -> Reply:
    conditions = [AuditEntry.community_id == ctx.community.id]
    if options.get("member"):
        ids = await _identity_ids(ctx, options["member"])
        conditions.append(AuditEntry.actor_id.in_(ids))
    if options.get("action"):
        wanted = options["action"].strip().lower()
        if not ACTION.match(wanted):
            raise UserError("audit.bad_action", action=options["action"])
        wanted = wanted.rstrip(".")
        conditions.append(or_(AuditEntry.action == wanted, AuditEntry.action.startswith(wanted + ".",
                                                                                        autoescape=True)))
    total = int((await ctx.session.execute(select(func.count()).select_from(AuditEntry)
                                           .where(*conditions))).scalar_one())
    if total == 0:
        return Reply(ctx.t("audit.empty_filtered" if options else "audit.empty"))
    pages_in_all = -(-total // PAGE_SIZE)
    if page > pages_in_all:
        raise UserError("audit.no_page", page=page, count=pages_in_all)
    entries = (await ctx.session.execute(select(AuditEntry).where(*conditions)
                                         .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))).scalars().all()
    people = await _members(ctx.session, entries)
    lines: list[Text] = [ctx.t("audit.header", page=page, pages=pages_in_all, count=total)]
    lines += [line(ctx, entry, people) for entry in entries]
    if page >= pages_in_all:
        return Reply(Rich.join("\n", lines))
    key = await pages.keep_query(ctx.session, ctx.community.id, "audit", options, ctx.now())
    typed = " ".join(["/gig admin audit", *(f"{k}={quote(str(v))}" for k, v in options.items()), f"page={page + 1}"])
    lines.append(ctx.t("audit.more", command=typed))
    return Reply(Rich.join("\n", lines),
                 buttons=(Button(ctx.t.label("list.button_more"), button_id("admin_audit_more", f"{key}.{page + 1}")),))


async def _identity_ids(ctx: Context, typed: str) -> list[int]:
    """The ids of the member named (a mention or a user id of this platform) and of their linked identities."""
    user_id = read_user_id(typed)
    identity = await members.identity_of(ctx.session, ctx.community.id, ctx.actor.platform, user_id)
    if identity is None:
        raise UserError("audit.unknown_member", member=typed)
    person = await members.person_of(ctx.session, identity)
    return [member.id for member in await identities.all_of(ctx.session, person)]


async def _members(session: AsyncSession, entries: Sequence[AuditEntry]) -> dict[int, Member]:
    """The actors of these entries and the members some of them are about, by id (one query)."""
    wanted = {entry.actor_id for entry in entries if entry.actor_id}
    wanted |= {int(entry.subject) for entry in entries
               if entry.action.startswith(MEMBER_SUBJECTS) and entry.subject.isdigit()}
    if not wanted:
        return {}
    found = await session.execute(select(Member).where(Member.id.in_(wanted)))
    return {member.id: member for member in found.scalars()}


def line(ctx: Context, entry: AuditEntry, people: dict[int, Member]) -> Text:
    """One entry: when (on the admin's clock), who, the action in words, its subject and key details."""
    zone = timezone_for(ctx.member.timezone, ctx.community.timezone)
    actor = people.get(entry.actor_id or 0)
    who: Text = ctx.t("audit.bot") if actor is None else Rich.of(member_ref(actor))
    key = f"audit.action.{entry.action}"
    what = ctx.t(key) if ctx.t.has(key) else ctx.t("audit.action_unknown", action=entry.action)
    parts: list[Text] = [ctx.t("audit.line", when=format_moment(entry.at, zone, ctx.t.locale), who=who, what=what)]
    subject = _subject(ctx, entry, people)
    if subject:
        parts.append(subject)
    details = ", ".join(f"{name}={_short(value)}" for name, value in sorted(entry.details.items())
                        if value not in (None, "", [], {}))
    if details:
        parts.append(Rich.of(UserText(details)))
    return Rich.join(" · ", parts)


def _subject(ctx: Context, entry: AuditEntry, people: dict[int, Member]) -> Text:
    """What the entry is about: a gig `#12`, a member, or the subject as recorded."""
    subject = entry.subject
    if not subject:
        return ""
    if entry.action.startswith("gig.") and subject.isdigit():
        return f"#{subject}"
    if entry.action.startswith(MEMBER_SUBJECTS) and subject.isdigit() and int(subject) in people:
        return Rich.of(member_ref(people[int(subject)]))
    return Rich.of(UserText(subject))


def _short(value: object) -> str:
    text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= DETAIL_LENGTH else text[:DETAIL_LENGTH - 1] + "…"
