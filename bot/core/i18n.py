"""Translation catalogs: every user-facing string comes from bot/locales/<lang>.toml."""

from __future__ import annotations

import logging
import re
import string
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from bot.core.registry import registry
from bot.core.text import REFERENCES, CommandRef, Part, Rich, Text, UserText

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "fr")
COMMAND = re.compile(r"(?<![\w/-])/gig(?![\w-])((?: [a-z][a-z_]*\b(?![=-])){0,3})")  # `/gig route add` in bot text


@cache
def catalog(locale: str) -> dict[str, str]:
    """Return the flat key -> message mapping for one locale."""
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


def normalise_locale(value: str | None) -> str | None:
    """Map a platform locale (`fr-FR`, `en_US`, `FR`) to a supported catalog, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in SUPPORTED_LOCALES else None


def placeholders(message: str) -> set[str]:
    """Return the names a message expects, e.g. {'id', 'title'}."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


class Term(str):
    """A parameter that is itself a catalog key, translated when the message is built (e.g. a status name)."""


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
        """Whether the catalogs hold key."""
        return key in self._own or key in self._fallback

    def __call__(self, key: str, /, **params: Any) -> Rich:
        """The message for key as rich text, its placeholders filled with parts."""
        message = self._own.get(key) or self._fallback.get(key)
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
                    value = self(value)
                if isinstance(value, str):  # a plain string filled in is user text, never markup
                    items.append(value if type(value) is UserText else UserText(value))
                elif isinstance(value, (Rich, *REFERENCES)):
                    items.append(value)
                else:  # numbers, dates: bot text
                    items.append(format(repr(value) if conversion == "r" else value, spec or ""))
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
        message = self._own.get(key) or self._fallback.get(key)
        if message is None:
            log.error("missing catalog key %s", key)
            return key
        params = {name: self.label(value) if isinstance(value, Term) else value for name, value in params.items()}
        try:
            return message.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalog key %s", key)
            return message
