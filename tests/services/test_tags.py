"""Tags: normalised, aliases folded, deduplicated in order, bounded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.services.tags import ALIASES, MAX_TAGS, TAG, normalise_tag, parse_tags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Python", "python"),
        ("  PYTHON  ", "python"),
        ("#python", "python"),
        ("# python", "python"),
        ("machine learning", "machine-learning"),
        ("Machine   Learning", "machine-learning"),
        ("js", "javascript"),
        ("#JS", "javascript"),
        ("ts", "typescript"),
        ("node", "node.js"),
        ("NodeJS", "node.js"),
        ("golang", "go"),
        ("c#", "csharp"),
        ("c++", "cpp"),
        ("ruby on rails", "rails"),
    ],
)
def test_normalise_tag(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


def test_aliases_point_to_valid_canonical_tags() -> None:
    for alias, canonical in ALIASES.items():
        assert TAG.match(canonical), canonical
        assert canonical not in ALIASES, f"{alias} -> {canonical} is itself an alias"


def test_parse_tags_normalises_each_part() -> None:
    assert parse_tags("Python, #JS, ts,node , golang") == ["python", "javascript", "typescript", "node.js", "go"]


def test_duplicates_are_dropped_keeping_the_first_position() -> None:
    assert parse_tags("react, python, React, js, javascript, #python") == ["react", "python", "javascript"]


def test_empty_parts_are_ignored() -> None:
    assert parse_tags(",, python,, ,") == ["python"]
    assert parse_tags("") == []
    assert parse_tags(" , ") == []


@pytest.mark.parametrize("raw", ["bad tag!", "python, <script>", "-js", ".net", "#", "x" * 33, "café", "a/b"])
def test_bad_tag(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_tags(raw)
    assert caught.value.key == "gig.bad_tag"


def test_bad_tag_names_the_part_as_written() -> None:
    with pytest.raises(UserError) as caught:
        parse_tags("python,  Bad Tag! ")
    assert caught.value.params == {"tag": "Bad Tag!"}


def test_longest_tag_is_accepted() -> None:
    assert parse_tags("x" * 32) == ["x" * 32]


def test_max_tags() -> None:
    tags = [f"tag{i}" for i in range(MAX_TAGS)]
    assert parse_tags(",".join(tags)) == tags


def test_too_many_tags() -> None:
    with pytest.raises(UserError) as caught:
        parse_tags(",".join(f"tag{i}" for i in range(MAX_TAGS + 1)))
    assert caught.value.key == "gig.too_many_tags"
    assert caught.value.params == {"max": MAX_TAGS}


def test_duplicates_do_not_count_towards_the_limit() -> None:
    assert parse_tags(",".join(["js", "javascript", "JS"] * MAX_TAGS)) == ["javascript"]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from([*ALIASES, "Python", " #Go ", "x y", "", "!"])).map(",".join)))
def test_any_text_gives_valid_distinct_tags_or_a_user_error(raw: str) -> None:
    try:
        tags = parse_tags(raw)
    except UserError as error:
        assert error.key in ("gig.bad_tag", "gig.too_many_tags")
        return
    assert len(tags) <= MAX_TAGS
    assert len(set(tags)) == len(tags)
    assert all(TAG.fullmatch(tag) for tag in tags)
    assert parse_tags(",".join(tags)) == tags  # canonical tags are a fixed point
