"""`gig edit` and `gig history` through dispatch: who may edit, validation by field with nothing written, history
rows, every posting edited, re-screening, and the DMs applicants get only when the change matters to them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text, update

from bot.core.states import NudgeKind, NudgeState
from bot.store.models import AuditEntry, Base, Gig, GigRevision, Member, Nudge, OutboxMessage
from tests.conftest import Harness

SCAM_HOLD = "Contact me only on Telegram @bakery to discuss the form, it stopped sending emails after an update."
SCAM_REFUSE = ("The contact form stopped sending emails. Applicants must pay a 50 EUR deposit first, contact only "
               "through WhatsApp, payment by gift card.")
DESCRIPTION = ("The contact form on my bakery site stopped sending emails after a plugin update, and customers "
               "cannot reach us any more. Please find the cause and fix it.")


async def posted(bot: Harness, *applicants: str, extra: str = "") -> None:
    """Poppy posts gig #1 (150 EUR, remote, a real description); each applicant applies."""
    await bot.poster("poppy")
    await bot.ok("poppy", '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes '
                          f'description="{DESCRIPTION}" {extra}')
    for name in applicants:
        await bot.ok(name, "/gig apply 1")
    await bot.deliver()


async def snapshot(bot: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (when members were last seen aside)."""
    async with bot.app.sessions() as session:
        found = {}
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "last_seen_at"]
            rows = await session.execute(select(*columns).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
        return found


async def gig(bot: Harness) -> Gig:
    async with bot.app.sessions() as session:
        return (await session.execute(select(Gig).where(Gig.id == 1))).scalar_one()


def dms(sent: list[Any]) -> dict[str, str]:
    return {m.destination: str(m.message.text) for m in sent if m.kind == "dm"}


async def test_bad_fields_are_listed_by_field_and_nothing_is_written(bot: Harness) -> None:
    await posted(bot, "alice")
    before = await snapshot(bot)
    reply = await bot.fails("poppy", "/gig edit 1 title=ab budget=free hours=lots apply_by=2020-01-01")
    assert reply.splitlines()[0] == "Please fix 4 fields:"
    assert "• title: The title is too short" in reply and "• budget: Gigs must be paid" in reply
    assert "• hours: `hours` is the estimated effort" in reply and "• apply_by: The apply-by date 2020-01-01" in reply
    assert "A gig needs a title" in await bot.fails("poppy", '/gig edit 1 title=""')
    assert "pay" in await bot.fails("poppy", "/gig edit 1 pay=200")
    assert await snapshot(bot) == before
    await bot.ok("poppy", '/gig post title="Logo for a bakery" budget=80 apply_url="https://example.com/logo"')
    await bot.deliver()
    before = await snapshot(bot)
    assert await bot.fails("poppy", '/gig edit 1 title="Logo for a bakery"') == (
        'Gig #2 "Logo for a bakery" already has that title or link, so I didn\'t change #1.')
    assert "already has that title or link" in await bot.fails("poppy", '/gig edit 1 apply_url="https://example.com/logo"')
    assert await snapshot(bot) == before
    assert await bot.deliver() == []


async def test_poster_and_admins_edit_others_are_refused(bot: Harness) -> None:
    await posted(bot)
    assert "Only posters and admins can run `/gig edit`" in await bot.fails("alice", "/gig edit 1 budget=200")
    await bot.poster("other")
    assert "Gig #1 isn't yours" in await bot.fails("other", "/gig edit 1 budget=200")
    assert "There is no gig #9" in await bot.fails("poppy", "/gig edit 9 budget=200")
    assert "Edited #1" in await bot.ok("poppy", "/gig edit 1 budget=200")
    assert "Edited #1" in await bot.ok("admin", "/gig edit 1 budget=210")
    await bot.ok("admin", "/gig role remove @poppy poster")  # the poster keeps control of the gig they posted
    assert "Edited #1" in await bot.ok("poppy", "/gig edit 1 budget=220")
    async with bot.app.sessions() as session:
        editors = (await session.execute(select(Member.platform_user_id).join(
            GigRevision, GigRevision.editor_id == Member.id).order_by(GigRevision.id))).scalars().all()
    assert editors == ["poppy", "admin", "poppy"]


async def test_an_edit_is_kept_in_the_history_and_the_search(bot: Harness) -> None:
    await posted(bot)
    bot.app.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    reply = await bot.ok("poppy", '/gig edit 1 title="Repair my Drupal form" tags=drupal,php,forms budget=160')
    assert reply == 'Edited #1 "Repair my Drupal form" (title, budget, tags): 1 posting updated, 0 applicants told.'
    edited = await gig(bot)
    now = bot.app.clock.now()
    assert (edited.title, edited.title_key, edited.tag_names, edited.budget_max, edited.currency) == (
        "Repair my Drupal form", "repair my drupal form", ["drupal", "php", "forms"], 16000, "EUR")
    assert edited.edited_at == now and edited.status == "open"
    async with bot.app.sessions() as session:
        revision = (await session.execute(select(GigRevision))).scalar_one()
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "gig.edit"))).scalar_one()
    assert revision.changes == {"title": ["Fix my WordPress form", "Repair my Drupal form"],
                                "budget": ["150 EUR", "160 EUR"], "tags": ["wordpress, php", "drupal, php, forms"]}
    assert revision.at == now and audit.details["fields"] == ["budget", "tags", "title"]
    assert "#1" in await bot.ok("alice", "/gig search drupal")
    assert "No open gig matches" in await bot.ok("alice", "/gig search wordpress")
    assert "#1" in await bot.ok("alice", "/gig list tag=forms")
    assert "No open gigs match" in await bot.ok("alice", "/gig list tag=wordpress")
    history = await bot.ok("poppy", "/gig history 1")
    assert history.splitlines() == ['Edits of #1 "Repair my Drupal form" (1):',
                                    "• Mon, Nov 23, 2026 11:00 AM, by @Poppy:",
                                    "    title: Fix my WordPress form → Repair my Drupal form",
                                    "    budget: 150 EUR → 160 EUR", "    tags: wordpress, php → drupal, php, forms"]
    assert "Only posters and admins" in await bot.fails("alice", "/gig history 1")
    await bot.ok("poppy", '/gig post title="Second gig" budget=50')
    assert await bot.ok("poppy", "/gig history 2") == "Gig #2 was never edited."


async def test_a_no_op_edit_changes_nothing_and_says_so(bot: Harness) -> None:
    await posted(bot, "alice")
    before = await snapshot(bot)
    reply = await bot.ok("poppy", '/gig edit 1 title="Fix my WordPress form" budget=150 tags="wordpress, php"')
    assert reply == "Nothing changed: gig #1 already reads like that."
    assert await snapshot(bot) == before and await bot.deliver() == []


async def test_closed_and_rejected_gigs_cannot_be_edited(bot: Harness) -> None:
    await posted(bot)
    await bot.ok("poppy", "/gig close 1")
    assert await bot.fails("poppy", "/gig edit 1 budget=200") == (
        "Gig #1 is closed, so it can't be edited any more. Post a new gig instead.")
    assert "is closed" in await bot.fails("poppy", "/gig edit 1")  # nor does its form open
    async with bot.app.sessions() as session:
        await session.execute(update(Gig).values(status="rejected"))
        await session.commit()
    assert "was rejected in review" in await bot.fails("poppy", "/gig edit 1 budget=200")


async def test_every_posting_is_edited_and_the_topic_follows_the_title(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    await posted(bot)
    posts = [m for m in bot.sent if m.kind == "post"]
    assert [m.destination for m in posts] == ["gigs", "php"]
    assert "2 postings updated" in await bot.ok("poppy", '/gig edit 1 title="Fix my PHP form"')
    edits = [m for m in await bot.deliver() if m.kind == "edit"]
    assert [(m.destination, m.message_ref) for m in edits] == [("gigs", f"M{posts[0].id}"), ("php", f"M{posts[1].id}")]
    assert all(m.message.cards[0].title == "#1 · Fix my PHP form" for m in edits)
    assert all(m.message.topic.title == "#1 · Fix my PHP form" and m.message.topic.retitle for m in edits)
    await bot.ok("poppy", "/gig edit 1 hours=5")  # neither title nor tags: threads are not renamed
    assert all(not m.message.topic.retitle for m in await bot.deliver() if m.kind == "edit")


async def test_a_budget_move_over_ten_percent_is_told_a_small_one_is_not(bot: Harness) -> None:
    bot.locales["bob"] = "fr"
    await posted(bot, "alice", "bob", "carol")
    await bot.ok("carol", "/gig withdraw 1")
    await bot.ok("bob", "/gig status 1 interviewing")
    await bot.deliver()
    assert "0 applicants told" in await bot.ok("poppy", "/gig edit 1 budget=157")  # under 5 %
    assert dms(await bot.deliver()) == {}
    assert "2 applicants told" in await bot.ok("poppy", "/gig edit 1 budget=120")
    told = dms(await bot.deliver())
    assert set(told) == {"alice", "bob"}  # carol withdrew
    assert told["alice"].splitlines() == [
        'Gig #1 "Fix my WordPress form", which you applied to, has changed:',
        "• the budget is now €120 (was €157): −24%", "/gig show 1 shows it as it is now."]
    assert "le budget est maintenant de 120\u00a0€ (au lieu de 157\u00a0€) : −24 %" in told["bob"]
    await bot.ok("poppy", '/gig edit 1 budget="120-200"')  # the upper bound moves, the lower one does not
    assert "maximum +67%" in dms(await bot.deliver())["alice"]
    await bot.ok("poppy", '/gig edit 1 budget="130-190"')  # -5 % and +8 %: nothing
    assert dms(await bot.deliver()) == {}
    await bot.ok("poppy", '/gig edit 1 budget="25 EUR/h"')
    assert "the budget is now €25/h (was €130 – €190)" in dms(await bot.deliver())["alice"]


async def test_dates_places_and_rewrites_are_told_typos_are_not(bot: Harness) -> None:
    await posted(bot, "alice")
    await bot.ok("poppy", "/gig edit 1 apply_by=2026-12-20")  # later: nothing to worry about
    assert dms(await bot.deliver()) == {}
    await bot.ok("poppy", "/gig edit 1 apply_by=2026-12-01")
    assert "• apply by Dec 1, 2026 now, earlier than Dec 20, 2026" in dms(await bot.deliver())["alice"]
    typo = DESCRIPTION.replace("customers", "customres").replace("plugin", "plug-in")
    await bot.ok("poppy", f'/gig edit 1 description="{typo}"')
    assert dms(await bot.deliver()) == {}
    await bot.ok("poppy", '/gig edit 1 description="A new WooCommerce shop with twenty products and Stripe."')
    assert "• the description was rewritten" in dms(await bot.deliver())["alice"]
    await bot.ok("poppy", "/gig edit 1 location=Europe")  # still remote, now with a place
    assert "• it takes place in Europe now (was no place given)" in dms(await bot.deliver())["alice"]
    await bot.ok("poppy", "/gig edit 1 remote=no location=Lyon")
    assert "• it is no longer remote: on site (Lyon)" in dms(await bot.deliver())["alice"]
    await bot.ok("poppy", "/gig edit 1 location=lyon")  # the same place
    assert dms(await bot.deliver()) == {}
    await bot.ok("poppy", "/gig edit 1 location=Paris")
    assert "• it takes place in Paris now (was lyon)" in dms(await bot.deliver())["alice"]
    await bot.ok("poppy", '/gig edit 1 title="Fix my WP form" hours=4 source="a client" remote=yes')
    assert dms(await bot.deliver()) == {}


async def test_an_edit_that_reads_like_a_scam_is_held_or_refused(bot: Harness) -> None:
    await posted(bot, "alice")
    before = await snapshot(bot)
    refused = await bot.fails("poppy", f'/gig edit 1 description="{SCAM_REFUSE}"')
    assert refused.splitlines()[0] == "I didn't change gig #1: the new text was refused."
    assert refused.splitlines()[1].startswith("• Asks applicants to pay a deposit")
    assert refused.splitlines()[-1] == "Change those parts and try again."
    assert await snapshot(bot) == before
    reply = await bot.ok("poppy", f'/gig edit 1 description="{SCAM_HOLD}"')
    assert "The edit sends it to the review queue" in reply and "Telegram" in reply
    held = await gig(bot)
    assert held.status == "held" and held.screening["tier"] == "hold"
    assert [f["rule"] for f in held.screening["findings"]] == ["off_platform"]
    edits = [m for m in await bot.deliver() if m.kind == "edit"]
    assert edits and not edits[0].message.cards[0].buttons  # the posting no longer offers Apply
    assert "Gig #1 is closed" in await bot.fails("bob", "/gig apply 1")
    reply = await bot.ok("poppy", f'/gig edit 1 description="{DESCRIPTION}"')  # fixed: it still waits for review
    assert "still waiting for an admin's review" in reply
    assert (await gig(bot)).status == "held" and (await gig(bot)).screening["tier"] == "publish"


async def test_an_admins_refused_edit_is_held_instead(bot: Harness) -> None:
    await posted(bot)
    reply = await bot.ok("admin", f'/gig edit 1 description="{SCAM_REFUSE}"')
    assert "The edit sends it to the review queue" in reply and "gift card" in reply
    assert (await gig(bot)).status == "held"
    async with bot.app.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "gig.edit"))).scalar_one()
    assert audit.details["tier"] == "refuse"


async def test_a_held_gig_keeps_its_holds_about_who_posted(bot: Harness) -> None:
    await posted(bot)
    async with bot.app.sessions() as session:
        await session.execute(update(Gig).values(status="held", screening={
            "tier": "hold", "score": 0, "holds": ["screening.hold_first_gig"], "findings": []}))
        await session.commit()
    assert "still waiting" in await bot.ok("poppy", "/gig edit 1 budget=170")
    stored = (await gig(bot)).screening
    assert (stored["holds"], stored["tier"]) == (["screening.hold_first_gig"], "publish")


async def test_nudges_follow_the_apply_by_date(bot: Harness) -> None:
    await posted(bot, "alice")

    async def nudge_states() -> dict[str, list[str]]:
        async with bot.app.sessions() as session:
            rows = await session.execute(select(Nudge.kind, Nudge.state).order_by(Nudge.id))
            found: dict[str, list[str]] = {}
            for kind, state in rows:
                found.setdefault(str(kind), []).append(str(state))
            return found

    assert (await nudge_states())[NudgeKind.FOLLOW_UP] == [NudgeState.PENDING]
    await bot.ok("poppy", "/gig edit 1 apply_by=2026-11-24")  # ends before the follow-up would come
    states = await nudge_states()
    assert states[NudgeKind.FOLLOW_UP] == [NudgeState.CANCELLED]
    assert states[NudgeKind.POSTER_REVIEW] == [NudgeState.CANCELLED]
    await bot.ok("poppy", "/gig edit 1 apply_by=2026-12-31")  # later again: the plan is back, due as it was
    states = await nudge_states()
    assert states[NudgeKind.FOLLOW_UP] == [NudgeState.CANCELLED, NudgeState.PENDING]
    assert states[NudgeKind.POSTER_REVIEW] == [NudgeState.CANCELLED, NudgeState.PENDING]
    async with bot.app.sessions() as session:
        due = (await session.execute(select(Nudge.due_at).where(Nudge.kind == NudgeKind.FOLLOW_UP,
                                                                Nudge.state == NudgeState.PENDING))).scalar_one()
    assert due == bot.app.clock.now() + timedelta(days=2)
    sent = await bot.later(days=2, minutes=1)
    assert any(m.destination == "alice" and m.kind == "dm" for m in sent)  # the follow-up nudge went out


async def test_show_has_edit_for_the_poster_and_admins_and_the_button_opens_the_form(bot: Harness) -> None:
    await posted(bot)
    for who in ("poppy", "admin"):
        [card] = (await bot.run(who, "/gig show 1")).cards
        assert [b.id for b in card.buttons] == ["gig:apply:1", "gig:edit:1"]
    [card] = (await bot.run("alice", "/gig show 1")).cards
    assert [b.id for b in card.buttons] == ["gig:apply:1"]
    await bot.ok("poppy", "/gig edit 1 hours=6")
    [card] = (await bot.run("poppy", "/gig show 1")).cards
    assert ("Edited", "Nov 23, 2026 (1 edit: /gig history 1)") in [(str(f.label), str(f.value)) for f in card.fields]
    reply = await bot.press("poppy", "gig:edit:1")
    assert reply.ok and reply.form is not None
    form = reply.form
    assert (form.command, form.args, form.title, form.submit) == ("edit", ("1",), "Edit gig #1", "Save")
    values = {item.name: item.value for item in form.inputs}
    assert values == {"title": "Fix my WordPress form", "budget": "150 EUR", "tags": "wordpress, php",
                      "description": DESCRIPTION, "apply_url": "", "remote": "yes", "location": "", "hours": "6",
                      "apply_by": "2026-12-07", "source": ""}
    assert "/gig edit 1 title=" in str(reply.text)
    unchanged = await bot.app.dispatcher.submit("edit", values, bot.actor("poppy"), bot.place(), args=("1",))
    assert "Nothing changed" in str(unchanged.text)  # the form sent back as it came changes nothing
    changed = await bot.app.dispatcher.submit("edit", values | {"hours": "8"}, bot.actor("poppy"), bot.place(),
                                              args=("1",))
    assert changed.ok and (await gig(bot)).hours == 8
    refused = await bot.press("alice", "gig:edit:1")
    assert not refused.ok and refused.form is None and "Only posters and admins" in str(refused.text)


async def test_a_budget_without_a_currency_stays_in_the_gigs(bot: Harness) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", '/gig post title="Logo for a bakery" budget="200 USD" tags=design')
    await bot.ok("poppy", "/gig edit 1 budget=250")
    stored = await gig(bot)
    assert (stored.budget_min, stored.currency) == (25000, "USD")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one() >= 1
        assert (await session.execute(text("SELECT count(*) FROM gig_tag"))).scalar_one() == 1


async def test_a_stored_date_gone_by_does_not_block_other_fields(bot: Harness) -> None:
    await posted(bot, extra="apply_by=2026-11-24")
    bot.app.clock.advance(timedelta(days=1, hours=12))  # type: ignore[attr-defined]  # past its apply-by, not expired
    assert "Edited #1" in await bot.ok("poppy", "/gig edit 1 hours=3")
    assert "Edited #1" in await bot.ok("poppy", "/gig edit 1 apply_by=2026-12-10")
    assert (await gig(bot)).apply_by == date(2026, 12, 10)
