"""Translation catalogs: every user-facing string comes from bot/locales/<lang>.toml."""

from __future__ import annotations

import logging
import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from bot.core.text import REFERENCES, Part, Rich, Text, UserText

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "fr")


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
        return Rich.of(*items)

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
