"""The `/gig` text syntax: words, key=value options, quoting."""

from __future__ import annotations

import random
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.syntax import OPTION, SMART_QUOTES, ParsedText, parse_command_text, quote


def test_words_and_options_are_separated() -> None:
    parsed = parse_command_text("apply 12 pitch=hello")
    assert parsed == ParsedText(("apply", "12"), {"pitch": "hello"})


def test_words_keep_their_order() -> None:
    assert parse_command_text("route add #python-gigs").words == ("route", "add", "#python-gigs")


def test_empty_text_gives_nothing() -> None:
    assert parse_command_text("") == ParsedText((), {})
    assert parse_command_text("   ") == ParsedText((), {})


def test_shell_quoting_keeps_spaces_in_an_option() -> None:
    parsed = parse_command_text('post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php')
    assert parsed.words == ("post",)
    assert parsed.options == {"title": "Fix my WordPress form", "budget": "150 EUR", "tags": "wordpress,php"}


def test_single_quotes_and_quoted_words() -> None:
    parsed = parse_command_text("search 'landing page' pitch='I can do it'")
    assert parsed.words == ("search", "landing page")
    assert parsed.options == {"pitch": "I can do it"}


def test_quote_inside_another_kind_of_quote() -> None:
    parsed = parse_command_text("""apply 3 pitch="I'm available" """)
    assert parsed.options == {"pitch": "I'm available"}


@pytest.mark.parametrize(
    "text",
    [
        "post title=\u201cFix my WordPress form\u201d",  # “ ”
        "post title=\u00abFix my WordPress form\u00bb",  # « »
        "post title=\u201eFix my WordPress form\u201c",  # „ “
        "post title=\"Fix my WordPress form\u201d",  # a straight quote closed by a typographic one
    ],
)
def test_typographic_quotes_count_as_plain_quotes(text: str) -> None:
    parsed = parse_command_text(text)
    assert parsed == ParsedText(("post",), {"title": "Fix my WordPress form"})


def test_apostrophe_typed_on_a_phone_stays_a_letter() -> None:
    parsed = parse_command_text("apply 3 pitch=I\u2019m l\u2019\u00e9quipe")
    assert parsed == ParsedText(("apply", "3", "l\u2019\u00e9quipe"), {"pitch": "I\u2019m"})


@pytest.mark.parametrize("text", ["/gigs list", "/gigpost"])
def test_slash_gig_is_stripped_only_as_a_whole_word(text: str) -> None:
    assert parse_command_text(text).words[0] == text.split()[0]


def test_phone_typed_quotes_and_apostrophe_work_together() -> None:
    parsed = parse_command_text("apply 3 pitch=\u201cI\u2019m available this week\u201d")
    assert parsed == ParsedText(("apply", "3"), {"pitch": "I\u2019m available this week"})


@pytest.mark.parametrize("text", ["/gig apply 12", "  /gig apply 12", "apply 12", "/gig   apply   12  "])
def test_leading_slash_gig_is_stripped(text: str) -> None:
    assert parse_command_text(text) == ParsedText(("apply", "12"), {})


def test_slash_gig_alone_is_empty() -> None:
    assert parse_command_text("/gig") == ParsedText((), {})


def test_slash_gig_is_only_stripped_at_the_start() -> None:
    assert parse_command_text("search /gig").words == ("search", "/gig")


def test_option_keys_are_lower_cased_but_values_are_not() -> None:
    parsed = parse_command_text("list Tag=Python REMOTE=Yes")
    assert parsed.options == {"tag": "Python", "remote": "Yes"}


def test_option_values_are_trimmed_and_may_be_empty() -> None:
    parsed = parse_command_text('post title="  Fix it  " source=')
    assert parsed.options == {"title": "Fix it", "source": ""}


def test_value_may_contain_equals_signs() -> None:
    parsed = parse_command_text("post apply_url=https://example.com/?a=1&b=2")
    assert parsed.options == {"apply_url": "https://example.com/?a=1&b=2"}


@pytest.mark.parametrize("token", ["=value", "1key=value", "key-name=value", "é=value"])
def test_tokens_that_are_not_options_stay_words(token: str) -> None:
    assert parse_command_text(f"search {token}") == ParsedText(("search", token), {})


@pytest.mark.parametrize("text", ["post title=a title=b", "post title=a TITLE=b", "post Title=a title=a"])
def test_duplicate_option_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_command_text(text)
    assert caught.value.key == "syntax.duplicate_option"
    assert caught.value.params == {"key": "title"}


@pytest.mark.parametrize(
    "text", ['post title="Fix my form', "post title='Fix my form", "post title=\u201cFix my form", "apply 3 \\"]
)
def test_unclosed_quote_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_command_text(text)
    assert caught.value.key == "syntax.unclosed_quote"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_parses_or_is_a_user_error(text: str) -> None:
    try:
        parsed = parse_command_text(text)
    except UserError as error:
        assert error.key in ("syntax.unclosed_quote", "syntax.duplicate_option")
        return
    assert isinstance(parsed, ParsedText)
    assert all(key == key.lower() for key in parsed.options)


QUOTES = "\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019"
plain_text = st.text(st.characters(exclude_characters=QUOTES, exclude_categories=("Cs",)), min_size=1, max_size=30)
words = plain_text.filter(lambda w: "=" not in w and not w.startswith("/gig"))
keys = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True)
values = plain_text.map(str.strip)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, max_size=5), st.dictionaries(keys, values, max_size=5), st.randoms(use_true_random=False))
def test_quoted_words_and_options_round_trip(
    word_list: list[str], options: dict[str, str], rnd: random.Random
) -> None:
    word_tokens = [shlex.quote(w) for w in word_list]
    option_tokens = [f"{k}={shlex.quote(v)}" for k, v in options.items()]
    tokens: list[str] = []
    while word_tokens or option_tokens:  # interleave, keeping each kind in its order
        source = word_tokens if word_tokens and (not option_tokens or rnd.random() < 0.5) else option_tokens
        tokens.append(source.pop(0))
    parsed = parse_command_text(" ".join(tokens))
    assert parsed.words == tuple(word_list)
    assert parsed.options == options


@settings(max_examples=100, deadline=None)
@given(st.lists(words, min_size=1, max_size=4))
def test_slash_gig_prefix_changes_nothing(word_list: list[str]) -> None:
    text = " ".join(shlex.quote(w) for w in word_list)
    assert parse_command_text(f"/gig {text}") == parse_command_text(text)



@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1))
def test_a_quoted_word_or_value_is_read_back_as_it_was(value: str) -> None:
    written = value.translate(SMART_QUOTES)  # typographic quotes are read as plain ones
    assert parse_command_text(f"/gig list key={quote(value)}").options == {"key": written.strip()}
    if not OPTION.match(written):  # a word that looks like key=value is read as an option, quoted or not
        assert parse_command_text(f"/gig search {quote(value)}").words == ("search", written)
