"""French (and any other catalog) names and descriptions for the app commands, through discord.py's translator."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, catalog, normalise_locale


def text(default: str, key: str) -> app_commands.locale_str:
    """A translatable string: `default` in English, `key` in the catalogs for other languages."""
    return app_commands.locale_str(default, key=key)


def shown_name(word: str, locale: str | None) -> str:
    """A command's word as a Discord client in that language shows it (`apply` is `candidater` in French)."""
    language = normalise_locale(locale)
    if language is None or language == DEFAULT_LOCALE:
        return word
    names = catalog(language)
    return names.get("discord.names." + word) or names.get("discord.names." + word.replace("-", "_"), word)


class CatalogTranslator(app_commands.Translator):
    """Looks locale_str keys up in bot/locales; English is the default text, so only other languages answer."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: Any) -> str | None:
        """The catalog's text for this locale, or None to keep the default."""
        language = normalise_locale(str(locale))
        key = string.extras.get("key")
        if language is None or language == DEFAULT_LOCALE or key is None or language not in SUPPORTED_LOCALES:
            return None
        return catalog(language).get(key)
