"""Rich text: parts keep what a user typed apart from bot text, through translation and JSON."""

from __future__ import annotations

from bot.core.i18n import Term, Translator
from bot.core.text import (
    ChannelRef,
    CommandRef,
    Link,
    MemberRef,
    Rich,
    UserText,
    from_json,
    plain,
    strip_bidi,
    to_json,
    user,
)


def test_rich_joins_and_adds_keep_parts_and_merge_bot_text() -> None:
    text = Rich.of("a", "b", UserText("<!here>"), "c") + "d"
    assert tuple(text) == ("ab", "<!here>", "cd") and type(text[1]) is UserText
    assert isinstance("x" + text, Rich) and ("x" + text)[0] == "xab"
    joined = Rich.join("\n", [Rich.of("one"), user("two"), "three"])
    assert str(joined) == "one\ntwo\nthree" and joined.user_parts == ["two"]
    assert Rich.join(", ", []) == Rich() and not Rich()


def test_rich_compares_with_strings_as_its_plain_text() -> None:
    text = Rich.of("Hi ", MemberRef("slack", "U1", "Ann"), " in ", ChannelRef("slack", "C1"))
    assert text == "Hi @Ann in #C1" and "@Ann" in text and "@Bob" not in text
    assert hash(text) == hash("Hi @Ann in #C1")
    assert text.splitlines() == ["Hi @Ann in #C1"] and text.startswith("Hi")


def test_translator_fills_placeholders_with_parts_and_plain_strings_become_user_text() -> None:
    t = Translator("en")
    text = t("apply.done", id=3, title="<!channel> & co")
    assert "<!channel> & co" in text.user_parts
    assert all(type(part) is str for part in text if part != "<!channel> & co")  # the rest is catalog text
    ref = MemberRef("discord", "42", "Zoe")
    assert ref in tuple(t("role.added", name=ref, role="poster"))
    nested = t("settings.inherited", value=t("settings.on"))
    assert nested.user_parts == []  # a Rich passed in keeps its parts: catalog text stays trusted
    assert t("status.done", id=1, title="x", previous=Term("status.name.applied"),
             status=Term("status.name.hired")).user_parts == ["x"]
    assert t.label("gig.button_apply") == str(t("gig.button_apply"))


def test_json_round_trips_every_part() -> None:
    text = Rich.of("bot ", UserText("typed"), ChannelRef("slack", "C1", "gigs"), MemberRef("discord", "7", "Mo"),
                   Link("https://example.com", "Open"), CommandRef("route add", True, "fr"))
    assert from_json(to_json(text)) == text and tuple(from_json(to_json(text))) == tuple(text)
    assert [type(p) for p in from_json(to_json(text))] == [type(p) for p in text]
    assert to_json("only bot text") == "only bot text"
    legacy = from_json("<https://evil|Upwork>", legacy=True)
    assert isinstance(legacy, Rich) and legacy.user_parts == ["<https://evil|Upwork>"]


def test_bidirectional_controls_are_stripped_from_user_parts_only_where_rendered() -> None:
    typed = "\u202eexe.pdf\u202c \u2066x\u2069\u200e\u200f\u061c"
    assert strip_bidi(typed) == "exe.pdf x"
    assert plain(Rich.of("a ", UserText(typed))) == "a exe.pdf x"
    assert str(user(typed)) == typed  # the domain keeps it as typed
