"""The screening corpus: every scam held or refused, no legitimate gig refused, at most 1 in 10 held."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.screening import goals, load, run
from bot.core.i18n import Translator, catalog, placeholders
from bot.services.screening import RULES, Tier

RESULTS = run(load())


def test_the_corpus_is_large_and_covers_both_languages_and_every_kind() -> None:
    samples = [sample for sample, _ in RESULTS]
    assert len(samples) >= 70
    assert len({sample.id for sample in samples}) == len(samples)
    assert Counter((s.label, s.lang) for s in samples).keys() == {("legit", "en"), ("legit", "fr"), ("scam", "en"),
                                                                 ("scam", "fr")}
    kinds = {sample.kind for sample in samples if sample.label == "scam"}
    assert kinds >= {"deposit", "off_platform", "payment_method", "bank_or_id", "unpaid_test", "pay_above",
                     "income_pressure", "link", "blocked_domain", "mentions", "duplicate"}
    per_kind = Counter(sample.kind for sample in samples if sample.label == "scam")
    assert min(per_kind.values()) >= 2


def test_every_scam_is_held_or_refused() -> None:
    published = [sample.id for sample, result in RESULTS if sample.label == "scam" and result.tier is Tier.PUBLISH]
    assert published == []


def test_no_legitimate_gig_is_refused_and_at_most_one_in_ten_is_held() -> None:
    measured = goals(RESULTS)
    assert measured["legit_refused"] == 0
    assert measured["legit_held"] * 10 <= measured["legit"]


def test_each_scam_is_caught_by_the_rule_of_its_kind() -> None:
    missed = [sample.id for sample, result in RESULTS
              if sample.label == "scam" and sample.kind not in result.rules]
    assert missed == []


def test_the_hard_cases_are_published() -> None:
    tiers = {sample.id: result.tier for sample, result in RESULTS}
    hard = ["telegram-bot", "bot-telegram-fr", "crypto-dashboard", "tableau-crypto-fr", "client-deposit",
            "paid-test-task", "test-remunere-fr", "agency-freelancer", "gift-card-plugin", "paiement-bitcoin-boutique",
            "invoice-iban", "facture-rib-fr", "whatsapp-api", "short-css", "court-traduction", "upwork-link"]
    assert {gig: tiers[gig] for gig in hard if tiers[gig] is not Tier.PUBLISH} == {}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_finding_reads_in_both_languages_with_the_words_that_caused_it(locale: str) -> None:
    t = Translator(locale)
    messages = catalog(locale)
    for sample, result in RESULTS:
        for finding in result.findings:
            message = messages.get(finding.reason_key) or messages[f"{finding.reason_key}.other"]
            assert placeholders(message) <= finding.params.keys(), (sample.id, finding)
            text = t(finding.reason_key, **finding.params)
            assert finding.reason_key not in str(text)
            if "found" in finding.params:
                assert finding.params["found"] in text.user_parts


def test_every_rule_has_a_label_and_its_reasons_in_both_catalogs() -> None:
    for locale in ("en", "fr"):
        messages = catalog(locale)
        for rule in RULES:
            assert f"screening.rule.{rule.name}" in messages
            for reason in rule.reasons:
                assert reason in messages or f"{reason}.other" in messages, (locale, reason)
        assert {f"screening.tier.{tier.value}" for tier in Tier} <= messages.keys()
