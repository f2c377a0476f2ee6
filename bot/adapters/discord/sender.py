"""Delivering the outbox to Discord: reposts, posting edits and DMs; a closed DM (403) is never retried."""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord import render
from bot.services import outbox

log = logging.getLogger(__name__)


class DiscordSender:
    """An outbox sender over discord.py's REST client (it waits out 429s itself, per route bucket)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.dm_channels: dict[str, str] = {}

    async def __call__(self, message: outbox.Outgoing) -> outbox.Sent:
        """Send one outbox message; 403/404 are permanent (never retried: they count toward Discord's ban)."""
        try:
            return await self._send(message)
        except (discord.Forbidden, discord.NotFound) as error:
            raise outbox.PermanentFailure(f"{error.status} {error.code}: {error.text}") from error
        except discord.HTTPException as error:
            if error.status >= 500:
                raise outbox.RetryLater(f"{error.status}: {error.text}", after=5) from error
            raise outbox.PermanentFailure(f"{error.status} {error.code}: {error.text}") from error

    async def _send(self, message: outbox.Outgoing) -> outbox.Sent:
        rendered = render.message(message.message)
        parts = rendered.send_kwargs()
        if message.kind == outbox.EDIT:
            assert message.message_ref is not None
            channel_id, _, message_id = message.message_ref.partition(":")
            channel = self.client.get_partial_messageable(int(channel_id))
            await channel.get_partial_message(int(message_id)).edit(**rendered.send_kwargs(edit=True))
            return outbox.Sent(message.message_ref)
        dm_channel = None
        channel_id = message.destination
        if message.kind == outbox.DM:
            channel_id = dm_channel = await self._dm_channel(message)
        # the outbox id as nonce, enforced: sent again after a crash between Discord's answer and the row being
        # marked sent, it gives back the first message instead of a second one (Discord remembers for minutes)
        sent = await self.client.get_partial_messageable(int(channel_id)).send(**parts, nonce=message.id)
        return outbox.Sent(f"{channel_id}:{sent.id}", dm_channel)

    async def _dm_channel(self, message: outbox.Outgoing) -> str:
        """POST /users/@me/channels once per member; the member row keeps the channel."""
        user = message.destination
        known = message.dm_channel or self.dm_channels.get(user)
        if known is None:
            opened = await self.client.http.start_private_message(int(user))
            known = str(opened["id"])
        self.dm_channels[user] = known
        return known
