"""Each renderer: user text made safe for its platform, references as its own mentions or as plain names."""

from __future__ import annotations

import discord

from bot.adapters import console
from bot.adapters.discord import render
from bot.adapters.slack import blocks
from bot.core.text import ChannelRef, Link, MemberRef, Rich, UserText
from bot.core.types import Attachment, Button, Card, Field, Message, Reply

REFS = Rich.of("to ", ChannelRef("slack", "C0GIGS", "gigs"), ", ", ChannelRef("discord", "111", "jobs"), " by ",
               MemberRef("slack", "U1", "<!channel>"), " and ", MemberRef("discord", "222", "[x](https://e.vil)"))


def test_slack_mentions_its_own_references_and_names_the_others() -> None:
    assert blocks.mrkdwn(REFS) == "to <#C0GIGS>, #jobs by <@U1> and [x](https://e.vil) (Discord)"
    assert blocks.plain_text(REFS) == "to #gigs, #jobs by @<!channel> and @[x](https://e.vil)"
    assert blocks.plain_text(REFS, "slack") == "to #gigs, #jobs by @<!channel> and [x](https://e.vil) (Discord)"
    # an id that is not a Slack id is never put inside <...>
    assert blocks.mrkdwn(Rich.of(ChannelRef("slack", "general|<!here>"))) == "#general|&lt;!here&gt;"


def test_slack_escapes_every_mrkdwn_string_and_the_notification_text() -> None:
    title = UserText("<https://evil.example|Apply on Upwork> & <!here>")
    reply = Reply(Rich.of("Posted ", title), cards=(Card(Rich.of(title), Rich.of(title),
                                                         (Field("Where", Rich.of(title)),), footer=Rich.of(title)),))
    escaped = "&lt;https://evil.example|Apply on Upwork&gt; &amp; &lt;!here&gt;"
    assert blocks.fallback_text(reply) == "Posted " + escaped
    found = blocks.message_blocks(reply)
    assert found[0]["text"]["text"] == "Posted " + escaped
    assert found[1]["text"]["text"] == str(title)  # the header is plain_text: as typed
    assert found[2]["text"]["text"] == escaped and escaped in found[3]["fields"][0]["text"]
    assert found[-1]["elements"][0]["text"] == escaped
    assert blocks.fallback_text(Reply("Use /gig apply <id>")) == "Use /gig apply &lt;id&gt;"  # bot text too


def test_slack_cuts_never_split_an_entity_or_a_mention() -> None:
    long = Rich.of("x" * 2998, UserText("&"), ChannelRef("slack", "C0GIGS"), "y" * 5000)
    chunks = [block["text"]["text"] for block in blocks.message_blocks(Reply(long))]
    assert "".join(chunks) == blocks.mrkdwn(long)
    assert all(not c.endswith(("&", "&am", "<#C0")) for c in chunks) and all(len(c) <= 3000 for c in chunks)


def test_slack_links_the_bot_made_carry_their_label() -> None:
    assert blocks.mrkdwn(Rich.of(Link("https://e.example/a?b=1&c=2|x>", "Open <now>"))) == \
        "<https://e.example/a?b=1&amp;c=2%7Cx%3E|Open &lt;now&gt;>"


def test_discord_mentions_its_own_references_and_escapes_the_rest() -> None:
    assert render.markdown(REFS) == r"to #gigs, <#111> by <!channel> (Slack) and <@222>"
    assert render.markdown(Rich.of(MemberRef("discord", "222", "Zoe")), mentions=False) == "@Zoe"
    typed = UserText("[Upwork](https://evil.example) <@123> <@&9> <#5> \\[")
    assert render.markdown(Rich.of(typed)) == r"\[Upwork\](https://evil.example) \<@123> \<@&9> \<#5> \\\["


def test_discord_disarms_a_masked_link_split_over_two_parts() -> None:
    text = Rich.of(UserText("[Upwork]"), UserText("(https://evil.example)"))
    assert render.markdown(text) == r"\[Upwork\](https://evil.example)"  # shows as typed, links nowhere


def test_discord_leaves_ordinary_text_alone_and_never_pings() -> None:
    for typed in ("R&D [beta] (v2)", "a < b > c", "https://example.com/x_(y)", "@everyone"):
        assert render.markdown(Rich.of(UserText(typed))) == typed
    kwargs = render.message(Message(Rich.of(UserText("@everyone")))).send_kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    footer = render.embed(Card("t", footer=Rich.of(UserText("[a](https://b.example)")))).footer.text
    assert footer == "[a](https://b.example)"  # footers are plain text: shown exactly as typed


def test_discord_sends_attachments_as_files() -> None:
    kwargs = render.message(Message("chart", attachments=(Attachment("a.png", b"\x89PNG", "image/png"),))).send_kwargs()
    assert [f.filename for f in kwargs["files"]] == ["a.png"] and isinstance(kwargs["files"][0], discord.File)


def test_discord_puts_a_replys_own_buttons_on_a_row_after_its_cards_rows() -> None:
    cards = tuple(Card(f"#{n}", buttons=(Button("Apply", f"gig:apply:{n}"), Button("Details", f"gig:show:{n}")))
                  for n in range(1, 4))
    reply = Reply("page 1", cards=cards, buttons=(Button("Next page", "gig:more:0123456789abcdef.2"),))
    rows: dict[int, list[str]] = {}
    for item in render.message(reply).view.children:  # type: ignore[union-attr]
        rows.setdefault(item.item.row, []).append(item.item.custom_id)  # type: ignore[attr-defined]
    *cards_rows, last = [rows[index] for index in sorted(rows)]
    assert last == ["gig:more:0123456789abcdef.2"]  # alone, under every gig's buttons
    expected = [i for n in range(1, 4) for i in (f"gig:apply:{n}", f"gig:show:{n}")]
    assert [i for row in cards_rows for i in row] == expected
    many = Reply("page 1", cards=cards * 5, buttons=reply.buttons)  # more card buttons than rows: the row stays
    shown = render.message(many).view.children  # type: ignore[union-attr]
    custom_ids = [item.item.custom_id for item in shown]  # type: ignore[attr-defined]
    assert len(custom_ids) == 21 and custom_ids[-1] == "gig:more:0123456789abcdef.2"


def test_console_prints_as_typed_with_plain_names() -> None:
    lines = console.render("x", Reply(Rich.of(UserText("<!here> [a](b)\n"), REFS)))
    assert lines == ["[x] <!here> [a](b)", "[x] to #gigs, #jobs by <!channel> (Slack) and [x](https://e.vil) (Discord)"]
    assert console.render("x", Reply(Rich.of(MemberRef("console", "bob", "Bob")))) == ["[x] @Bob"]


def test_a_member_of_another_platform_is_named_with_it_never_a_broken_mention() -> None:
    ana, bob = MemberRef("discord", "123456", "Ana"), MemberRef("slack", "U123", "Bob")
    text = Rich.of("Applicants: ", ana, ", ", bob)
    assert blocks.mrkdwn(text) == "Applicants: Ana (Discord), <@U123>"
    assert render.markdown(text) == "Applicants: <@123456>, Bob (Slack)"
    assert render.markdown(text, mentions=False) == "Applicants: @Ana, Bob (Slack)"  # a title mentions no one
    card = Card("Applicants", fields=(Field("Who", text),), footer=text)
    slack = blocks.message_blocks(Reply(cards=(card,)))
    assert "<@123456>" not in str(slack) and "Ana (Discord)" in str(slack) and "<@U123>" in str(slack)
    embed = render.embed(card)
    assert embed.fields[0].value == "Applicants: <@123456>, Bob (Slack)" and "<@U123>" not in str(embed.to_dict())
    assert embed.footer.text == "Applicants: @Ana, Bob (Slack)"  # a footer is plain text, never a mention
    assert console.render("x", Reply(text)) == ["[x] Applicants: Ana (Discord), Bob (Slack)"]
