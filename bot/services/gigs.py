"""Gigs: validating a draft field by field, refusing duplicates, storing, finding and searching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, column, false, func, or_, select, table
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import FieldErrors, UserError
from bot.core.params import read_bool
from bot.core.words import document, words
from bot.services.budget import Budget, parse_budget
from bot.services.tags import alias_group, parse_tags
from bot.services.urls import canonical_url, check_url
from bot.store.models import Application, Gig, GigTag, Member

DEFAULT_APPLY_DAYS = 14
DUPLICATE_WINDOW = timedelta(days=30)
GIG_FIELDS = ("title", "budget", "tags", "description", "remote", "location", "hours", "apply_by", "apply_url",
              "source")
COUNT_LIMIT = 1000
OPEN = "open"
CLOSED = "closed"
HELD = "held"  # waiting for an admin's review: not listed, not reposted, no applications
REJECTED = "rejected"  # an admin rejected it in review, or took it down after reports


@dataclass
class GigDraft:
    """A gig that passed validation, ready to store."""

    title: str
    budget: Budget
    apply_by: date
    description: str = ""
    tags: list[str] = field(default_factory=list)
    remote: bool = True
    location: str = ""
    hours: int | None = None
    apply_url: str | None = None
    source: str = ""


def validate_gig(raw: dict[str, str], today: date, default_currency: str, min_paid: Decimal = Decimal(0)) -> GigDraft:
    """Check every field of a posted gig; all bad fields are reported together, each with its own message."""
    errors: dict[str, UserError] = {}

    def read(name: str, reader: object) -> object:
        text = raw.get(name, "").strip()
        if not text:
            return None
        try:
            return reader(text)  # type: ignore[operator]
        except UserError as error:
            errors[name] = error
            return None

    title = read("title", _title)
    description = read("description", lambda t: _length(t, "description", 3000))
    tags = read("tags", parse_tags)
    budget = read("budget", lambda t: parse_budget(t, default_currency, min_paid))
    remote = read("remote", lambda t: read_bool(t, "remote"))
    location = read("location", lambda t: _length(t, "location", 100))
    hours = read("hours", _hours)
    apply_by = read("apply_by", lambda t: _apply_by(t, today))
    apply_url = read("apply_url", check_url)
    source = read("source", lambda t: _length(t, "source", 100))
    if not raw.get("title", "").strip():
        errors["title"] = UserError("gig.title_missing")
    if not raw.get("budget", "").strip():
        errors["budget"] = UserError("gig.budget_missing")
    if errors:
        raise FieldErrors(errors)
    assert isinstance(title, str) and isinstance(budget, Budget)
    return GigDraft(
        title=title,
        budget=budget,
        apply_by=apply_by if isinstance(apply_by, date) else today + timedelta(days=DEFAULT_APPLY_DAYS),
        description=description if isinstance(description, str) else "",
        tags=tags if isinstance(tags, list) else [],
        remote=remote if isinstance(remote, bool) else not location,
        location=location if isinstance(location, str) else "",
        hours=hours if isinstance(hours, int) else None,
        apply_url=apply_url if isinstance(apply_url, str) else None,
        source=source if isinstance(source, str) else "",
    )


def _title(text: str) -> str:
    text = " ".join(text.split())
    if len(text) < 3:
        raise UserError("gig.title_short")
    return _length(text, "title", 120)


def _length(text: str, name: str, limit: int) -> str:
    if len(text) > limit:
        raise UserError("gig.too_long", name=name, max=limit, length=len(text))
    return text


def _hours(text: str) -> int:
    digits = text.lower().removesuffix("h").strip()
    if not digits.isdecimal() or len(digits) > 4 or not 1 <= int(digits) <= 2000:
        raise UserError("gig.bad_hours", value=text)
    return int(digits)


def _apply_by(text: str, today: date) -> date:
    try:
        when = date.fromisoformat(text)
    except ValueError as exc:
        raise UserError("gig.bad_date", value=text) from exc
    if when < today:
        raise UserError("gig.date_past", value=text)
    if when > today + timedelta(days=366):
        raise UserError("gig.date_far", value=text)
    return when


def title_key(title: str) -> str:
    """The title folded for duplicate checks: no accents, case, punctuation or extra spaces."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())[:120]


async def find_duplicate(session: AsyncSession, community_id: int, poster: Member, draft: GigDraft,
                         now: datetime, exclude: int | None = None) -> Gig | None:
    """An open or held gig, or one closed within 30 days, with the same canonical URL, or the same poster and title.

    A gig ends at its closing or its apply-by date, whichever comes first (the expiry job may close it later):
    30 days after that, a recurring gig, its title and its link may be posted again. `exclude`: the gig edited.
    """
    since = now - DUPLICATE_WINDOW
    recent = (Gig.apply_by >= since.date()) & or_(Gig.status.in_((OPEN, HELD)), Gig.closed_at >= since)
    same: list[ColumnElement[bool]] = [(Gig.poster_id == poster.id) & (Gig.title_key == title_key(draft.title))]
    if draft.apply_url:
        same.append(Gig.canonical_url == canonical_url(draft.apply_url))
    query = (select(Gig).where(Gig.community_id == community_id, recent, or_(*same), Gig.id != (exclude or 0))
             .order_by(Gig.id.desc()).limit(1))
    return (await session.execute(query)).scalar_one_or_none()


async def create_gig(session: AsyncSession, community_id: int, poster: Member, draft: GigDraft,
                     now: datetime) -> Gig:
    """Store a validated gig with its tags."""
    gig = Gig(
        community_id=community_id, poster_id=poster.id, title=draft.title, title_key=title_key(draft.title),
        description=draft.description, budget_min=draft.budget.low, budget_max=draft.budget.high,
        currency=draft.budget.currency, hourly=draft.budget.hourly, remote=draft.remote, location=draft.location,
        hours=draft.hours, apply_by=draft.apply_by, apply_url=draft.apply_url,
        canonical_url=canonical_url(draft.apply_url) if draft.apply_url else None, source=draft.source,
        status=OPEN, created_at=now, search_text=document(draft.title, draft.description, *draft.tags),
        tags=[GigTag(tag=tag, position=i) for i, tag in enumerate(draft.tags)],
    )
    gig.poster = poster
    session.add(gig)
    await session.flush()
    return gig


def budget_of(gig: Gig) -> Budget:
    """The gig's budget as a value."""
    return Budget(gig.budget_min, gig.budget_max, gig.currency, gig.hourly)


async def get_gig(session: AsyncSession, community_id: int, gig_id: int) -> Gig:
    """A gig of this community, or a user error naming the id."""
    gig = await session.get(Gig, gig_id)
    if gig is None or gig.community_id != community_id:
        raise UserError("gig.not_found", id=gig_id)
    return gig


async def posted_by(session: AsyncSession, community_id: int, gig_id: int, member_id: int) -> bool:
    """Whether the member posted this gig of the community."""
    query = select(Gig.id).where(Gig.id == gig_id, Gig.community_id == community_id, Gig.poster_id == member_id)
    return (await session.execute(query)).first() is not None


def is_open(gig: Gig, today: date) -> bool:
    """Open and not past its apply-by date."""
    return gig.status == OPEN and gig.apply_by >= today


@dataclass(frozen=True)
class GigFilter:
    """What `gig list` and `gig search` narrow by."""

    tag: str | None = None
    remote: bool | None = None
    location: str | None = None
    min_budget: int | None = None  # cents
    currency: str | None = None  # with min_budget: only gigs paid in this currency
    text: str | None = None


def open_gigs(community_id: int, today: date, flt: GigFilter, fts: bool = False) -> Select[Gig]:
    """The query of this community's open gigs that pass the filter (not those hidden after reports).

    Each search word must be one of the gig's words (bot.core.words: title, description and tags, without case or
    accents), or one of its tag aliases. `fts` looks the words up in SQLite's FTS5 table; otherwise they are LIKE
    patterns on the search document, which PostgreSQL serves from a trigram index.
    """
    query = select(Gig).where(Gig.community_id == community_id, Gig.status == OPEN, Gig.apply_by >= today,
                              Gig.hidden_at.is_(None))  # hidden after reports: out of every listing until decided
    if flt.tag:
        query = query.where(Gig.id.in_(select(GigTag.gig_id).where(GigTag.tag == flt.tag)))
    if flt.remote is not None:
        query = query.where(Gig.remote == flt.remote)
    if flt.location:
        query = query.where(func.lower(Gig.location).contains(flt.location.lower(), autoescape=True))
    if flt.min_budget is not None:  # an hourly gig counts its rate times its hours, and stays in when hours are unknown
        worth = case((Gig.hourly & Gig.hours.is_not(None), Gig.budget_max * Gig.hours), else_=Gig.budget_max)
        query = query.where(or_(worth >= flt.min_budget, Gig.hourly & Gig.hours.is_(None)))
        if flt.currency:
            query = query.where(Gig.currency == flt.currency)
    if flt.text:
        query = query.where(_matching(search_terms(flt.text), fts))
    return query


def search_terms(text: str) -> list[set[str]]:
    """What a search asks for: for each of its words, the words that may stand for it (itself and its aliases).

    A typed word without letters or digits (`%`) is a term nothing can match.
    """
    terms: list[set[str]] = []
    for typed in text.split():
        found = words(typed)
        terms += [alias_group(word) for word in found] if found else [set()]
    return terms


def _matching(terms: list[set[str]], fts: bool) -> ColumnElement[bool]:
    if not all(terms):
        return false()
    if fts:  # one FTS5 query: ("go" OR "golang") AND "api"
        match = " AND ".join("(" + " OR ".join(f'"{word}"' for word in sorted(term)) + ")" for term in terms)
        return Gig.id.in_(select(column("rowid")).select_from(table("gig_fts"))
                          .where(sql("gig_fts MATCH :match").bindparams(match=match)))
    return and_(*(or_(*(Gig.search_text.contains(f" {word} ", autoescape=True) for word in sorted(term)))
                  for term in terms))


async def search_gigs(session: AsyncSession, community_id: int, today: date, flt: GigFilter, page: int,
                      page_size: int) -> tuple[list[Gig], int]:
    """Open gigs matching the filter, newest first, one page of them, and how many match in all.

    The count stops past COUNT_LIMIT (it then says COUNT_LIMIT + 1): counting 100,000 open gigs on every list
    would cost more than the page itself.
    """
    dialect = (await session.connection()).dialect.name
    if flt.text and dialect == "postgresql":  # how many gigs hold a word decides the plan: plan for these words
        await session.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))
    query = open_gigs(community_id, today, flt, fts=dialect == "sqlite")
    counted = query.with_only_columns(Gig.id).limit(COUNT_LIMIT + 1).subquery()
    total = (await session.execute(select(func.count()).select_from(counted))).scalar_one()
    rows = await session.execute(
        query.order_by(Gig.created_at.desc(), Gig.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows.scalars()), total


async def niche_tags(session: AsyncSession, member_id: int, limit: int = 5) -> list[str]:
    """A member's niches: the tags of the gigs they applied to, most frequent first."""
    count = func.count().label("n")
    rows = await session.execute(
        select(GigTag.tag, count).join(Application, Application.gig_id == GigTag.gig_id)
        .where(Application.member_id == member_id).group_by(GigTag.tag).order_by(count.desc(), GigTag.tag)
        .limit(limit))
    return [tag for tag, _ in rows]


async def for_member(session: AsyncSession, community_id: int, today: date, member_id: int,
                     limit: int) -> tuple[list[Gig], list[str]]:
    """Open gigs in the member's niches (else the newest), not theirs and not applied to; and the niches."""
    tags = await niche_tags(session, member_id)
    query = open_gigs(community_id, today, GigFilter()).where(
        Gig.poster_id != member_id,
        Gig.id.not_in(select(Application.gig_id).where(Application.member_id == member_id)))
    if tags:
        query = query.where(Gig.id.in_(select(GigTag.gig_id).where(GigTag.tag.in_(tags))))
    rows = await session.execute(query.order_by(Gig.created_at.desc(), Gig.id.desc()).limit(limit))
    return list(rows.scalars()), tags
