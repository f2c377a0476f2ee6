"""Rendering neutral replies as Block Kit: messages, modals and the App Home tab."""

from __future__ import annotations

import json
from typing import Any

from bot.core.types import Button, Card, Form, Reply

MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_BLOCKS = 50
MAX_MODAL_TITLE = 24
FORM_PREFIX = "gig:form:"
INPUT_ACTION = "value"


def escape(text: str) -> str:
    """Escape user text for mrkdwn: `&`, `<`, `>` only, which also disarms <!channel>, <!here> and <@U…>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object (no mentions, no markup), cut to Slack's limit."""
    return {"type": "plain_text", "text": _cut(text, limit) or " ", "emoji": True}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(escape(text), MAX_SECTION)}}


def button(item: Button) -> dict[str, Any]:
    """A button whose action_id is the core's button id."""
    element: dict[str, Any] = {"type": "button", "text": plain(item.label, MAX_BUTTON), "action_id": item.id,
                               "value": item.id}
    if item.style in ("primary", "danger"):
        element["style"] = item.style
    return element


def card_blocks(card: Card) -> list[dict[str, Any]]:
    """Header, body, fields, buttons and footer."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(card.title, MAX_HEADER)}]
    if card.body:
        blocks.append(_section(card.body))
    for start in range(0, len(card.fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut(f"*{escape(field.label)}*\n{escape(field.value)}", MAX_FIELD)}
            for field in card.fields[start:start + MAX_FIELDS]]})
    if card.buttons:
        blocks.append({"type": "actions", "elements": [button(b) for b in card.buttons[:25]]})
    if card.footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(card.footer)}]})
    return blocks


def message_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A reply's text, then its cards, within Slack's 50 blocks."""
    blocks: list[dict[str, Any]] = []
    text = reply.text
    while text:
        blocks.append(_section(text[:MAX_SECTION]))
        text = text[MAX_SECTION:]
    for card in reply.cards:
        blocks.extend(card_blocks(card))
    return blocks[:MAX_BLOCKS]


def fallback_text(reply: Reply) -> str:
    """The notification text: the reply's first line, or its first card's title."""
    if reply.text:
        return _cut(reply.text.splitlines()[0], 300)
    return _cut(reply.cards[0].title, 300) if reply.cards else " "


def modal(form: Form, metadata: dict[str, Any]) -> dict[str, Any]:
    """A form as a modal; submitting it comes back as view_submission with callback_id gig:form:<command>."""
    blocks: list[dict[str, Any]] = []
    for card in form.cards:
        blocks.extend(card_blocks(card))
    for item in form.inputs:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": item.multiline}
        if item.value:
            element["initial_value"] = item.value
        if item.placeholder:
            element["placeholder"] = plain(item.placeholder, 150)
        blocks.append({"type": "input", "block_id": item.name, "optional": not item.required,
                       "label": plain(item.label, 2000), "element": element})
    view: dict[str, Any] = {
        "type": "modal", "callback_id": FORM_PREFIX + form.command, "title": plain(form.title, MAX_MODAL_TITLE),
        "blocks": blocks[:100], "private_metadata": json.dumps({**metadata, "args": list(form.args)})[:3000],
    }
    if form.submit:
        view["submit"] = plain(form.submit, MAX_MODAL_TITLE)
    return view


def result_modal(title: str, reply: Reply) -> dict[str, Any]:
    """A read-only modal showing a reply, pushed over the modal a button was pressed in."""
    return {"type": "modal", "title": plain(title, MAX_MODAL_TITLE), "blocks": message_blocks(reply)[:100]}


def home_view(reply: Reply) -> dict[str, Any]:
    """The App Home tab."""
    return {"type": "home", "blocks": message_blocks(reply)[:100]}


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """The text of each input of a submitted modal, by input name."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        state = actions.get(INPUT_ACTION, {})
        values[block_id] = state.get("value") or ""
    return values
