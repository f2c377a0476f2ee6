"""Translation catalogs: every user-facing string comes from bot/locales/<lang>.toml."""

from __future__ import annotations

import logging
import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

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


class Translator:
    """Looks messages up in one locale, falling back to English, then to the key itself."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalise_locale(locale) or DEFAULT_LOCALE

    def has(self, key: str) -> bool:
        """Whether the catalogs hold key."""
        return key in catalog(self.locale) or key in catalog(DEFAULT_LOCALE)

    def __call__(self, key: str, /, **params: Any) -> str:
        """Return the message for key with params filled in."""
        message = catalog(self.locale).get(key) or catalog(DEFAULT_LOCALE).get(key)
        if message is None:
            log.error("missing catalog key %s", key)
            return key
        params = {name: self(value) if isinstance(value, Term) else value for name, value in params.items()}
        try:
            return message.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalog key %s", key)
            return message
