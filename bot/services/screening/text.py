"""The text a rule reads: the gig's words folded (case, accents) with a way back to what the poster typed.

Rules match patterns on the folded text (`Dépôt` reads `depot`), clause by clause, and quote the poster's own
words back in their findings. Words on the community's allowlist are blanked out before any rule reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from bot.core.words import LETTERS, words
from bot.services.screening.model import GigText

CLAUSE = re.compile(r"[^.!?;\n]+(?:\.(?!\s|$)[^.!?;\n]*)*")  # a dot inside `bit.ly/x` or `3.5` does not end it
NEGATION = re.compile(r"\b(?:no|not|never|non|pas|jamais|aucune?|sans|without|ni)\b(?:\s+\w+){0,2}\s*$")
QUOTE_MAX = 80


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(LETTERS)


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, where it came from in the original."""
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        out.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(out), offsets


def blank(text: str, phrases: frozenset[str]) -> str:
    """Text with each phrase (a whole word or words) replaced by spaces, so offsets still hold."""
    for phrase in phrases:
        text = phrase_pattern(phrase).sub(lambda m: " " * len(m.group()), text)
    return text


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A folded phrase as a pattern of whole words, any spaces or hyphens between them: `no code` finds `no-code`."""
    between = r"[\s-]+"
    return re.compile(r"(?<!\w)" + between.join(re.escape(word) for word in phrase.split()) + r"(?!\w)")


@dataclass(frozen=True)
class Clause:
    """One sentence or clause of the folded text, with its start in the whole."""

    text: str
    start: int


class Scan:
    """A gig's title, description and poster text, folded once for every rule."""

    def __init__(self, gig: GigText, allowed_words: frozenset[str] = frozenset()) -> None:
        self.gig = gig
        self.raw = "\n".join(part for part in (gig.title, gig.description, gig.poster_text) if part)
        folded, self._offsets = folded_with_offsets(self.raw)
        self.text = blank(folded, allowed_words)

    @cached_property
    def clauses(self) -> tuple[Clause, ...]:
        """The sentences and clauses of the text (split at `.`, `!`, `?`, `;` and line ends)."""
        return tuple(Clause(m.group(), m.start()) for m in CLAUSE.finditer(self.text) if m.group().strip())

    @cached_property
    def description_words(self) -> list[str]:
        """The description's words (with the poster's text), folded."""
        return words(" ".join((self.gig.description, self.gig.poster_text)))

    def search(self, pattern: re.Pattern[str], skip: re.Pattern[str] | None = None,
               negatable: bool = False) -> Iterator[tuple[Clause, re.Match[str]]]:
        """Each match of pattern within one clause; a clause that matches `skip` is passed over.

        `negatable`: a match right after `no`, `not`, `pas`, `sans`... does not count ("not an unpaid test").
        """
        for clause in self.clauses:
            if skip is not None and skip.search(clause.text):
                continue
            for match in pattern.finditer(clause.text):
                if negatable and NEGATION.search(clause.text[:match.start()]):
                    continue
                yield clause, match

    def first(self, pattern: re.Pattern[str], skip: re.Pattern[str] | None = None,
              negatable: bool = False) -> str | None:
        """The poster's words for the first match of pattern, or None."""
        for clause, match in self.search(pattern, skip, negatable):
            return self.quote(clause.start + match.start(), clause.start + match.end())
        return None

    def quote(self, start: int, end: int) -> str:
        """The original text behind folded text[start:end], at most QUOTE_MAX characters."""
        begin = self._offsets[start]
        finish = self._offsets[end - 1] + 1 if end > start else begin
        quoted = " ".join(self.raw[begin:finish].split())
        return quoted if len(quoted) <= QUOTE_MAX else quoted[:QUOTE_MAX - 1].rstrip() + "…"


def pattern(*alternatives: str) -> re.Pattern[str]:
    """One regular expression from alternatives written for the folded text (lower case, no accents)."""
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))
