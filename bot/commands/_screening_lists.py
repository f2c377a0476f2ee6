"""The community's screening word and domain lists as admins change them: entries read, folded and checked.

Entries are folded exactly as `ScreeningSettings` folds what it stores (words: case, accents and spacing; domains:
case and a leading `www.`), so "Crypto" and "crypto" are one entry and a reply names the entry as it is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from bot.core.errors import FieldErrors, UserError
from bot.core.i18n import Term
from bot.services.screening import ScreeningSettings
from bot.services.screening.settings import _domains, _folded

LISTS = {"block": ("blocked", True), "allow": ("allowed", True), "unblock": ("blocked", False),
         "unallow": ("allowed", False)}  # action: (which side, whether it adds)
KINDS = {"word": "words", "domain": "domains"}  # the option: the list it changes on each side
MOST_ENTRIES = 200  # a list longer than this is a mistake, and every gig would be read against it
LONGEST_WORD = 60
WORDISH = re.compile(r"[^\W_]")
DOMAIN = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+")


@dataclass(frozen=True)
class ListChange:
    """What one list action did to one list: `done` entries added or removed, `already` there or not there."""

    field: str  # `blocked_words`, `allowed_domains`, …
    done: tuple[str, ...]
    already: tuple[str, ...]


def read_word(raw: str) -> str:
    """One word or phrase, folded as the settings keep it."""
    [word] = _folded([raw]) or [""]
    if not WORDISH.search(word):
        raise UserError("screening.admin.bad_word", value=raw)
    if len(word) > LONGEST_WORD:
        raise UserError("screening.admin.long_word", value=raw, most=LONGEST_WORD)
    return word


def read_domain(raw: str) -> str:
    """One domain, or the domain of a link (`https://www.example.com/x` is `example.com`), folded."""
    text = raw.strip()
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    except ValueError:  # `http://[`: not a link at all
        host = ""
    [domain] = _domains([host]) or [""]
    if not DOMAIN.fullmatch(domain):
        raise UserError("screening.admin.bad_domain", value=raw)
    return domain


def entries(kind: str, raw: str) -> list[str]:
    """The comma-separated entries of one option, each read once, in the order typed."""
    read = read_word if kind == "word" else read_domain
    out: list[str] = []
    for item in raw.split(","):
        if item.strip() and (entry := read(item)) not in out:
            out.append(entry)
    if not out:
        raise UserError("screening.admin.no_entries", name=kind)
    return out


def change_list(settings: ScreeningSettings, action: str, raw: dict[str, str]) -> tuple[ScreeningSettings,
                                                                                           list[ListChange]]:
    """The settings with `word=` and `domain=` entries added to or removed from one side's lists."""
    side, adds = LISTS[action]
    other = "allowed" if side == "blocked" else "blocked"
    values: dict[str, Any] = {}
    changes: list[ListChange] = []
    errors: dict[str, UserError] = {}
    for kind, text in raw.items():
        field, opposite = f"{side}_{KINDS[kind]}", f"{other}_{KINDS[kind]}"
        current: frozenset[str] = getattr(settings, field)
        try:
            given = entries(kind, text)
            if adds:
                clash = [entry for entry in given if entry in getattr(settings, opposite)]
                if clash:
                    raise UserError(f"screening.admin.on_{other}", value=", ".join(clash),
                                    list=Term(f"screening.admin.list_{opposite}"))
                done = [entry for entry in given if entry not in current]
                if len(current) + len(done) > MOST_ENTRIES:
                    raise UserError("screening.admin.too_many", most=MOST_ENTRIES)
                values[field] = current | set(done)
            else:
                done = [entry for entry in given if entry in current]
                values[field] = current - set(done)
        except UserError as error:
            errors[kind] = error
            continue
        changes.append(ListChange(field, tuple(done), tuple(entry for entry in given if entry not in done)))
    if errors:
        raise FieldErrors(errors)
    return replace(settings, **values), changes
