"""Editing a gig: its fields merged with the new ones, what changed, the history row, and who must hear of it.

An edit is validated as a post is (`validate_gig`), on the gig's current title and budget merged with the given
fields; the fields not given keep their stored values as they are. Applicants still waiting (applied, followed
up, interviewing) get a DM only when the change matters to them: the budget moves by more than 10 % (either bound,
against its old value) or changes currency or fixed/hourly, the apply-by date comes earlier, the gig stops being
remote or changes place, or the description is rewritten (word-bigram Jaccard similarity of old and new under 0.5,
as the screening's duplicate check measures it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, as_utc
from bot.core.errors import UserError
from bot.core.i18n import Term, Translator
from bot.core.states import NudgeKind, NudgeState
from bot.core.types import Message, Rich, Text
from bot.core.words import document
from bot.services import identities, nudges, outbox
from bot.services.budget import Budget
from bot.services.gigs import CLOSED, HELD, OPEN, REJECTED, GigDraft, budget_of, title_key, validate_gig
from bot.services.members import translator_for
from bot.services.nudge_rules import AWAITING_NEWS, planned, rule_for
from bot.services.policy import NudgePolicy
from bot.services.screening.history import similarity
from bot.services.urls import canonical_url
from bot.store.models import Application, ApplicationEvent, Community, Gig, GigRevision, GigTag, Member, Nudge

EDITABLE = (OPEN, HELD)
BUDGET_MOVE = Decimal("0.10")  # a bound moving by more than this share of its old value matters to applicants
REWRITTEN_BELOW = 0.5  # word-bigram similarity of the old and new description under which it was rewritten
NOT_EDITABLE = {CLOSED: "edit.closed", REJECTED: "edit.rejected"}


def check_editable(gig: Gig) -> None:
    """Only an open gig, or one waiting for review, may be edited."""
    if gig.status not in EDITABLE:
        raise UserError(NOT_EDITABLE.get(gig.status, "edit.closed"), id=gig.id)


def current(gig: Gig) -> GigDraft:
    """The gig as it is stored, as a draft."""
    return GigDraft(title=gig.title, budget=budget_of(gig), apply_by=gig.apply_by, description=gig.description,
                    tags=list(gig.tag_names), remote=gig.remote, location=gig.location, hours=gig.hours,
                    apply_url=gig.apply_url, source=gig.source)


def typed(draft: GigDraft) -> dict[str, str]:
    """Each field as a member types it (what the edit form is filled with, and what the history keeps)."""
    return {"title": draft.title, "budget": draft.budget.format(), "tags": ", ".join(draft.tags),
            "description": draft.description, "remote": "yes" if draft.remote else "no", "location": draft.location,
            "hours": str(draft.hours) if draft.hours else "", "apply_by": draft.apply_by.isoformat(),
            "apply_url": draft.apply_url or "", "source": draft.source}


def edited(gig: Gig, given: Mapping[str, str], today: date, min_paid: Decimal) -> GigDraft:
    """The gig with the given fields, each validated as when posting; the others stay as they are stored.

    A budget typed without a currency stays in the gig's; a stored budget under a minimum raised since is not
    refused unless the budget is given.
    """
    before = current(gig)
    raw = {"title": before.title, "budget": before.budget.format(), **given}
    draft = validate_gig(raw, today, gig.currency, min_paid if "budget" in given else Decimal(0))
    kept = {f.name: getattr(before, f.name) for f in fields(GigDraft) if f.name not in given}
    return replace(draft, **kept)


def changes(before: GigDraft, after: GigDraft) -> dict[str, list[str]]:
    """{field: [before, after]} of every field that differs, as typed."""
    old, new = typed(before), typed(after)
    return {name: [old[name], new[name]] for name in old if old[name] != new[name]}


def apply(session: AsyncSession, gig: Gig, draft: GigDraft, changed: Mapping[str, list[str]], editor: Member,
          now: datetime) -> GigRevision:
    """Write the draft on the gig (search words, duplicate key and tags too) and its history row."""
    gig.title, gig.title_key, gig.description = draft.title, title_key(draft.title), draft.description
    gig.budget_min, gig.budget_max = draft.budget.low, draft.budget.high
    gig.currency, gig.hourly = draft.budget.currency, draft.budget.hourly
    gig.remote, gig.location, gig.hours, gig.apply_by = draft.remote, draft.location, draft.hours, draft.apply_by
    gig.apply_url, gig.source = draft.apply_url, draft.source
    gig.canonical_url = canonical_url(draft.apply_url) if draft.apply_url else None
    gig.search_text = document(draft.title, draft.description, *draft.tags)
    if "tags" in changed:  # rows of tags kept are reused: a new row with the same key would clash with the old one
        kept: dict[str, GigTag | None] = {tag.tag: tag for tag in gig.tags}
        gig.tags = [kept.pop(name, None) or GigTag(tag=name) for name in draft.tags]
        for position, tag in enumerate(gig.tags):
            tag.position = position
    gig.edited_at = now
    revision = GigRevision(gig_id=gig.id, editor_id=editor.id, changes=dict(changed), at=now)
    session.add(revision)
    return revision


async def revisions(session: AsyncSession, gig_id: int) -> Sequence[GigRevision]:
    """The gig's edits, oldest first."""
    return (await session.execute(select(GigRevision).where(GigRevision.gig_id == gig_id)
                                  .order_by(GigRevision.at, GigRevision.id))).scalars().all()


async def revision_count(session: AsyncSession, gig_id: int) -> int:
    """How many times the gig was edited."""
    return (await session.execute(select(func.count()).select_from(GigRevision)
                                  .where(GigRevision.gig_id == gig_id))).scalar_one()


@dataclass(frozen=True)
class Change:
    """One change that matters to applicants: a catalog key and its parameters, written in each one's language."""

    key: str
    params: dict[str, Any]

    def text(self, t: Translator) -> Rich:
        """The change in this reader's language."""
        params = {name: value.display(t.locale) if isinstance(value, Budget) else value
                  for name, value in self.params.items()}
        return t(self.key, **params)


def mattering(before: GigDraft, after: GigDraft) -> list[Change]:
    """The changes an applicant still waiting should hear of; none for a typo or a small budget move."""
    found: list[Change] = []
    old, new = before.budget, after.budget
    if (old.currency, old.hourly) != (new.currency, new.hourly):
        found.append(Change("edit.change_budget_kind", {"before": old, "after": new}))
    else:
        moves = [Term(key, percent=Term("edit.percent_up" if moved > 0 else "edit.percent_down",
                                        value=abs(round(moved * 100))))
                 for key, moved in _moves(old, new) if abs(moved) > BUDGET_MOVE]
        if moves:
            found.append(Change("edit.change_budget", {"before": old, "after": new, "moves": Term(
                "edit.moves_two" if len(moves) == 2 else "edit.moves_one", first=moves[0], second=moves[-1])}))
    if after.apply_by < before.apply_by:
        found.append(Change("edit.change_apply_by", {"before": before.apply_by, "after": after.apply_by}))
    if before.remote and not after.remote:
        found.append(Change("edit.change_onsite", {"location": after.location or Term("edit.no_location")}))
    elif " ".join(before.location.casefold().split()) != " ".join(after.location.casefold().split()):
        found.append(Change("edit.change_location", {"before": before.location or Term("edit.no_location"),
                                                     "after": after.location or Term("edit.no_location")}))
    if before.description != after.description and \
            similarity(before.description, after.description) < REWRITTEN_BELOW:
        found.append(Change("edit.change_description", {}))
    return found


def _moves(old: Budget, new: Budget) -> list[tuple[str, Decimal]]:
    """How each bound moved, as a share of its old value (one amount: one move)."""
    def moved(before: int, after: int) -> Decimal:
        return Decimal(after - before) / Decimal(before)

    if old.low == old.high and new.low == new.high:
        return [("edit.move_amount", moved(old.low, new.low))]
    return [("edit.move_low", moved(old.low, new.low)), ("edit.move_high", moved(old.high, new.high))]


async def tell_applicants(session: AsyncSession, community: Community, gig: Gig, found: Sequence[Change],
                          clock: Clock) -> int:
    """DM each applicant still waiting what changed that matters to them, in their language; return how many."""
    if not found:
        return 0
    waiting = list((await session.execute(select(Application).where(
        Application.gig_id == gig.id, Application.status.in_(AWAITING_NEWS)).order_by(Application.id))).scalars())
    targets = await identities.dm_identities(session, [application.member for application in waiting])
    now = clock.now()
    for application in waiting:
        member = application.member
        t = translator_for(member, community)
        lines: list[Text] = [t("edit.dm", id=gig.id, title=gig.title)]
        lines += [Rich.of("• ", change.text(t)) for change in found]
        lines.append(t("edit.dm_next", id=gig.id))
        await outbox.enqueue_dm(session, member, Message(Rich.join("\n", lines)), clock,
                                not_before=nudges.reachable_at(member, community, now),
                                to=targets.get(member.id))
    return len(waiting)


async def follow_apply_by(session: AsyncSession, community: Community, gig: Gig, old_end: datetime,
                          now: datetime) -> None:
    """Keep the gig's nudges within its new end (the local midnight after its apply-by date, nudges.gig_end).

    Earlier: unsent nudges due after the new end are cancelled. Later: the nudges an application or the poster
    would have had but for the old end are planned, due when they would have been. `old_end`: the end before.
    """
    end = nudges.gig_end(gig, community)
    of_gig = select(Application.id).where(Application.gig_id == gig.id)
    if end < old_end:
        await session.execute(update(Nudge).where(
            (Nudge.gig_id == gig.id) | Nudge.application_id.in_(of_gig), Nudge.state.in_(nudges.UNSENT),
            Nudge.due_at >= end).values(state=NudgeState.CANCELLED))
        return
    policy = NudgePolicy.of(community)
    waiting = (await session.execute(select(Application).where(
        Application.gig_id == gig.id, Application.status.in_(AWAITING_NEWS)).order_by(Application.id))).scalars()
    for application in list(waiting):
        had = set((await session.execute(select(Nudge.kind).where(  # cancelled: by an earlier edit of apply_by
            Nudge.application_id == application.id, Nudge.created_at >= application.updated_at,
            Nudge.state != NudgeState.CANCELLED))).scalars())
        previous = (await session.execute(select(ApplicationEvent.from_status).where(
            ApplicationEvent.application_id == application.id).order_by(ApplicationEvent.id.desc()).limit(1)
        )).scalar_one_or_none()
        state = NudgeState.PENDING if application.reminders else NudgeState.PAUSED
        for rule in planned(application.status, previous):
            due = as_utc(application.updated_at) + rule.due_after(policy)
            if rule.kind not in had and due > now and old_end <= nudges.reachable_at(application.member, community,
                                                                                       due) < end:
                nudges.add(session, community.id, application.member_id, rule.kind, due, now,
                           application_id=application.id, state=state)
    first = (await session.execute(select(func.min(Application.created_at)).where(
        Application.gig_id == gig.id))).scalar_one_or_none()
    reviewed = (await session.execute(select(Nudge.id).where(
        Nudge.gig_id == gig.id, Nudge.kind == NudgeKind.POSTER_REVIEW, Nudge.state != NudgeState.CANCELLED)
        .limit(1))).first()
    if first is not None and reviewed is None:
        due = as_utc(first) + rule_for(NudgeKind.POSTER_REVIEW).due_after(policy)
        if due > now and old_end <= nudges.reachable_at(gig.poster, community, due) < end:
            nudges.add(session, community.id, gig.poster_id, NudgeKind.POSTER_REVIEW, due, now, gig_id=gig.id)
