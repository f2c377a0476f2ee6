"""A community's screening settings change the outcome: thresholds, rules off, weights, word and domain lists."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator
from bot.services.screening import GigText, ScreeningSettings, Tier, screen

TELEGRAM = GigText("Chat moderator", "Moderate chats for a growing online community, flexible hours, weekly pay. "
                   "Contact our HR manager on Telegram @hr_lisa to get started.")
DEPOSIT_AND_TELEGRAM = GigText("Reshipping coordinator", "Receive parcels at home and reship them abroad. A $60 "
                               "security deposit is required before you can start. Contact Daniel on Telegram @dan_hr.")
CRYPTO_GIG = GigText("Crypto price dashboard", "Build a dashboard that shows BTC and ETH prices from the CoinGecko "
                     "API with charts and a watchlist, paid by bank transfer on delivery.", ("react", "crypto"))


def test_the_defaults_hold_one_signal_and_refuse_two_strong_ones() -> None:
    assert screen(TELEGRAM).tier is Tier.HOLD
    result = screen(DEPOSIT_AND_TELEGRAM)
    assert result.tier is Tier.REFUSE and result.score == 115 and result.rules == ("deposit", "off_platform")


def test_thresholds_move_the_tiers() -> None:
    assert screen(TELEGRAM, settings=ScreeningSettings(hold_at=50)).tier is Tier.PUBLISH
    assert screen(TELEGRAM, settings=ScreeningSettings(hold_at=30, refuse_at=45)).tier is Tier.REFUSE
    assert screen(DEPOSIT_AND_TELEGRAM, settings=ScreeningSettings(refuse_at=200)).tier is Tier.HOLD


def test_a_rule_turned_off_or_reweighed() -> None:
    off = screen(TELEGRAM, settings=ScreeningSettings(off=frozenset({"off_platform"})))
    assert off.tier is Tier.PUBLISH and off.findings == ()
    heavier = screen(TELEGRAM, settings=ScreeningSettings(weights={"off_platform": 120}))
    assert heavier.tier is Tier.REFUSE and heavier.score == 120


def test_an_allowed_word_is_not_counted() -> None:
    allowed = screen(TELEGRAM, settings=ScreeningSettings(allowed_words=frozenset({"Telegram"})))
    assert allowed.tier is Tier.PUBLISH


def test_a_blocked_word_is_a_community_policy_with_its_own_reason() -> None:
    assert screen(CRYPTO_GIG).tier is Tier.PUBLISH
    policy = ScreeningSettings(blocked_words=frozenset({"Crypto", "agence", "no code"}))
    result = screen(CRYPTO_GIG, settings=policy)
    assert result.tier is Tier.HOLD
    assert [(f.reason_key, f.params) for f in result.findings] == [("screening.blocked_word", {"word": "crypto"})]
    assert str(Translator("fr")(result.findings[0].reason_key, **result.findings[0].params)) == \
        "Contient « crypto », que cette communauté n'accepte pas dans les missions."
    agency = GigText("Renfort front", "Notre Agence web cherche un freelance pour un site no-code sur Webflow, deux "
                     "semaines, à distance, avec un point chaque semaine.")
    assert {f.params["word"] for f in screen(agency, settings=policy).findings} == {"agence", "no code"}


def test_blocked_and_allowed_domains() -> None:
    gig = GigText("Typing job", "Type short texts from scanned images, paid per page, whenever you want. Register "
                  "on our job board to receive your first pages.", apply_url="https://apply.quickcash-jobs.xyz/r?x=1")
    assert screen(gig).tier is Tier.PUBLISH
    blocked = screen(gig, settings=ScreeningSettings(blocked_domains=frozenset({"www.QuickCash-Jobs.xyz"})))
    assert blocked.tier is Tier.HOLD
    assert [(f.reason_key, f.params) for f in blocked.findings] == [
        ("screening.blocked_domain", {"domain": "quickcash-jobs.xyz"})]
    both = ScreeningSettings(blocked_domains=frozenset({"quickcash-jobs.xyz"}),
                             allowed_domains=frozenset({"apply.quickcash-jobs.xyz"}))
    assert screen(gig, settings=both).tier is Tier.PUBLISH


def test_an_allowed_domain_is_never_shortened_nor_look_alike() -> None:
    gig = GigText("Web tester", "Check websites for broken links and layout bugs and log them, ten hours a week. "
                  "Apply at https://bit.ly/our-form or on https://upwork-partner.com/jobs/1")
    assert {f.reason_key for f in screen(gig).findings} == {"screening.shortened_link", "screening.lookalike_link"}
    allowed = ScreeningSettings(allowed_domains=frozenset({"bit.ly", "upwork-partner.com"}))
    assert screen(gig, settings=allowed).findings == ()


def test_settings_are_read_from_and_stored_in_community_settings() -> None:
    stored = {"screening": {"hold_at": 50, "off": ["too_short"], "weights": {"link": 60},
                            "blocked_words": ["crypto"], "allowed_domains": ["bit.ly"], "pay_ratio": 4}}
    settings = ScreeningSettings.of(stored)
    assert settings.hold_at == 50 and settings.refuse_at == 100 and settings.pay_ratio == 4.0
    assert settings.off == {"too_short"} and settings.weight("link", 45) == 60 and settings.weight("deposit", 70) == 70
    assert settings.stored() == {"hold_at": 50, "off": ["too_short"], "weights": {"link": 60},
                                 "blocked_words": ["crypto"], "allowed_domains": ["bit.ly"], "pay_ratio": 4.0}
    assert ScreeningSettings.of({"screening": settings.stored()}) == settings
    assert ScreeningSettings.of({}) == ScreeningSettings() and ScreeningSettings().stored() == {}


@pytest.mark.parametrize(("hold", "refuse"), [(0, 100), (60, 50), (-5, 10)])
def test_thresholds_must_be_in_order(hold: int, refuse: int) -> None:
    with pytest.raises(ValueError, match="hold_at"):
        ScreeningSettings(hold_at=hold, refuse_at=refuse)


def test_findings_quote_the_posters_own_words_and_the_result_is_frozen() -> None:
    gig = GigText("Saisie", "Des FRAIS D'INSCRIPTION de 35 € sont demandés pour ouvrir votre compte, remboursés "
                  "sur votre premier salaire à la fin du mois.")
    result = screen(gig)
    assert [dict(f.params) for f in result.findings] == [{"found": "FRAIS D'INSCRIPTION"}]
    with pytest.raises(AttributeError):
        result.tier = Tier.PUBLISH  # type: ignore[misc]
