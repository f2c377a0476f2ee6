"""`gig admin screening`: admins see and change how gigs are screened; every mistake writes nothing; verdicts follow."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.gigs import validate_gig
from bot.services.screening import RULE_NAMES, ScreeningSettings, Tier
from bot.services.verdicts import screen_draft
from bot.store.models import AuditEntry, Community
from tests.conftest import START, Harness

TELEGRAM_GIG = {"title": "Landing page for a bakery", "budget": "300 EUR", "tags": "html,css",
                "description": "We need a one-page site for our bakery with the menu, opening hours and a map. "
                               "Contact me on Telegram @bakery_owner to discuss the details."}
CRYPTO_GIG = {"title": "Token launch page", "budget": "400 EUR", "tags": "web",
              "description": "Build the landing page for our new crypto token with a countdown, a roadmap section "
                             "and a form to join the waiting list."}


async def stored(bot: Harness) -> dict[str, Any]:
    """The community's screening settings as stored."""
    async with bot.app.sessions() as session:
        community = (await session.execute(select(Community))).scalar_one()
        return dict(community.settings.get("screening", {}))


async def audits(bot: Harness) -> list[AuditEntry]:
    async with bot.app.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "settings.screening").order_by(AuditEntry.id)
        return list((await session.execute(query)).scalars())


async def verdict(bot: Harness, fields: dict[str, str]) -> Tier:
    """How a gig with these fields is screened on the board now, with the settings as stored."""
    async with bot.app.sessions() as session:
        community = (await session.execute(select(Community))).scalar_one()
        draft = validate_gig(fields, START.date(), "EUR")
        return (await screen_draft(session, community, draft, START)).tier


async def test_the_defaults_are_shown_with_every_rule_and_how_to_change_them(bot: Harness) -> None:
    text = await bot.ok("admin", "/gig admin screening")
    lines = text.splitlines()
    assert lines[1] == ("Tiers: from a score of 40 a gig is held for review (default); from 100 it is refused, "
                        "with the reasons shown to the poster (default).")
    for rule in RULE_NAMES:
        assert any(line.startswith(f"• {rule}: ") and line.endswith("(default)") for line in lines), rule
    assert "• off_platform: contact only through Telegram, WhatsApp or similar — on, weight 45 (default)" in lines
    assert "Community policy, blocked words (a gig that contains one is held, scam or not): none" in lines
    assert "posters not yet trusted may publish 3 gigs a day (default) and 10 a week (default)" in text
    assert "trusted after 3 approved gigs (default)" in text
    assert "once 3 different members report it (default)" in text
    assert lines[-1].startswith("Change them: /gig admin screening set hold=50")


async def test_set_confirms_before_and_after_stores_only_changes_and_audits(bot: Harness) -> None:
    text = await bot.ok("admin", "/gig admin screening set hold=50 refuse=120 off_platform=off deposit=80 "
                                 "per_day=5 per_week=20 trusted_after=2 reports=4")
    assert text.splitlines() == [
        "Screening settings changed:",
        "• hold: 40 → 50",
        "• refuse: 100 → 120",
        "• per_day: 3 → 5",
        "• per_week: 10 → 20",
        "• trusted_after: 3 → 2",
        "• reports: 3 → 4",
        "• deposit: on, weight 70 → on, weight 80",
        "• off_platform: on, weight 45 → off",
        "/gig admin screening shows them all.",
    ]
    assert await stored(bot) == {"hold_at": 50, "refuse_at": 120, "off": ["off_platform"], "weights": {"deposit": 80},
                                 "per_day": 5, "per_week": 20, "trusted_after": 2, "reports_to_hide": 4}
    settings = ScreeningSettings.of({"screening": await stored(bot)})  # what the posting gate and reports read
    assert (settings.per_day, settings.per_week, settings.trusted_after, settings.reports_to_hide) == (5, 20, 2, 4)
    [entry] = await audits(bot)
    assert entry.details["change"] == "set" and entry.details["hold"] == "40 → 50"
    assert entry.details["off_platform"] == "on, weight 45 → off"
    shown = await bot.ok("admin", "/gig admin screening")
    assert "• off_platform: contact only through Telegram, WhatsApp or similar — off (changed)" in shown
    assert "• deposit: deposit or fee asked of applicants — on, weight 80 (changed)" in shown
    assert "from a score of 50 a gig is held for review (changed)" in shown


async def test_set_without_the_word_set_default_values_and_unchanged_settings(bot: Harness) -> None:
    await bot.ok("admin", "/gig admin screening hold=60 link=off")
    assert await stored(bot) == {"hold_at": 60, "off": ["link"]}
    assert "Nothing changed" in await bot.ok("admin", "/gig admin screening set hold=60 link=off")
    assert "• link: off → on, weight 45" in await bot.ok("admin", "/gig admin screening set link=on")
    await bot.ok("admin", "/gig admin screening set link=60")
    assert "• link: on, weight 60 → on, weight 45" in await bot.ok("admin", "/gig admin screening set link=default")
    await bot.ok("admin", "/gig admin screening set hold=default mentions=70")
    await bot.ok("admin", "/gig admin screening set mentions=40")  # its default weight: no longer a change
    assert await stored(bot) == {}
    assert len(await audits(bot)) == 6  # the unchanged command wrote no entry


@pytest.mark.parametrize(("line", "message"), [
    ("set hold=0", "`hold` must be a whole number from 1 to 1000 (or default), not \"0\"."),
    ("set refuse=lots", "`refuse` must be a whole number from 1 to 1000 (or default), not \"lots\"."),
    ("set per_day=101", "`per_day` must be a whole number from 1 to 100 (or default), not \"101\"."),
    ("set trusted_after=-1", "`trusted_after` must be a whole number from 1 to 100"),
    ("set reports=0", "`reports` must be a whole number from 1 to 100"),
    ("set deposit=maybe", "`deposit` takes on, off, a weight from 1 to 500 (which also turns the rule on) or default"),
    ("set deposit=0", "`deposit` takes on, off, a weight from 1 to 500"),
    ("set hold=150", "The hold threshold (150) can't be above the refuse threshold (100)"),
    ("set hold=90 refuse=80", "The hold threshold (90) can't be above the refuse threshold (80)"),
    ("set per_day=20", "per_day (20) can't be above per_week (10)"),
    ("set hold=50 frobnicate=1", "`/gig admin screening` has no option `frobnicate=`. Options: hold, refuse, per_day"),
    ("set word=crypto", "`word=` doesn't go with set, which takes: hold=, refuse=, per_day="),
    ("block hold=50", "`hold=` doesn't go with block, which takes: word=, domain=."),
    ("reset hold=50", "reset takes no option: it puts every setting back to its default and keeps the word and"),
    ("set", "Nothing to set. Give the settings to change"),
    ("block", "Give word= or domain= (entries separated by commas)"),
    ("word=crypto", "Say what to do with word= and domain=: /gig admin screening block, allow, unblock or unallow"),
    ("block word=,,", "`word=` holds no entry. Separate entries with commas"),
    ("block word=!!!", "\"!!!\" has no letter or digit that a gig could contain."),
    ("block word=" + "a" * 61, "is too long for a word list (60 characters at most)."),
    ("allow domain=localhost", "\"localhost\" is not a domain. Write it like example.com (a link works too)."),
    ("block domain=https://", "\"https://\" is not a domain."),
    ("block word=crypto domain=nodots", "\"nodots\" is not a domain."),
    ("frobnicate", "`change` must be one of: set, block, allow, unblock, unallow, reset (not \"frobnicate\")."),
])
async def test_every_mistake_is_explained_and_writes_nothing(bot: Harness, line: str, message: str) -> None:
    await bot.ok("admin", "/gig admin screening block word=agency")
    before = await stored(bot)
    assert message in await bot.fails("admin", f"/gig admin screening {line}")
    assert await stored(bot) == before
    assert len(await audits(bot)) == 1


@pytest.mark.parametrize("line", ["set hold=²", "set hold=١٢", "set deposit=１２", "set refuse=1e3",
                                  "block domain=http://[", "block domain=//[::1", "allow word=·", "block word=\"\""])
async def test_odd_values_get_an_answer_not_an_internal_error(bot: Harness, line: str) -> None:
    text = await bot.fails("admin", f"/gig admin screening {line}")
    assert "went wrong" not in text and await stored(bot) == {}


async def test_several_bad_values_are_reported_together(bot: Harness) -> None:
    text = await bot.fails("admin", "/gig admin screening set hold=x deposit=y refuse=200")
    assert text.splitlines()[0] == "Please fix 2 fields:"
    assert "• hold: `hold` must be" in text and "• deposit: `deposit` takes" in text
    assert await stored(bot) == {}


async def test_block_allow_and_remove_words_and_domains_folded_as_the_settings_fold_them(bot: Harness) -> None:
    text = await bot.ok("admin", '/gig admin screening block word="Crypto, Agence ,NO   Code" '
                                 "domain=https://www.Evil.example/x,evil.example")
    assert text.splitlines() == ["Added to the blocked words (the community's policy): crypto, agence, no code.",
                                 "Added to the blocked domains: evil.example."]
    assert "Already on the blocked words (the community's policy): crypto." in await bot.ok(
        "admin", "/gig admin screening block word=crypto")
    assert "Added to the allowed words: whatsapp." == await bot.ok("admin", "/gig admin screening allow word=WhatsApp")
    await bot.ok("admin", "/gig admin screening allow domain=github.io")
    assert await stored(bot) == {"blocked_words": ["agence", "crypto", "no code"], "blocked_domains": ["evil.example"],
                                 "allowed_words": ["whatsapp"], "allowed_domains": ["github.io"]}
    shown = await bot.ok("admin", "/gig admin screening")
    assert "Community policy, blocked words (a gig that contains one is held, scam or not): agence, crypto, no code" \
        in shown
    assert "Allowed words (no rule counts them): whatsapp" in shown and "Blocked link domains: evil.example" in shown
    assert await bot.ok("admin", "/gig admin screening unblock word=CRYPTO,mlm") == (
        "Taken off the blocked words (the community's policy): crypto.\n"
        "Not on the blocked words (the community's policy): mlm.")
    assert "Taken off the allowed domains: github.io." == await bot.ok(
        "admin", "/gig admin screening unallow domain=github.io")
    assert (await stored(bot))["blocked_words"] == ["agence", "no code"]
    entries = await audits(bot)
    assert [entry.details["change"] for entry in entries] == ["block", "allow", "allow", "unblock", "unallow"]
    assert entries[0].details == {"change": "block", "blocked_words": ["crypto", "agence", "no code"],
                                  "blocked_domains": ["evil.example"]}
    assert "Not on the allowed words: mlm." == await bot.ok("admin", "/gig admin screening unallow word=mlm")
    assert len(await audits(bot)) == 5  # nothing taken off: nothing audited


async def test_a_word_cannot_be_blocked_and_allowed_at_once(bot: Harness) -> None:
    await bot.ok("admin", "/gig admin screening allow word=whatsapp")
    assert ('"whatsapp" is on the allowed words, so it can\'t be blocked as well. Take it off first with '
            "/gig admin screening unallow.") == await bot.fails("admin", "/gig admin screening block word=whatsapp")
    await bot.ok("admin", "/gig admin screening block domain=evil.example")
    assert "is on the blocked domains, so it can't be allowed as well" in await bot.fails(
        "admin", "/gig admin screening allow domain=www.evil.example")
    assert await stored(bot) == {"allowed_words": ["whatsapp"], "blocked_domains": ["evil.example"]}


async def test_a_list_holds_at_most_200_entries(bot: Harness) -> None:
    words = ",".join(f"word{n}" for n in range(200))
    await bot.ok("admin", f"/gig admin screening block word={words}")
    assert "A list holds at most 200 entries." in await bot.fails("admin", "/gig admin screening block word=more")
    assert "Already on" in await bot.ok("admin", "/gig admin screening block word=word7")


async def test_reset_returns_to_the_defaults_and_keeps_the_lists(bot: Harness) -> None:
    await bot.ok("admin", "/gig admin screening set hold=70 duplicate=off per_week=30")
    await bot.ok("admin", "/gig admin screening block word=crypto")
    text = await bot.ok("admin", "/gig admin screening reset")
    assert text.splitlines()[1:4] == ["• hold: 70 → 40", "• per_week: 30 → 10", "• duplicate: off → on, weight 40"]
    assert await stored(bot) == {"blocked_words": ["crypto"]}
    assert "Nothing changed" in await bot.ok("admin", "/gig admin screening reset")
    assert [entry.details["change"] for entry in await audits(bot)] == ["set", "block", "reset"]


@pytest.mark.parametrize("who", ["alice", "poppy"])
async def test_members_and_posters_are_refused(bot: Harness, who: str) -> None:
    await bot.poster("poppy")
    for line in ("/gig admin screening", "/gig admin screening set hold=50", "/gig admin screening block word=x",
                 "/gig admin screening reset"):
        assert await bot.fails(who, line) == "Only admins can run `/gig admin screening`."
    assert await stored(bot) == {}
    async with bot.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "settings.screening")) == 0


async def test_in_french(bot: Harness) -> None:
    bot.locales["admin"] = "fr"
    shown = await bot.ok("admin", "/gig admin screening")
    assert "• off_platform : contact uniquement par Telegram, WhatsApp ou équivalent — active, poids 45 (par défaut)" \
        in shown
    assert "Règles de la communauté, mots bloqués" in shown
    text = await bot.ok("admin", "/gig admin screening modifier hold=55 off_platform=off")
    assert text.splitlines()[:3] == ["Réglages du filtrage modifiés :", "• hold : 40 → 55",
                                     "• off_platform : active, poids 45 → désactivée"]
    assert "Désormais dans les mots bloqués (les règles de la communauté) : crypto." == await bot.ok(
        "admin", "/gig admin screening bloquer word=crypto")
    assert "`per_day` doit être un nombre entier de 1 à 100 (ou default), pas « x »." == await bot.fails(
        "admin", "/gig admin screening set per_day=x")
    assert "`hold=` ne va pas avec bloquer, qui prend : word=, domain=." == await bot.fails(
        "admin", "/gig admin screening block hold=3")


async def test_turning_a_rule_off_lets_a_gig_through_and_a_blocked_word_holds_one(bot: Harness) -> None:
    assert await verdict(bot, TELEGRAM_GIG) is Tier.HOLD
    assert await verdict(bot, CRYPTO_GIG) is Tier.PUBLISH
    await bot.ok("admin", "/gig admin screening set off_platform=off")
    await bot.ok("admin", "/gig admin screening block word=crypto")
    assert await verdict(bot, TELEGRAM_GIG) is Tier.PUBLISH
    assert await verdict(bot, CRYPTO_GIG) is Tier.HOLD
    await bot.ok("admin", "/gig admin screening set hold=50")  # the blocked word weighs 40: under the new threshold
    assert await verdict(bot, CRYPTO_GIG) is Tier.PUBLISH
    await bot.ok("admin", "/gig admin screening set blocked_word=50")
    assert await verdict(bot, CRYPTO_GIG) is Tier.HOLD
    await bot.ok("admin", "/gig admin screening set refuse=50")
    assert await verdict(bot, CRYPTO_GIG) is Tier.REFUSE
    await bot.ok("admin", "/gig admin screening unblock word=crypto")
    assert await verdict(bot, CRYPTO_GIG) is Tier.PUBLISH


async def test_allowed_words_and_domains_change_verdicts(bot: Harness) -> None:
    await bot.ok("admin", "/gig admin screening allow word=telegram")
    assert await verdict(bot, TELEGRAM_GIG) is Tier.PUBLISH
    linked = {**CRYPTO_GIG, "description": "Build the landing page for our new bakery with a menu, a map and "
                                           "the photos in https://bakery.example/photos for the gallery."}
    assert await verdict(bot, linked) is Tier.PUBLISH
    await bot.ok("admin", "/gig admin screening block domain=bakery.example")
    assert await verdict(bot, linked) is Tier.HOLD
