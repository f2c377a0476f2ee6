"""Search words: text folded (case, accents) and cut into words, the same way for gigs and for what members type.

A gig's search document is its folded words, space-separated with a space at each end, so one word is the pattern
`% word %` (PostgreSQL: LIKE over a trigram index) or one FTS5 token (SQLite). Both databases therefore match the
same words, because the folding happens here and not in each database's own rules.

A word is a run of letters and digits, which may hold `.`, `-`, `_`, `'`, `+` or `#` between them and end with
`+` or `#`: `node.js`, `c++`, `c#`, `l'équipe`. A document holds such a word and each of its plain parts, so
`node` and `js` find "Node.js" while `go` does not find "Django".
"""

from __future__ import annotations

import re
import unicodedata

JOINERS = "._'+#-"  # characters a word may hold between its letters: FTS5's `tokenchars` (migration 0008)
WORD = re.compile(r"[^\W_]+(?:[._'+#-]+[^\W_]+)*[+#]*")
PART = re.compile(r"[^\W_]+")
LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
                         "\u2019": "'", "\u02bc": "'"})  # what NFKD leaves whole, and the typographic apostrophe


def fold(text: str) -> str:
    """Text without case or accents: `Café Œuvre` -> `cafe oeuvre`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(LETTERS)


def words(text: str) -> list[str]:
    """The words of a text, folded, in order: `Fix my Node.js API!` -> `fix`, `my`, `node.js`, `api`."""
    return WORD.findall(fold(text))


def document(*texts: str) -> str:
    """The search document of some texts: each word and its parts once, e.g. ` fix node.js node js `."""
    found: dict[str, None] = {}
    for word in words(" ".join(texts)):
        found[word] = None
        if not word.isalnum():
            found.update(dict.fromkeys(PART.findall(word)))
    return f" {' '.join(found)} " if found else ""
