"""`gigbot discord-invite`: the URL that adds the bot to a server with exactly the permissions it needs."""

from __future__ import annotations

import base64

import discord

# View the job channels, post gigs and nudges in them (edits of its own messages need nothing more), with embeds.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
SCOPES = ("bot", "applications.commands")


def client_id_from_token(token: str) -> int:
    """A bot token starts with its application's id, base64-encoded."""
    head = token.split(".")[0]
    return int(base64.b64decode(head + "=" * (-len(head) % 4)).decode())


def invite_url(client_id: int) -> str:
    """The OAuth2 URL: the bot and its slash commands, with PERMISSIONS."""
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)
