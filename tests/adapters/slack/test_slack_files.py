"""Files sent with an outbox message reach Slack through the real sender and slack_sdk's files_upload_v2."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.adapters.slack import blocks
from bot.core.delivery import ChannelRefused, OutboxKind, OutboxState, Outgoing, Sent
from bot.core.text import Rich, UserText
from bot.core.types import Attachment, Card, Message
from bot.services import outbox
from bot.store.models import DeliveryPause, Member, OutboxMessage
from tests.adapters.slack.conftest import SlackRig, texts

CHART = Attachment("applications.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png")
EXPORT = Attachment("gigs.csv", "title,budget\nLogo, 80 €\n".encode(), "text/csv")


async def member(slack: SlackRig, user: str) -> Member:
    await slack.command(user, "help")
    async with slack.core.sessions() as session:
        return (await session.execute(select(Member).where(Member.platform_user_id == user))).scalar_one()


async def send(slack: SlackRig, message: Message, channel: str | None = None, user: str | None = None) -> int:
    """Enqueue a message for a channel or as a DM, the way services do; return its outbox id."""
    found = await member(slack, user or "UADMIN")
    async with slack.core.sessions() as session:
        if user is not None:
            row = await outbox.enqueue_dm(session, found, message, slack.core.clock)
        else:
            assert channel is not None
            row = outbox.enqueue(session, found.community_id, "slack", OutboxKind.POST, channel, message,
                                 slack.core.clock)
        assert row is not None
        await session.commit()
        return row.id


async def state(slack: SlackRig, row_id: int) -> str:
    async with slack.core.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row.state


async def test_files_arrive_in_the_channel_with_their_text_in_one_message(slack: SlackRig) -> None:
    text = Rich.of("Monthly report for ", UserText("<!channel> & co"))
    row = await send(slack, Message(text, attachments=(CHART, EXPORT)), channel="C0GIGS")
    await slack.deliver()
    assert await state(slack, row) == OutboxState.SENT
    [share] = slack.fake.shared
    assert share["channel"] == "C0GIGS"
    assert [(f["filename"], f["title"], f["data"]) for f in share["files"]] == [
        ("applications.png", "applications.png", CHART.data), ("gigs.csv", "gigs.csv", EXPORT.data)]
    assert share["initial_comment"] == "Monthly report for &lt;!channel&gt; &amp; co"  # escaped: no ping
    assert all(c.args["channel"] != "C0GIGS" for c in slack.fake.made("chat.postMessage"))  # one message, not two
    [asked, _] = slack.fake.made("files.getUploadURLExternal")
    assert (asked.args["filename"], int(asked.args["length"])) == ("applications.png", len(CHART.data))


async def test_a_dm_gets_its_files_in_the_dm_channel_and_cards_as_blocks(slack: SlackRig) -> None:
    message = Message(cards=(Card("Your applications", body="3 this month"),), attachments=(EXPORT,))
    row = await send(slack, message, user="U1")
    await slack.deliver()
    assert await state(slack, row) == OutboxState.SENT
    [share] = slack.fake.shared
    assert share["channel"] == "DU1" and share["files"][0]["data"] == EXPORT.data
    assert share["initial_comment"] is None
    assert share["blocks"] == blocks.message_blocks(message) and "Your applications" in str(share["blocks"])
    assert (await member(slack, "U1")).dm_channel == "DU1"


async def test_a_rejected_upload_fails_its_row_and_tells_the_admins(slack: SlackRig) -> None:
    row = await send(slack, Message("export", attachments=(EXPORT,)), channel="C0GIGS")
    slack.fake.fail("files.completeUploadExternal", "invalid_arguments")
    await slack.deliver()
    assert await state(slack, row) == OutboxState.FAILED and slack.fake.shared == []
    notices = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DUADMIN"]
    assert any("invalid_arguments" in texts(c) for c in notices)
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Member.id).where(Member.dm_undeliverable))).first() is None


async def test_an_upload_answered_503_is_retried_and_shared_once(slack: SlackRig) -> None:
    row = await send(slack, Message("chart", attachments=(CHART,)), user="U1")
    slack.fake.fail_upload(503)
    await slack.deliver()
    assert await state(slack, row) == OutboxState.PENDING and slack.fake.shared == []
    assert [c.args["_answered"] for c in slack.fake.made("upload")] == [503]
    slack.core.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    await slack.deliver()
    assert await state(slack, row) == OutboxState.SENT
    [share] = slack.fake.shared
    assert share["channel"] == "DU1" and share["files"][0]["data"] == CHART.data


@pytest.mark.parametrize(("status", "after"), [(429, OutboxState.PENDING), (502, OutboxState.PENDING),
                                               (403, OutboxState.FAILED), (413, OutboxState.FAILED)])
async def test_the_upload_urls_status_decides_who_is_to_blame(slack: SlackRig, status: int, after: str) -> None:
    row = await send(slack, Message("chart", attachments=(CHART,)), channel="C0GIGS")
    slack.fake.fail_upload(status)
    await slack.deliver()
    assert await state(slack, row) == after and slack.fake.shared == []
    assert [c.args["_answered"] for c in slack.fake.made("upload")] == [status]


def test_a_long_comment_is_cut_outside_an_entity() -> None:
    comment = blocks.comment_text(Message("x" * 3998 + "&"))
    assert comment == "x" * 3998 + "…" and len(comment) <= 4000


async def test_a_missing_files_scope_fails_messages_with_files_alone(slack: SlackRig) -> None:
    with_file = await send(slack, Message("chart", attachments=(CHART,)), channel="C0GIGS")
    plain = await send(slack, Message("a gig"), channel="C0JOBS")
    slack.fake.faults["files.getUploadURLExternal"].append(
        (200, {"ok": False, "error": "missing_scope", "needed": "files:write", "provided": "commands,chat:write"}, {}))
    await slack.deliver()
    assert (await state(slack, with_file), await state(slack, plain)) == (OutboxState.FAILED, OutboxState.SENT)
    async with slack.core.sessions() as session:
        assert await session.get(DeliveryPause, "slack") is None  # delivery goes on
    notices = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DUADMIN"]
    assert any("files:write" in texts(c) for c in notices)


async def test_another_missing_scope_still_pauses_delivery(slack: SlackRig) -> None:
    row = await send(slack, Message("chart", attachments=(CHART,)), user="U1")
    slack.fake.faults["conversations.open"].append(
        (200, {"ok": False, "error": "missing_scope", "needed": "im:write", "provided": "commands"}, {}))
    await slack.deliver()
    assert await state(slack, row) == OutboxState.PENDING  # held, not failed
    async with slack.core.sessions() as session:
        pause = await session.get(DeliveryPause, "slack")
    assert pause is not None and "missing_scope" in pause.reason


async def test_an_empty_file_is_our_bug_not_the_members(slack: SlackRig) -> None:
    row = await send(slack, Message("nothing", attachments=(Attachment("empty.txt", b""),)), user="U1")
    await slack.deliver()
    assert await state(slack, row) == OutboxState.FAILED  # Slack answers missing_argument for a zero length
    async with slack.core.sessions() as session:
        assert (await session.execute(select(Member.id).where(Member.dm_undeliverable))).first() is None


async def test_an_edit_changes_the_text_only_and_a_share_cannot_be_edited(slack: SlackRig) -> None:
    sent = await slack.sender(Outgoing(1, OutboxKind.POST, "C0GIGS", Message("chart", attachments=(CHART,))))
    assert sent.ref == f"C0GIGS:file:{slack.fake.shared[0]['files'][0]['id']}"
    with pytest.raises(ChannelRefused, match="cant_update_message"):
        await slack.sender(Outgoing(2, OutboxKind.EDIT, "C0GIGS", Message("corrected"), sent.ref))
    assert slack.fake.made("chat.update") == []
    posted = await slack.sender(Outgoing(3, OutboxKind.POST, "C0GIGS", Message("a gig")))
    edit = Message("a gig, corrected", attachments=(CHART,))
    assert await slack.sender(Outgoing(4, OutboxKind.EDIT, "C0GIGS", edit, posted.ref)) == Sent(posted.ref)
    [update] = slack.fake.made("chat.update")
    assert update.args["text"] == "a gig, corrected" and len(slack.fake.shared) == 1  # no new upload
    assert len(slack.fake.made("files.getUploadURLExternal")) == 1
