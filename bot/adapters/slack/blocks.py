"""Rendering neutral replies as Block Kit: messages, modals and the App Home tab."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.text import ChannelRef, Link, MemberRef, Text, UserText, strip_bidi
from bot.core.text import plain as plain_text
from bot.core.types import Button, Card, Form, FormInput, InputKind, Message, Reply

MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_BLOCKS = 50
MAX_LIST_CARDS = 15  # a page of a list: three blocks a gig (header, facts, buttons) within a message's 50
MAX_MODAL_TITLE = 24
MAX_MODAL_BLOCKS = 100
FORM_PREFIX = "gig:form:"
INPUT_ACTION = "value"
PLATFORM = "slack"
SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]+$")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def escape(text: str) -> str:
    """Escape text for mrkdwn: `&`, `<`, `>` only, which also disarms <!channel>, <!here> and <@U…>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: Text) -> str:
    """Text as mrkdwn: every string escaped (bot text too: it never holds Slack markup), references as mentions."""
    if type(text) is str:
        return escape(text)
    out: list[str] = []
    for part in text:
        kind = type(part)
        if kind is str:
            out.append(escape(part))  # type: ignore[arg-type]
        elif kind is UserText:
            out.append(escape(strip_bidi(part)))  # type: ignore[arg-type]
        elif isinstance(part, ChannelRef) and part.platform == PLATFORM and SLACK_CHANNEL.match(part.id):
            out.append(f"<#{part.id}>")
        elif isinstance(part, MemberRef) and part.platform == PLATFORM and SLACK_USER.match(part.user_id):
            out.append(f"<@{part.user_id}>")
        elif isinstance(part, Link):
            url = part.url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
            out.append(f"<{url}|{escape(part.label)}>" if part.label else f"<{url}>")
        elif isinstance(part, MemberRef) and part.platform != PLATFORM:  # no mention of theirs works here
            out.append(escape(strip_bidi(part.elsewhere)))
        else:  # a channel of another platform: its plain name
            out.append(escape(strip_bidi(str(part))))
    return "".join(out)


def plain(text: Text, limit: int) -> dict[str, Any]:
    """A plain_text object (no mentions, no markup: text shows exactly as typed), cut to Slack's limit."""
    return {"type": "plain_text", "text": _cut_plain(plain_text(text, PLATFORM), limit) or " ", "emoji": True}


def _cut_plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut(text: str, limit: int) -> str:
    """Rendered mrkdwn within a limit, never cut inside a mention, a link or an entity such as `&amp;`."""
    if len(text) <= limit:
        return text
    text = text[: limit - 1]
    opened, entity = text.rfind("<"), text.rfind("&")
    if opened > text.rfind(">"):
        text = text[:opened]
    if entity > text.rfind(";"):
        text = text[:entity]
    return text + "…"


def _chunks(text: str, size: int) -> list[str]:
    """Rendered mrkdwn in pieces of at most size, none split inside a mention, a link or an entity."""
    chunks = []
    while len(text) > size:
        cut = size
        opened = text.rfind("<", 0, cut)
        if opened > text.rfind(">", 0, cut) and opened > 0:
            cut = opened
        entity = text.rfind("&", 0, cut)
        if entity > text.rfind(";", 0, cut) and entity > 0:
            cut = entity
        chunks.append(text[:cut])
        text = text[cut:]
    return [*chunks, text] if text else chunks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


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
        blocks.append(_section(mrkdwn(card.body)))
    for start in range(0, len(card.fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut(f"*{mrkdwn(field.label)}*\n{mrkdwn(field.value)}", MAX_FIELD)}
            for field in card.fields[start:start + MAX_FIELDS]]})
    if card.buttons:
        blocks.append({"type": "actions", "elements": [button(b) for b in card.buttons[:25]]})
    if card.footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(mrkdwn(card.footer),
                                                                                           MAX_SECTION)}]})
    return blocks


def message_blocks(message: Reply | Message) -> list[dict[str, Any]]:
    """A reply's or message's text, then its cards, within Slack's 50 blocks."""
    blocks: list[dict[str, Any]] = []
    if message.text:
        blocks.extend(_section(chunk) for chunk in _chunks(mrkdwn(message.text), MAX_SECTION))
    for card in message.cards:
        blocks.extend(card_blocks(card))
    if isinstance(message, Reply) and message.buttons:
        return [*blocks[:MAX_BLOCKS - 1], {"type": "actions", "elements": [button(b) for b in message.buttons[:25]]}]
    return blocks[:MAX_BLOCKS]


def fallback_text(message: Reply | Message) -> str:
    """The notification text (Slack parses it as mrkdwn, so it is escaped): the first line, or the first title."""
    if message.text:
        return _cut(mrkdwn(message.text).split("\n", 1)[0], 300) or " "
    return _cut(mrkdwn(message.cards[0].title), 300) if message.cards else " "


def comment_text(message: Reply | Message, limit: int = 4000) -> str:
    """A message's whole text as mrkdwn within a limit (a file share's initial_comment)."""
    return _cut(mrkdwn(message.text), limit)


def title_text(message: Reply | Message) -> str:
    """The first line of a reply as plain text (a modal's title)."""
    if message.text:
        return (plain_text(message.text).splitlines() or [" "])[0]
    return plain_text(message.cards[0].title) if message.cards else " "


def input_element(item: FormInput) -> dict[str, Any]:
    """The element of one input: a select for a choice, a date picker, a number input, else a text input."""
    element: dict[str, Any] = {"action_id": INPUT_ACTION}
    if item.kind is InputKind.CHOICE:
        options = [{"text": plain(label, 75), "value": value} for value, label in item.choices[:100]]
        element |= {"type": "static_select", "options": options}
        initial = [option for option in options if option["value"] == item.value]
        if initial:
            element["initial_option"] = initial[0]
    elif item.kind is InputKind.DATE:
        element["type"] = "datepicker"
        if ISO_DATE.match(item.value):
            element["initial_date"] = item.value
    elif item.kind is InputKind.NUMBER:
        element |= {"type": "number_input", "is_decimal_allowed": False}
        if item.value.isdecimal():
            element["initial_value"] = item.value
    else:
        element |= {"type": "plain_text_input", "multiline": item.kind is InputKind.MULTILINE}
        if item.value:
            element["initial_value"] = item.value
    if item.placeholder and item.kind is not InputKind.DATE:
        element["placeholder"] = plain(item.placeholder, 150)
    return element


def modal(form: Form, metadata: dict[str, Any]) -> dict[str, Any]:
    """A form as a modal with all its inputs; it comes back as view_submission with callback_id gig:form:<command>."""
    blocks: list[dict[str, Any]] = []
    for card in form.cards:
        blocks.extend(card_blocks(card))
    blocks = blocks[:MAX_MODAL_BLOCKS - len(form.inputs)]  # context gives way to inputs
    for item in form.inputs:
        blocks.append({"type": "input", "block_id": item.name, "optional": not item.required,
                       "label": plain(item.label, 2000), "element": input_element(item)})
    view: dict[str, Any] = {
        "type": "modal", "callback_id": FORM_PREFIX + form.command, "title": plain(form.title, MAX_MODAL_TITLE),
        "blocks": blocks[:MAX_MODAL_BLOCKS],
        "private_metadata": json.dumps({**metadata, "args": list(form.args)})[:3000],
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
    """What each input of a submitted modal holds, by input name: text, the chosen option's value, the ISO date."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        state = actions.get(INPUT_ACTION) or {}
        chosen = state.get("selected_option") or {}
        values[block_id] = str(state.get("value") or state.get("selected_date") or chosen.get("value") or "")
    return values
