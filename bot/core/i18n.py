"""Translation catalogs: every user-facing string comes from bot/locales/<lang>.toml."""

from __future__ import annotations

import logging
import re
import string
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from bot.core.registry import registry
from bot.core.text import REFERENCES, CommandRef, Part, Rich, Text, UserText

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "fr")
# `/gig route add`, `/gig my-data` in bot text
COMMAND = re.compile(r"(?<![\w/-])/gig(?![\w-])((?: [a-z][a-z_]*(?:-[a-z]+)*\b(?![=-])){0,3})")
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")  # CLDR plural categories


@cache
def catalog(locale: str) -> dict[str, str]:
    """Return the flat key -> message mapping for one locale.

    A counted message is a table of CLDR plural forms, `key = { one = "...", other = "..." }`: it flattens to
    `key.one` and `key.other`, and the Translator picks one by its `count` parameter.
    """
    text = resources.files("bot.locales").joinpath(f"{locale}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def babel_locale(locale: str) -> Locale:
    """The Babel locale of a catalog: its plural rules and its ways of writing numbers, dates and money."""
    return Locale.parse(locale)


def normalise_locale(value: str | None) -> str | None:
    """Map a platform locale (`fr-FR`, `en_US`, `FR`) to a supported catalog, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in SUPPORTED_LOCALES else None


def placeholders(message: str) -> set[str]:
    """Return the names a message expects, e.g. {'id', 'title'}."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def fold(word: str) -> str:
    """A word as typed, compared without case, accents or separators: `Embauchée` -> `embauchee`, `followed up`."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_-]+", "_", plain.strip())


@cache
def choice_words(param: str, value: str) -> frozenset[str]:
    """Every word that means this choice in any catalog (`choice.<param>.<value>`: its name and other words)."""
    words = {fold(value)}
    for locale in SUPPORTED_LOCALES:
        messages = catalog(locale)
        for key in (f"choice.{param}.{value}.name", f"choice.{param}.{value}.words"):
            words.update(fold(word) for word in messages.get(key, "").split(",") if word.strip())
    return frozenset(words)


@dataclass(frozen=True)
class Choices:
    """A parameter's choices as a message parameter: their names in the reader's language (`entretien, embauché`)."""

    param: str
    values: tuple[str, ...]


class Term(str):
    """A parameter that is itself a catalog key, translated when the message is built (e.g. a status name).

    It may carry its own parameters: `Term("close.postings", count=3)` is a counted phrase inside a message.
    """

    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> Term:  # noqa: D102
        term = super().__new__(cls, key)
        term.params = params
        return term


Template = tuple[tuple[str, str | None, str | None, str | None], ...]


@cache
def _template(message: str) -> Template:
    """A message split once into literal text and its placeholders."""
    return tuple(string.Formatter().parse(message))


class Translator:
    """Looks messages up in one locale, falling back to English, then to the key itself.

    Catalog text is trusted bot text; a placeholder filled with a plain string becomes user text (safe by default:
    forgetting to mark a user's text cannot make it markup), with a Rich or a reference it keeps their parts.
    Commands the bot text names (`/gig route add`) become `CommandRef` parts, so each platform spells them its way.
    """

    def __init__(self, locale: str | None) -> None:
        self.locale = normalise_locale(locale) or DEFAULT_LOCALE
        self._own = catalog(self.locale)
        self._fallback = catalog(DEFAULT_LOCALE)

    def has(self, key: str) -> bool:
        """Whether the catalogs hold key (a plain or a counted message)."""
        return any(name in self._own or name in self._fallback for name in (key, f"{key}.other"))

    def _message(self, key: str, params: dict[str, Any]) -> str | None:
        """The message for key; for a counted one, the plural form CLDR gives for `count` in this locale."""
        message = self._own.get(key) or self._fallback.get(key)
        if message is not None or not self.has(key):
            return message
        count = params.get("count")
        if not isinstance(count, (int, Decimal)) or isinstance(count, bool):
            log.error("counted catalog key %s needs a number as count, not %r", key, count)
            count = 0
        form = babel_locale(self.locale).plural_form(abs(Decimal(count)))
        return (self._own.get(f"{key}.{form}") or self._own.get(f"{key}.other") or self._fallback.get(f"{key}.{form}")
                or self._fallback.get(f"{key}.other"))

    def format_value(self, value: date | int | Decimal | float) -> str:
        """A date, time or number as the reader's locale writes it (`Dec 1, 2026, 10:00 AM`, `1 déc. 2026, 10:00`)."""
        if isinstance(value, datetime):
            pattern = babel_locale(self.locale).datetime_formats["short"]
            return str(pattern).format(format_time(value, "short", locale=self.locale),
                                       format_date(value, "medium", locale=self.locale))
        if isinstance(value, date):
            return format_date(value, "medium", locale=self.locale)
        return format_decimal(value, locale=self.locale)

    def choice(self, param: str, value: str) -> str:
        """The name of one choice of a parameter in this language (`entretien` for `interviewing`)."""
        key = f"choice.{param}.{value}.name"
        return self.label(key) if self.has(key) else value

    def _value(self, name: str, value: Any, spec: str | None, conversion: str | None) -> str:
        """Bot text for a number or a date: counts, amounts and dates in the reader's locale; ids and codes as is."""
        if isinstance(value, Choices):
            return ", ".join(self.choice(value.param, choice) for choice in value.values)
        if not spec and not conversion and (isinstance(value, (date, Decimal, float)) or (
                name == "count" and isinstance(value, int) and not isinstance(value, bool))):
            return self.format_value(value)
        return format(repr(value) if conversion == "r" else value, spec or "")

    def __call__(self, key: str, /, **params: Any) -> Rich:
        """The message for key as rich text, its placeholders filled with parts."""
        message = self._message(key, params)
        if message is None:
            log.error("missing catalog key %s", key)
            return Rich((key,))
        items: list[Text | Part] = []
        try:
            for literal, name, spec, conversion in _template(message):
                items.append(literal)
                if name is None:
                    continue
                value = params[name]
                if isinstance(value, Term):
                    value = self(value, **value.params)
                if isinstance(value, str):  # a plain string filled in is user text, never markup
                    items.append(value if type(value) is UserText else UserText(value))
                elif isinstance(value, (Rich, *REFERENCES)):
                    items.append(value)
                else:  # numbers, dates: bot text
                    items.append(self._value(name, value, spec, conversion))
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalog key %s", key)
            return Rich((message,))
        return self.commands(Rich.of(*items))

    def commands(self, text: Rich) -> Rich:
        """Text whose `/gig …` spans of bot text are command references, every reference in this language."""
        parts: list[Part] = []
        for part in text:
            if type(part) is str and "/gig" in part:
                parts += self._references(part)
            elif isinstance(part, CommandRef) and not part.locale:
                parts.append(replace(part, locale=self.locale))
            else:
                parts.append(part)
        return Rich(parts)

    def _references(self, text: str) -> list[Part]:
        parts: list[Part] = []
        done = 0
        for match in COMMAND.finditer(text):
            found = registry.reference(match.group(1).split())
            if found is None:
                continue
            ref, count = found
            end = match.start() + len("/gig " + ref.name)
            parts += [text[done:match.start()], replace(ref, locale=self.locale)]
            done = end
        parts.append(text[done:])
        return [part for part in parts if part != ""]

    def label(self, key: str, /, **params: Any) -> str:
        """The message as plain text, for places no platform parses (button labels, form titles and inputs)."""
        message = self._message(key, params)
        if message is None:
            log.error("missing catalog key %s", key)
            return key
        params = {name: self.label(value, **value.params) if isinstance(value, Term)
                  else self._value(name, value, None, None) if not isinstance(value, str) else value
                  for name, value in params.items()}
        try:
            return message.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalog key %s", key)
            return message
