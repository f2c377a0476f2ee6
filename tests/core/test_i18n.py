"""Translation catalogs: English and French agree, every key the code uses exists, fallbacks work."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import bot
import bot.core.i18n as i18n
from bot.core.i18n import PLURAL_FORMS, Term, Translator, babel_locale, catalog, normalise_locale, placeholders
from bot.services.applications import STATUSES

BOT_DIR = Path(bot.__file__).parent
KEY_CALL = re.compile(r"""\b(?:t|label|UserError|Term|has)\(\s*["']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)["']""")


def keys_used_in_code() -> dict[str, str]:
    """Catalog keys written as string literals in bot/, with where each was found."""
    found: dict[str, str] = {}
    for path in sorted(BOT_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in KEY_CALL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(match.group(1), f"{path.relative_to(BOT_DIR.parent)}:{line}")
    return found


def test_catalogs_have_the_same_keys() -> None:
    en, fr = catalog("en"), catalog("fr")
    assert sorted(set(en) - set(fr)) == []
    assert sorted(set(fr) - set(en)) == []


def test_catalogs_have_the_same_placeholders() -> None:
    en, fr = catalog("en"), catalog("fr")
    differ = {key: (placeholders(en[key]), placeholders(fr[key])) for key in en.keys() & fr.keys()
              if placeholders(en[key]) != placeholders(fr[key])}
    assert differ == {}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_message_formats_with_its_placeholders(locale: str) -> None:
    for key, message in catalog(locale).items():
        message.format(**{name: "x" for name in placeholders(message)})  # no stray or positional braces
        assert message.strip(), f"{locale}: {key} is empty"


def test_scan_finds_keys() -> None:
    used = keys_used_in_code()
    # a sanity check on the scan itself: it sees calls of every shape it looks for
    assert {"gig.bad_budget", "errors.bad_button", "syntax.unclosed_quote", "gig.button_apply"} <= used.keys()
    assert len(used) > 50


def test_every_key_used_in_code_exists_in_english() -> None:
    t = Translator("en")
    missing = {key: where for key, where in keys_used_in_code().items() if not t.has(key)}
    assert missing == {}


def counted_keys(locale: str) -> dict[str, set[str]]:
    """The counted messages of a catalog (`key = { one = ..., other = ... }`) and the plural forms each has."""
    counted: dict[str, set[str]] = {}
    for key in catalog(locale):
        stem, _, form = key.rpartition(".")
        if form in PLURAL_FORMS:
            counted.setdefault(stem, set()).add(form)
    return counted


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_counted_message_has_the_forms_its_language_needs(locale: str) -> None:
    counted = counted_keys(locale)
    assert {"errors.fields", "close.told", "time.days", "nudge.poster_review_body"} <= counted.keys()
    needed = {babel_locale(locale).plural_form(n) for n in range(0, 200)}  # `many` only for millions in French
    lacking = {key: needed - forms for key, forms in counted.items() if not needed <= forms}
    assert lacking == {}
    messages = catalog(locale)
    without_count = [f"{key}.{form}" for key, forms in counted.items() for form in forms
                     if "count" not in placeholders(messages[f"{key}.{form}"])]
    assert without_count == []


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("en", 0, "Please fix 0 fields:"),
        ("en", 1, "Please fix 1 field:"),
        ("en", 2, "Please fix 2 fields:"),
        ("en", 12345, "Please fix 12,345 fields:"),
        ("fr", 0, "Merci de corriger 0 champ :"),  # French: 0 and 1 are singular
        ("fr", 1, "Merci de corriger 1 champ :"),
        ("fr", 2, "Merci de corriger 2 champs :"),
        ("fr", 12345, "Merci de corriger 12\u202f345 champs :"),
        ("fr", 1_000_000, "Merci de corriger 1\u202f000\u202f000 champs :"),  # CLDR `many` falls back to `other`
    ],
)
def test_counted_messages_follow_the_plural_rules_of_the_language(locale: str, count: int, expected: str) -> None:
    assert Translator(locale)("errors.fields", count=count) == expected
    assert Translator(locale).label("errors.fields", count=count) == expected


@pytest.mark.parametrize(
    ("locale", "postings", "told", "expected"),
    [
        ("en", 1, 1, "1 posting updated, 1 pending applicant told."),
        ("en", 2, 0, "2 postings updated, 0 pending applicants told."),
        ("fr", 1, 0, "1 publication mise à jour, 0 candidat en attente prévenu."),
        ("fr", 3, 2, "3 publications mises à jour, 2 candidats en attente prévenus."),
    ],
)
def test_a_message_with_two_counts_agrees_with_each(locale: str, postings: int, told: int, expected: str) -> None:
    text = Translator(locale)("close.done", id=4, title="Logo", postings=Term("close.postings", count=postings),
                              told=Term("close.told", count=told))
    assert str(text).endswith(expected)


def test_a_counted_message_without_a_count_still_reads_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.core.i18n"):
        assert Translator("en")("errors.fields", count="many") == "Please fix many fields:"
    assert "errors.fields" in caplog.text


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("en", date(2026, 12, 1), "Dec 1, 2026"),
        ("fr", date(2026, 12, 1), "1 déc. 2026"),
        ("en", datetime(2026, 12, 1, 18, 5), "Dec 1, 2026, 6:05\u202fPM"),
        ("fr", datetime(2026, 12, 1, 18, 5), "1 déc. 2026 18:05"),
        ("en", Decimal("1500.5"), "1,500.5"),
        ("fr", Decimal("1500.5"), "1\u202f500,5"),
    ],
)
def test_dates_and_numbers_follow_the_reader_s_locale(locale: str, value: object, expected: str) -> None:
    assert Translator(locale).format_value(value) == expected  # type: ignore[arg-type]


def test_ids_are_not_grouped_like_numbers() -> None:
    assert str(Translator("fr")("apply.closed", id=12345)).startswith("La mission #12345 est fermée")


def test_dynamic_key_families_exist_in_english() -> None:
    en = catalog("en")
    keys = [f"status.name.{status}" for status in STATUSES]
    keys += [f"errors.forbidden_{role}" for role in ("poster", "admin")]
    keys += [f"help.role_{role}" for role in ("member", "poster", "admin")]
    assert [key for key in keys if key not in en] == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        ("FR", "fr"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("en", "en"),
        (" fr ", "fr"),
        ("de", None),
        ("de-DE", None),
        ("", None),
        (None, None),
        ("-", None),
    ],
)
def test_normalise_locale(raw: str | None, expected: str | None) -> None:
    assert normalise_locale(raw) == expected


def test_translator_picks_the_catalog() -> None:
    assert Translator("fr-FR").locale == "fr"
    assert Translator("en_US").locale == "en"
    assert Translator("de").locale == "en"
    assert Translator(None).locale == "en"


def test_translator_fills_placeholders() -> None:
    assert Translator("en")("apply.closed", id=12) == "Gig #12 is closed and takes no more applications."
    assert "12" in Translator("fr")("apply.closed", id=12)


def test_unsupported_locale_speaks_english() -> None:
    assert Translator("de")("gig.unpaid") == catalog("en")["gig.unpaid"]


def test_missing_french_message_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogs = {"en": {"only.en": "Hello {name}", "both": "Hi"}, "fr": {"both": "Salut"}}
    monkeypatch.setattr(i18n, "catalog", lambda locale: catalogs[locale])
    t = Translator("fr")
    assert t("only.en", name="Ana") == "Hello Ana"
    assert t("both") == "Salut"
    assert t.has("only.en") and t.has("both") and not t.has("nowhere")


def test_unknown_key_gives_the_key_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.core.i18n"):
        assert Translator("fr")("no.such.key") == "no.such.key"
    assert "no.such.key" in caplog.text


def test_missing_parameter_gives_the_raw_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.core.i18n"):
        assert Translator("en")("apply.closed") == catalog("en")["apply.closed"]


def test_parameter_values_are_not_formatted_again() -> None:
    assert Translator("en")("apply.closed", id="{oops}") == "Gig #{oops} is closed and takes no more applications."


def test_term_parameters_are_translated() -> None:
    french = Translator("fr")("status.already", status=Term("status.name.hired"))
    assert "retenu" in french
    english = Translator("en")("status.already", status=Term("status.name.no_response"))
    assert english == 'Your application is already at "no answer".'


def test_plain_string_parameters_are_not_translated() -> None:
    assert "status.name.hired" in Translator("fr")("status.already", status="status.name.hired")


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_a_name_in_both_languages(status: str) -> None:
    assert Translator("en")(f"status.name.{status}") != f"status.name.{status}"
    assert Translator("fr")(f"status.name.{status}") != f"status.name.{status}"


def test_placeholders() -> None:
    assert placeholders("#{id} {title}: {status}") == {"id", "title", "status"}
    assert placeholders("no braces, {{escaped}}") == set()
    assert placeholders("") == set()
