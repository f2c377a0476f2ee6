"""Tags: lower-case, trimmed, deduplicated, with common aliases folded (js -> javascript)."""

from __future__ import annotations

import re

from bot.core.errors import UserError

MAX_TAGS = 10
TAG = re.compile(r"^[a-z0-9][a-z0-9.+#-]{0,31}$")
ALIASES = {
    "js": "javascript", "ecmascript": "javascript", "ts": "typescript", "py": "python", "python3": "python",
    "wp": "wordpress", "reactjs": "react", "react.js": "react", "vuejs": "vue", "vue.js": "vue",
    "node": "node.js", "nodejs": "node.js", "golang": "go", "k8s": "kubernetes", "postgres": "postgresql",
    "psql": "postgresql", "pg": "postgresql", "c#": "csharp", "c++": "cpp", "rb": "ruby", "ror": "rails",
    "ruby-on-rails": "rails", "nextjs": "next.js", "next": "next.js", "ml": "machine-learning",
    "ai": "artificial-intelligence", "ux": "ux-design", "ui": "ui-design", "aws-lambda": "aws",
    "tailwindcss": "tailwind", "django-rest-framework": "django", "drf": "django", "mongo": "mongodb",
}


def normalise_tag(raw: str) -> str:
    """One tag in its canonical form, e.g. ` #JS ` -> `javascript`."""
    tag = re.sub(r"\s+", "-", raw.strip().lstrip("#").strip().lower())
    return ALIASES.get(tag, tag)


def alias_group(word: str) -> set[str]:
    """A word with every name of the same tag: `golang` -> `go`, `golang`; a word that is no alias stays alone."""
    canonical = ALIASES.get(word, word)
    return {canonical, word} | {alias for alias, tag in ALIASES.items() if tag == canonical}


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tags, normalised and deduplicated in order; a bad tag is a user error."""
    tags: list[str] = []
    for part in raw.split(","):
        if not part.strip():
            continue
        tag = normalise_tag(part)
        if not TAG.fullmatch(tag):
            raise UserError("gig.bad_tag", tag=part.strip())
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise UserError("gig.too_many_tags", max=MAX_TAGS)
    return tags
