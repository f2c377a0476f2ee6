"""The review queue: the review channel, the review card, Approve / Reject and `gig review`."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.commands import review_queue
from bot.core.i18n import Translator
from bot.core.types import InputKind
from bot.services import outbox, review
from bot.store.models import AuditEntry, Gig, Posting, Workspace
from tests.commands.queue_helpers import FIRST_GIG, hold_gig, later, report
from tests.conftest import PLATFORM, Harness, as_text
from tests.services.test_races import both_read_first

HERE = (PLATFORM, "T1")


async def with_review_channel(bot: Harness) -> None:
    assert "will be shown to admins in #review" in await bot.ok("admin", "/gig admin review-channel #review")


async def held(bot: Harness, who: str = "poppy", **kwargs: object) -> int:
    await bot.ok(who, "/gig mine")  # the poster has used the bot
    return await hold_gig(bot.app.sessions, bot.app.clock, (PLATFORM, who), HERE, **kwargs)  # type: ignore[arg-type]


def cards_in(sent: list[outbox.Outgoing], channel: str) -> list[outbox.Outgoing]:
    return [m for m in sent if m.destination == channel and m.kind in ("post", "edit")]


def card_text(message: outbox.Outgoing) -> str:
    return as_text(message.message)  # type: ignore[arg-type]


async def audits(bot: Harness, action: str) -> list[AuditEntry]:
    async with bot.app.sessions() as session:
        return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def test_the_review_channel_is_set_shown_and_switched_off(bot: Harness) -> None:
    assert "no review channel" in await bot.ok("admin", "/gig admin review-channel")
    await with_review_channel(bot)
    assert "This place's review channel is #review." == await bot.ok("admin", "/gig admin review-channel")
    assert "· review channel #review ·" in await bot.ok("admin", "/gig admin places")
    assert "no review channel any more" in await bot.ok("admin", "/gig admin review-channel off")
    assert "review channel" not in await bot.ok("admin", "/gig admin places")
    [first, second] = await audits(bot, "settings.review_channel")
    assert (first.details["channel"], second.details["channel"]) == ("review", None)
    assert "Only admins" in await bot.fails("alice", "/gig admin review-channel #mine")


async def test_a_job_channel_cannot_be_the_review_channel_nor_the_other_way_round(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    for channel in ("#gigs", "#php"):  # the default channel, a route's channel
        text = await bot.fails("admin", f"/gig admin review-channel {channel}")
        assert f"{channel} reposts gigs to members, so it can't be the review channel" in text
    await with_review_channel(bot)
    assert "#review is this place's review channel" in await bot.fails("admin", "/gig route add #review tags=go")
    assert "#review is this place's review channel" in await bot.fails("admin", "/gig route default #review")
    assert '"#no such" is not a channel' in await bot.fails("admin", '/gig admin review-channel "#no such"')
    async with bot.app.sessions() as session:
        place = (await session.execute(select(Workspace))).scalar_one()
        assert (place.default_channel, place.review_channel) == ("gigs", "review")
        assert (await session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "route.add"))).scalar_one() == 1


async def test_a_held_gig_card_shows_the_gig_its_reasons_and_the_buttons(bot: Harness) -> None:
    await with_review_channel(bot)
    gig_id = await held(bot, holds=[FIRST_GIG])
    sent = await bot.deliver()
    [card] = cards_in(sent, "review")
    assert card.kind == "post"
    [shown] = card.message.cards
    assert [b.id for b in shown.buttons] == [f"gig:approve:{gig_id}", f"gig:reject:{gig_id}"]
    text = card_text(card)
    assert f"== #{gig_id} · Landing page for a bakery ==" in text
    assert "Budget: €300" in text and "Tags: html, css" in text and "Posted by: @Poppy" in text
    assert "Pay a registration fee" in text  # the description, as typed
    assert '• Asks applicants to pay a deposit or a fee: "registration fee' in text
    assert "• Moves contact to Telegram" in text
    assert f"• {review.hold_reason(FIRST_GIG, Translator('en'))}" in text  # the gate's hold about who posts
    assert "Held before publishing: waiting for an admin's review." in text
    assert not [m for m in sent if m.destination == "gigs"]  # nothing reposted to members


async def test_the_card_speaks_the_community_language(bot: Harness) -> None:
    await with_review_channel(bot)
    await bot.ok("admin", "/gig admin settings lang=fr")
    await held(bot)
    [card] = cards_in(await bot.deliver(), "review")
    text = card_text(card)
    assert "Retenue avant publication" in text and "Pourquoi elle attend" in text
    assert [b.label for b in card.message.cards[0].buttons] == ["Approuver", "Refuser"]


async def test_approve_publishes_edits_every_card_and_tells_the_poster(bot: Harness) -> None:
    await with_review_channel(bot)
    await bot.ok("admin", "/gig route add #web tags=html")
    gig_id = await held(bot)
    [first] = cards_in(await bot.deliver(), "review")
    later(bot.app.clock)
    reply = await bot.press("admin", f"gig:approve:{gig_id}")
    assert as_text(reply) == (f'Approved #{gig_id} "Landing page for a bakery": posted to #gigs, #web. '
                              "Its poster gets a DM that it is live.")
    sent = await bot.deliver()
    assert sorted(m.destination for m in sent if m.kind == "post") == ["gigs", "web"]
    [edit] = cards_in(sent, "review")
    assert edit.kind == "edit" and edit.message_ref == f"M{first.id}"
    assert "Approved by @Admin at Nov 23, 2026, 9:01" in card_text(edit) and not edit.message.cards[0].buttons
    [dm] = [m for m in sent if m.kind == "dm"]
    assert dm.destination == "poppy" and "was approved by an admin and is now live" in card_text(dm)
    async with bot.app.sessions() as session:
        gig = await session.get(Gig, gig_id)
        assert gig is not None and (gig.status, gig.reviewed_at) == ("open", bot.app.clock.now())
    assert [a.subject for a in await audits(bot, "gig.approve")] == [str(gig_id)]
    assert "Landing page for a bakery" in await bot.ok("alice", "/gig list")
    assert f"Gig #{gig_id} was already approved by @Admin. Nothing changed." == await bot.fails(
        "admin", f"/gig approve {gig_id}")
    assert "Only admins" in await bot.fails("poppy", f"/gig approve {gig_id}")


async def test_two_admins_approving_at_once_decide_once(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await with_review_channel(bot)
    gig_id = await held(bot)
    await bot.deliver()
    await bot.ok("admin", "/gig mine")
    both_read_first(monkeypatch, review_queue, "get_gig")
    replies = await asyncio.gather(bot.press("admin", f"gig:approve:{gig_id}"),
                                   bot.app.dispatcher.press(f"gig:approve:{gig_id}", bot.actor("admin"),
                                                            bot.place("elsewhere")))
    assert sorted(r.ok for r in replies) == [False, True]
    assert as_text(next(r for r in replies if not r.ok)) == f"Gig #{gig_id} was already approved by @Admin. " \
                                                           "Nothing changed."
    sent = await bot.deliver()
    assert [m.destination for m in sent if m.kind == "post"] == ["gigs"]  # reposted once
    assert len([m for m in sent if m.kind == "dm"]) == 1 and len(await audits(bot, "gig.approve")) == 1


async def test_reject_asks_for_a_reason_and_the_poster_receives_it(bot: Harness) -> None:
    await with_review_channel(bot)
    gig_id = await held(bot)
    await bot.deliver()
    reply = await bot.press("admin", f"gig:reject:{gig_id}")
    assert reply.form is not None and reply.form.command == "reject" and reply.form.args == (str(gig_id),)
    [reason] = reply.form.inputs
    assert (reason.name, reason.kind, reason.required) == ("reason", InputKind.MULTILINE, True)
    assert "Say why you reject" in as_text(reply)  # what a platform without forms shows
    empty = await bot.app.dispatcher.submit("reject", {"reason": "  "}, bot.actor("admin"), bot.place(),
                                            (str(gig_id),))
    assert not empty.ok and "Write the reason" in empty.field_errors["reason"]
    assert await bot.deliver() == []
    done = await bot.app.dispatcher.submit("reject", {"reason": "Asks for a fee <@U1>"}, bot.actor("admin"),
                                           bot.place(), (str(gig_id),))
    assert as_text(done) == f'Rejected #{gig_id} "Landing page for a bakery". Its poster gets your reason by DM.'
    sent = await bot.deliver()
    [dm] = [m for m in sent if m.kind == "dm"]
    assert card_text(dm).endswith("was not published. An admin's reason: Asks for a fee <@U1>")
    assert "Admin" not in card_text(dm)
    [edit] = cards_in(sent, "review")
    assert "Rejected by @Admin: Asks for a fee <@U1>" in card_text(edit) and not edit.message.cards[0].buttons
    [entry] = await audits(bot, "gig.reject")
    assert entry.details["reason"] == "Asks for a fee <@U1>"
    async with bot.app.sessions() as session:
        gig = await session.get(Gig, gig_id)
        assert gig is not None and (gig.status, gig.review_note) == ("rejected", "Asks for a fee <@U1>")
    assert f"Gig #{gig_id} was already rejected by @Admin." in await bot.fails("admin", f"/gig approve {gig_id}")
    assert f"Gig #{gig_id} was already rejected by @Admin." in await bot.fails(
        "admin", f"/gig reject {gig_id} reason=again")


async def test_a_reason_that_is_too_long_is_refused(bot: Harness) -> None:
    gig_id = await held(bot)
    text = await bot.fails("admin", f"/gig reject {gig_id} reason={'x' * 1001}")
    assert "`reason` is too long (1001 characters)" in text
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "held"


async def test_a_hidden_gig_is_shown_again_or_taken_down(bot: Harness, post_line: str) -> None:
    await with_review_channel(bot)
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    await bot.ok("poppy", '/gig post title="Second form to fix" budget="90 EUR" tags=php')
    for name in ("alice", "bob", "carol"):
        await bot.ok(name, "/gig apply 2" if name == "alice" else "/gig mine")
    await report(bot.app.sessions, bot.app.clock, 1, ["alice", "bob"], "looks like a scam", hide=True)
    await report(bot.app.sessions, bot.app.clock, 2, ["bob", "carol"], "", hide=True)
    sent = await bot.deliver()
    [card] = [m for m in cards_in(sent, "review") if "#1 ·" in card_text(m)]
    text = card_text(card)
    assert "2 reports: • @Alice: “looks like a scam”" in text.replace("\n", " ")
    assert "Hidden after reports" in text
    assert "Approved #1" in await bot.ok("admin", "/gig approve 1")
    sent = await bot.deliver()
    assert [m.destination for m in sent if m.kind == "edit" and m.destination != "review"] == ["gigs"]
    assert [card_text(m) for m in sent if m.kind == "dm"] == [
        'Your gig #1 "Fix my WordPress form" was reviewed by an admin after reports and is listed again.']
    text = await bot.ok("admin", '/gig reject 2 reason="Reported as a copy of a scam"')
    assert text == ('Took #2 "Second form to fix" down: 1 posting updated, 1 pending applicant told. '
                    "Its poster gets your reason by DM.")
    sent = await bot.deliver()
    [posting] = [m for m in sent if m.kind == "edit" and m.destination == "gigs"]
    assert posting.message.cards[0].footer == "An admin took this gig down after review."
    assert not posting.message.cards[0].buttons
    dms = {m.destination: card_text(m) for m in sent if m.kind == "dm"}
    assert dms["alice"].startswith('Gig #2 "Second form to fix" is now closed.')
    assert "taken down after review. An admin's reason: Reported as a copy of a scam" in dms["poppy"]
    assert "alice" not in dms["poppy"].lower() and "bob" not in dms["poppy"].lower()


async def test_an_admin_publishing_their_own_held_gig_is_audited_as_publish_anyway(bot: Harness) -> None:
    gig_id = await held(bot, who="admin")
    text = await bot.ok("admin", f"/gig approve {gig_id}")
    assert text.startswith(f'Published your gig #{gig_id} "Landing page for a bakery" anyway: posted to #gigs.')
    assert len(await audits(bot, "gig.publish_anyway")) == 1 and not await audits(bot, "gig.approve")
    assert not [m for m in await bot.deliver() if m.kind == "dm"]


async def test_gig_review_lists_what_waits_oldest_first_a_page_at_a_time(bot: Harness, post_line: str) -> None:
    assert await bot.ok("admin", "/gig review") == "Nothing waits for review."
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)  # #1, open
    second = await held(bot, title="First held gig", holds=[FIRST_GIG])
    later(bot.app.clock)
    third = await held(bot, title="Second held gig", description="Fix a typo on my blog page today, please.")
    later(bot.app.clock)
    await bot.ok("alice", "/gig mine")
    await report(bot.app.sessions, bot.app.clock, 1, ["alice"], "odd", hide=True)  # hidden last: waits least
    reply = await bot.run("admin", "/gig review")
    assert as_text(reply).splitlines()[0] == "Waiting for review, oldest first (page 1 of 1, 3 in all):"
    assert [c.title for c in reply.cards] == [f"#{second} · First held gig", f"#{third} · Second held gig",
                                              "#1 · Fix my WordPress form"]
    assert [b.id for b in reply.cards[0].buttons] == [f"gig:approve:{second}", f"gig:reject:{second}"]
    bodies = [as_text(type(reply)(cards=(card,))) for card in reply.cards]
    assert "held · deposit or fee asked of applicants · contact only through Telegram" in bodies[0]
    assert "too short" not in bodies[1]  # what would publish alone (a short description) is not why a gig waits
    assert "hidden after reports · 1 report" in bodies[2]
    bot.app.settings.page_size = 2
    first_page = await bot.run("admin", "/gig review")
    assert len(first_page.cards) == 2 and [b.id for b in first_page.buttons] == ["gig:review:2"]
    next_page = await bot.press("admin", "gig:review:2")
    assert [c.title for c in next_page.cards] == ["#1 · Fix my WordPress form"] and not next_page.buttons
    assert "There is no page 3" in await bot.fails("admin", "/gig review 3")
    assert "Only admins" in await bot.fails("alice", "/gig review")
    await bot.ok("admin", f"/gig approve {second}")
    assert "2 in all" in await bot.ok("admin", "/gig review")


async def test_a_gig_that_never_waited_cannot_be_decided(bot: Harness, post_line: str) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    assert "Gig #1 isn't waiting for review." in await bot.fails("admin", "/gig approve 1")
    assert "Gig #1 isn't waiting for review." in await bot.fails("admin", "/gig reject 1 reason=no")
    assert "There is no gig #9" in await bot.fails("admin", "/gig approve 9")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 1
