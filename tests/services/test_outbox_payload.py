"""Outbox rows: one builder for every message, and payloads that round-trip the typed parts through JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.core.text import ChannelRef, Link, MemberRef, Rich, UserText
from bot.core.types import Attachment, Button, Card, Field, Message, Topic
from bot.services import outbox

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_a_message_round_trips_through_json_with_its_parts_files_and_edit() -> None:
    title = Rich.of("#1 · ", UserText("<!channel> [x](https://e.vil)"))
    message = Message(
        text=Rich.of("Posted in ", ChannelRef("slack", "C1", "gigs"), " by ", MemberRef("discord", "7", "Mo")),
        cards=(Card(title, Rich.of(UserText("body")), (Field("Link", Rich.of(Link("https://a.example", "A"))),),
                    (Button("Apply", "gig:apply:1", "primary"),), "footer"),),
        attachments=(Attachment("a.csv", b"x,y\n1,2", "text/csv"),), edits=5)
    stored = json.loads(json.dumps(outbox.to_payload(message)))
    again = outbox.from_payload(stored)
    assert again == message
    assert [type(p) for p in again.cards[0].title] == [str, UserText]


def test_rows_from_before_typed_parts_read_their_strings_as_user_text() -> None:
    legacy = {"text": "<!here> hi", "cards": [{"title": "t", "body": "b", "footer": "", "fields": [], "buttons": []}]}
    message = outbox.from_payload(legacy)
    assert isinstance(message.text, Rich) and message.text.user_parts == ["<!here> hi"]
    assert message.edits is None and message.attachments == () and message.topic is None


def test_a_gig_post_keeps_its_topic_and_rows_from_before_topics_have_none() -> None:
    message = Message(cards=(Card("#3 · Logo"),), topic=Topic("#3 · Logo", ("design", "svg"), True, "Closed"))
    assert outbox.from_payload(json.loads(json.dumps(outbox.to_payload(message)))) == message
    older = outbox.to_payload(Message(cards=(Card("#3 · Logo"),)))
    assert "topic" not in older and outbox.from_payload(older).topic is None


def test_outbox_row_builds_posts_dms_and_edits() -> None:
    dm = outbox.outbox_row(1, "slack", outbox.DM, "U1", Message("hi"), NOW, member_id=3)
    assert dm | {"payload": None} == {
        "community_id": 1, "platform": "slack", "kind": "dm", "destination": "U1", "member_id": 3, "posting_id": None,
        "payload": None, "state": outbox.PENDING, "attempts": 0, "next_attempt_at": NOW, "created_at": NOW}
    edit = outbox.outbox_row(1, "slack", outbox.POST, "C1", Message(cards=(Card("x"),), edits=9), NOW)
    assert (edit["kind"], edit["posting_id"]) == (outbox.EDIT, 9)
    post = outbox.outbox_row(1, "discord", outbox.POST, "5", Message("x"), NOW, posting_id=4)
    assert (post["kind"], post["posting_id"]) == (outbox.POST, 4)
