from bot.adapters.slack import blocks
from bot.core.types import Button, Card, Field, Form, FormInput, InputKind, Reply


def test_user_text_is_escaped_so_it_cannot_mention_anyone() -> None:
    card = Card("<!channel> title", "ping <!here> & <@U123> <#C1>", (Field("Where", "<!everyone>"),))
    rendered = blocks.card_blocks(card)
    body = rendered[1]["text"]["text"]
    assert body == "ping &lt;!here&gt; &amp; &lt;@U123&gt; &lt;#C1&gt;"
    assert rendered[2]["fields"][0]["text"] == "*Where*\n&lt;!everyone&gt;"
    assert rendered[0]["text"] == {"type": "plain_text", "text": "<!channel> title", "emoji": True}


def test_cards_become_header_section_fields_actions_context() -> None:
    card = Card("T", "B", tuple(Field(f"L{i}", "v") for i in range(12)),
                (Button("Apply", "gig:apply:1", "primary"), Button("Details", "gig:show:1")), "foot")
    kinds = [b["type"] for b in blocks.card_blocks(card)]
    assert kinds == ["header", "section", "section", "section", "actions", "context"]
    actions = blocks.card_blocks(card)[4]["elements"]
    assert actions[0] == {"type": "button", "text": {"type": "plain_text", "text": "Apply", "emoji": True},
                          "action_id": "gig:apply:1", "value": "gig:apply:1", "style": "primary"}
    assert "style" not in actions[1]


def test_long_text_is_split_and_blocks_are_capped() -> None:
    rendered = blocks.message_blocks(Reply("x" * 7000, cards=tuple(Card(f"c{i}") for i in range(60))))
    assert [len(b["text"]["text"]) for b in rendered[:3]] == [3000, 3000, 1000]
    assert len(rendered) == blocks.MAX_BLOCKS


def test_forms_become_modals_with_their_args_kept() -> None:
    form = Form("apply", "A very long modal title that Slack would refuse",
                (FormInput("pitch", "Pitch", "hello", kind=InputKind.MULTILINE, required=True),), "Go", ("3",))
    view = blocks.modal(form, {"channel": "C1"})
    assert len(view["title"]["text"]) == 24 and view["callback_id"] == "gig:form:apply"
    assert view["blocks"][0]["block_id"] == "pitch" and view["blocks"][0]["optional"] is False
    assert view["blocks"][0]["element"]["initial_value"] == "hello"
    assert '"args": ["3"]' in view["private_metadata"] and '"channel": "C1"' in view["private_metadata"]
