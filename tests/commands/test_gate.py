"""The posting gate through `gig post`: first gigs, posting limits, trusted posters, admins' Publish anyway."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.services.gigs import CLOSED, HELD, OPEN, REJECTED
from bot.store.models import AuditEntry, Gig, Member, OutboxMessage, Posting, Workspace
from tests.adapters.test_injection import assert_safe
from tests.conftest import Harness

BRIEFS = itertools.cycle((  # distinct descriptions, so no two gigs of a test read as "the same text"
    "Our bakery needs a simple logo with a wordmark and two colour variants, delivered as SVG and PNG files.",
    "Fix the contact form on a WordPress site: messages stopped arriving after last week's plugin update.",
    "Translate twelve product pages from French to English for a small online tea shop, about 3000 words.",
    "Build a one-page Astro site for a photographer, with a gallery, a contact form and hosting set up on Netlify.",
    "Write a Python script that reads our supplier's weekly CSV and updates stock levels in the shop database.",
    "Design a printed menu card for a café, A4 folded, in our brand colours, with room for twenty dishes.",
    "Set up Google Analytics and a cookie banner on a Shopify store, then document the steps for the owner.",
    "Clean up a spreadsheet of 800 customer addresses: remove duplicates, fix postcodes and split the names.",
))


def gig(title: str, **extra: str) -> str:
    """A plain, legitimate gig line with a description long enough to judge, each unlike the others."""
    fields = {"budget": "150 EUR", "tags": "design", "description": next(BRIEFS), **extra}
    return f'/gig post title="{title}" ' + " ".join(f'{k}="{v}"' for k, v in fields.items())


SCAM = ('/gig post title="Easy data entry" budget="100 EUR" description="Simple typing from home, no experience '
        'needed. To apply, send a copy of your passport to verify your identity before the first task."')
REFUSED = ('/gig post title="Typing job" budget="100 EUR" description="Pay a registration fee of 20 EUR to start, '
           'then contact me on Telegram @hr for the details of the job and the weekly schedule."')


async def rows(bot: Harness, model: type, *where: object) -> int:
    async with bot.app.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def status(bot: Harness, gig_id: int) -> str:
    async with bot.app.sessions() as session:
        found = await session.get(Gig, gig_id)
        assert found is not None
        return found.status


async def approve(bot: Harness, gig_id: int, to: str = OPEN) -> None:
    """What an admin's approval leaves (the approve command is the review queue's): the gig published."""
    async with bot.app.sessions() as session:
        await session.execute(update(Gig).where(Gig.id == gig_id).values(status=to))
        await session.commit()


async def test_a_first_gig_waits_for_review_then_the_next_one_publishes(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    async with bot.app.sessions() as session:  # the review channel of this place
        await session.execute(update(Workspace).values(review_channel="reviews"))
        await session.commit()
    text = await bot.ok("poppy", gig("Logo for a bakery"))
    assert text.startswith('Gig #1 "Logo for a bakery" is waiting for an admin\'s review before it goes live. Why:\n'
                           "• First gig: an admin looks at every new poster's first gig.\n"
                           "It is not reposted anywhere until then, and you'll get a DM when it is decided.")
    assert "(Gig #1 · waiting for an admin's review)" in text and "[Apply]" not in text
    sent = await bot.deliver()
    assert [(m.kind, m.destination) for m in sent] == [("post", "reviews")]  # the review card, no job channel
    async with bot.app.sessions() as session:
        held = await session.get(Gig, 1)
        assert held is not None and held.status == HELD
        assert held.screening is not None and held.screening["holds"] == ["gate.hold.first_gig"]
        assert held.screening["tier"] == "publish"  # what the gig says would publish it: only who posts holds it
        audit = {a.action: a.details for a in (await session.execute(select(AuditEntry))).scalars()}
    assert audit["gig.post"]["tier"] == "hold" and audit["gig.hold"] == {"rules": [], "holds": ["gate.hold.first_gig"]}
    assert "No open gigs match" in await bot.ok("alice", "/gig list")

    assert "waiting for an admin's review" in await bot.ok("poppy", gig("Menu card"))  # the first still waits
    await approve(bot, 2, REJECTED)
    assert "First gig" in await bot.ok("poppy", gig("Shop sign"))  # a rejected first gig does not count either
    await approve(bot, 1)
    text = await bot.ok("poppy", gig("Business cards"))
    assert text.startswith('Posted gig #4 "Business cards" to #gigs.')
    assert await rows(bot, Posting, Posting.gig_id == 4, Posting.kind == "gig") == 1


async def test_a_repost_of_a_waiting_gig_is_a_duplicate(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    await bot.ok("poppy", gig("Logo for a bakery"))
    assert 'already posted as #1 "Logo for a bakery"' in await bot.fails("poppy", gig("Logo for a bakery"))


async def test_the_daily_limit_holds_until_a_day_has_passed(bot: Harness) -> None:
    await bot.screening(trusted_after=50)  # limits matter for posters not yet trusted
    await bot.poster("poppy", trusted=False)
    await bot.ok("poppy", gig("Gig zero"))
    await approve(bot, 1)
    for n in (1, 2):
        assert "Posted gig" in await bot.ok("poppy", gig(f"Gig number {n}"))
    text = await bot.ok("poppy", gig("Gig number three"))
    assert ("• Posting limit: you have published 3 gigs in the last 24 hours; the limit without review is 3."
            in text.splitlines())
    async with bot.app.sessions() as session:
        held = await session.get(Gig, 4)
        assert held is not None and held.status == HELD and held.screening["holds"] == ["gate.hold.per_day"]
    bot.app.clock.advance(timedelta(hours=23, minutes=59))  # type: ignore[attr-defined]
    assert "Posting limit" in await bot.ok("poppy", gig("Gig number four"))
    bot.app.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]  # gig zero is a day old now
    assert "Posted gig" in await bot.ok("poppy", gig("Gig number five"))


async def test_the_weekly_limit_counts_seven_days(bot: Harness) -> None:
    await bot.screening(trusted_after=50, per_day=10, per_week=4)
    await bot.poster("poppy", trusted=False)
    await bot.ok("poppy", gig("Gig zero"))
    await approve(bot, 1)
    for n in range(1, 4):
        bot.app.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
        assert "Posted gig" in await bot.ok("poppy", gig(f"Gig number {n}"))
    text = await bot.ok("poppy", gig("Gig number four"))
    assert "Posting limit: you have published 4 gigs in the last 7 days; the limit without review is 4." in text
    bot.app.clock.advance(timedelta(days=4, minutes=1))  # type: ignore[attr-defined]  # gig zero is 7 days old
    assert "Posted gig" in await bot.ok("poppy", gig("Gig number five"))


async def test_trust_granted_by_an_admin_or_earned_skips_the_holds_about_who_posts(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    await bot.poster("tess", trusted=False)
    assert await bot.ok("admin", "/gig admin trust @tess") == (
        "@tess is now a trusted poster: their gigs skip the first-gig and posting-limit holds. Screening still holds "
        "or refuses a gig of theirs for what it says.")
    assert "Posted gig #1" in await bot.ok("tess", gig("First but trusted"))
    async with bot.app.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "member.trust"))).scalar_one()
        tess = (await session.execute(select(Member).where(Member.platform_user_id == "tess"))).scalar_one()
    assert (audit.subject, audit.details) == (str(tess.id), {"trusted": True})

    await bot.screening(trusted_after=2, per_day=1)
    await bot.ok("poppy", gig("Gig zero"))
    await approve(bot, 2)
    assert "Posting limit" in await bot.ok("poppy", gig("Gig one"))  # one published: not trusted yet, at the limit
    await approve(bot, 3)
    assert "Posted gig" in await bot.ok("poppy", gig("Gig two"))  # two published: trusted, the limit is skipped

    text = await bot.ok("admin", "/gig admin trust @tess no")
    assert text.startswith("@Tess is no longer a trusted poster") and "published 2 gigs" in text
    assert "Nothing to change" in await bot.ok("admin", "/gig admin trust @tess no")
    await bot.ok("admin", "/gig admin trust @poppy yes")
    assert "but stays trusted: they have published 3 gigs, and 2 are enough" in await bot.ok(
        "admin", "/gig admin trust @poppy no")
    assert "Only admins can run `/gig admin trust`." == await bot.fails("tess", "/gig admin trust @tess")
    assert "`trusted` must be yes or no" in await bot.fails("admin", "/gig admin trust @tess perhaps")
    assert await rows(bot, AuditEntry, AuditEntry.action == "member.trust") == 4


async def test_a_trusted_posters_scam_is_held_and_a_worse_one_refused(bot: Harness) -> None:
    await bot.poster("poppy")
    text = await bot.ok("poppy", SCAM)
    assert text.startswith('Gig #1 "Easy data entry" is waiting for an admin\'s review before it goes live. Why:\n')
    assert '• Asks for bank or identity details: "send a copy of your passport".' in text.splitlines()
    assert "First gig" not in text and "Publish anyway" not in text
    async with bot.app.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "gig.hold"))).scalar_one()
    assert audit.details == {"rules": ["bank_or_id"], "holds": []}
    assert await rows(bot, Posting, Posting.kind == "gig") == 0

    text = await bot.fails("poppy", REFUSED)
    assert text.splitlines() == [
        "I didn't post this gig. Screening found:",
        '• Asks applicants to pay a deposit or a fee: "registration fee".',
        '• Moves contact to Telegram, WhatsApp or a similar app: "contact me on Telegram".',
        "Fix what is listed and post it again, or ask an admin if you think this is a mistake."]


async def test_a_refusal_stores_nothing(bot: Harness) -> None:
    await bot.poster("poppy")
    before = {model: await rows(bot, model) for model in (Gig, Posting, OutboxMessage, AuditEntry)}
    await bot.fails("poppy", REFUSED)
    assert {model: await rows(bot, model) for model in before} == before


async def test_an_admins_scam_is_held_with_publish_anyway(bot: Harness) -> None:
    reply = await bot.run("admin", REFUSED)
    assert reply.ok
    assert [(b.label, b.id, b.style) for b in reply.buttons] == [("Publish anyway", "gig:approve:1", "primary")]
    text = await bot.ok("admin", SCAM)
    assert text.startswith('Gig #2 "Easy data entry" is held: posted by anyone else, it would wait for review. Why:')
    assert "Publish it anyway with the button or /gig approve 2 (the audit log records it)." in text
    first = await bot.say("admin", "/gig show 1")
    assert "Gig #1" in first or "#1" in first
    async with bot.app.sessions() as session:
        refused = await session.get(Gig, 1)
        assert refused is not None and refused.status == HELD and refused.screening["tier"] == "refuse"
        tiers = [a.details["tier"] for a in (await session.execute(
            select(AuditEntry).where(AuditEntry.action == "gig.post").order_by(AuditEntry.id))).scalars()]
    assert tiers == ["refuse", "hold"]
    assert [m.destination for m in await bot.deliver()] == []  # nothing reposted
    text = await bot.say("admin", gig("An ordinary gig"))
    assert text.startswith('Posted gig #3 "An ordinary gig"')  # admins are never held for who they are


async def test_a_first_gig_is_held_only_once_it_is_valid_and_new(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    assert "Please fix" in await bot.fails("poppy", '/gig post title=ab budget=0')
    assert await rows(bot, Gig) == 0


async def test_the_held_reply_reads_in_french(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    bot.locales["poppy"] = "fr"
    text = await bot.ok("poppy", gig("Logo pour une boulangerie"))
    assert text.startswith("La mission #1 « Logo pour une boulangerie » attend la relecture d'un admin")
    assert "• Première mission : un admin relit la première mission de chaque nouveau publieur." in text


async def test_reasons_quoting_hostile_text_stay_safe(bot: Harness) -> None:
    await bot.poster("poppy")
    hostile = ('/gig post title="<!channel> [Upwork](https://evil.example)" budget=50 description="Pay a '
               'registration fee <@U1> first, then message me on WhatsApp <#C1> @everyone for details of the work."')
    reply = await bot.run("poppy", hostile)
    assert not reply.ok and "I didn't post this gig" in str(reply.text)
    assert_safe(reply)
    held = await bot.run("admin", hostile)
    assert held.ok and held.buttons
    assert_safe(held)


async def test_a_linked_person_is_judged_by_the_persons_gigs_and_its_identities(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    await bot.ok("poppy", gig("Gig zero"))
    await approve(bot, 1)
    await bot.ok("pia", "/gig mine")
    async with bot.app.sessions() as session:  # pia posted gig zero, then linked herself to poppy (gig link)
        poppy = (await session.execute(select(Member).where(Member.platform_user_id == "poppy"))).scalar_one()
        pia = (await session.execute(select(Member).where(Member.platform_user_id == "pia"))).scalar_one()
        await session.execute(update(Gig).where(Gig.id == 1).values(poster_id=pia.id))
        pia.linked_to_id = poppy.id
        await session.commit()
    assert "Posted gig #2" in await bot.ok("pia", gig("From the linked identity"))  # acts as poppy: not a first gig
    assert "Posted gig #3" in await bot.ok("poppy", gig("From the person"))
    async with bot.app.sessions() as session:
        posters = (await session.execute(select(Gig.poster_id).where(Gig.id > 1))).scalars().all()
    assert posters == [poppy.id, poppy.id]


async def test_closed_gigs_count_as_published(bot: Harness) -> None:
    await bot.poster("poppy", trusted=False)
    await bot.ok("poppy", gig("Gig zero"))
    await approve(bot, 1, CLOSED)
    assert "Posted gig #2" in await bot.ok("poppy", gig("Gig one"))
