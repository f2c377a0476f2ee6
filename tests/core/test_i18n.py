"""Translation catalogs: English and French agree, every key the code uses exists, fallbacks work."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

import bot
import bot.core.i18n as i18n
from bot.core.i18n import Term, Translator, catalog, normalise_locale, placeholders
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
    en = catalog("en")
    missing = {key: where for key, where in keys_used_in_code().items() if key not in en}
    assert missing == {}


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
