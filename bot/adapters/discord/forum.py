"""Discord forum channels as gig boards: each gig one thread, tagged with its tags, closed by a tag and a lock.

A post to a forum creates a thread named by the message's topic (`#12 · Title`) whose first message is the card
with its buttons; the posting's ref is `thread:message` (the first message's id is the thread's), so edits reach it
as any other. Creating a thread takes no nonce, so before creating one the sender always looks for a thread of the
bot in that forum with that name (the gig id makes the name unique): a retry after a crash or a lost answer finds
the first thread instead of making a second. Closing edits the first message, applies the closed tag and locks and
archives the thread. Tags the bot may not create are left out; the thread is made all the same.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.discord import render
from bot.core.text import plain
from bot.core.types import Message, Topic

log = logging.getLogger(__name__)

THREAD_NAME = 100  # characters in a thread's name
TAG_NAME = 20  # characters in a forum tag's name
MAX_APPLIED = 5  # tags on one thread
MAX_TAGS = 20  # tags in one forum
ARCHIVED_LOOKED_AT = 50  # recently archived threads searched for an earlier attempt
THREAD_ARCHIVED = 50083  # "Operation cannot be performed on an archived thread"


def thread_name(message: Message) -> str:
    """The thread's name: the topic's title, else the first card's title or the text, within Discord's limit."""
    if message.topic is not None:
        name = message.topic.title
    else:
        name = plain(message.cards[0].title) if message.cards else plain(message.text)
    return render.cut(" ".join(name.split()), THREAD_NAME) or "gig"


def wanted_tags(topic: Topic | None) -> list[str]:
    """The tag names a thread should carry, closed tag first, without repeats, at most five, each within 20."""
    if topic is None:
        return []
    names = ([topic.closed_tag] if topic.closed and topic.closed_tag else []) + list(topic.tags)
    seen: dict[str, str] = {}
    for name in (" ".join(n.split()) for n in names):
        if 0 < len(name) <= TAG_NAME and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())[:MAX_APPLIED]


class Forums:
    """What the sender knows of forum channels: which channels are forums, and how to post and close in them."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self.kinds: dict[int, bool] = {}  # channel id -> is a forum (a channel's type does not change)

    async def forum(self, channel_id: int) -> discord.ForumChannel | None:
        """The forum channel with this id, or None when it is another kind (GET /channels/{id} once if not cached)."""
        cached = self.client.get_channel(channel_id)
        if cached is not None:
            self.kinds[channel_id] = isinstance(cached, discord.ForumChannel)
            return cached if isinstance(cached, discord.ForumChannel) else None
        if self.kinds.get(channel_id) is False:
            return None
        fetched = await self.client.fetch_channel(channel_id)
        self.kinds[channel_id] = isinstance(fetched, discord.ForumChannel)
        return fetched if isinstance(fetched, discord.ForumChannel) else None

    async def post(self, forum: discord.ForumChannel, message: Message, parts: dict[str, Any]) -> str:
        """The gig's thread in the forum, found from an earlier attempt or created; its ref `thread:message`."""
        name = thread_name(message)
        earlier = await self.find(forum, name)
        if earlier is not None:
            log.info("forum %s: thread %s of an earlier attempt found, not created again", forum.id, earlier)
            return f"{earlier}:{earlier}"
        tags = await self.tags(forum, message.topic)
        thread, first = await forum.create_thread(name=name, applied_tags=tags, **parts)
        if message.topic is not None and message.topic.closed:  # closed before its post went out
            await self.settle(forum, thread.id, message.topic)
        return f"{thread.id}:{first.id}"

    async def find(self, forum: discord.ForumChannel, name: str) -> int | None:
        """A thread of the bot in this forum with this name, active or recently archived."""
        me = str(self.client.user.id) if self.client.user else None
        active = await self.client.http.get_active_threads(forum.guild.id)
        threads = list(active.get("threads", []))
        try:
            archived = await self.client.http.get_public_archived_threads(forum.id, limit=ARCHIVED_LOOKED_AT)
            threads += archived.get("threads", [])
        except discord.Forbidden as error:  # no Read Message History: the active ones are all we can see
            log.warning("forum %s: archived threads not readable (%s)", forum.id, error.text)
        for thread in threads:
            if (str(thread.get("parent_id")) == str(forum.id) and str(thread.get("owner_id")) == me
                    and " ".join(str(thread.get("name", "")).split()) == name):
                return int(thread["id"])
        return None

    async def tags(self, forum: discord.ForumChannel, topic: Topic | None) -> list[discord.ForumTag]:
        """The forum's tags for the topic, matched by name whatever the case; missing ones created if allowed."""
        names = wanted_tags(topic)
        found = {tag.name.casefold(): tag for tag in forum.available_tags}
        missing = [name for name in names if name.casefold() not in found]
        if missing and self._may_manage(forum):
            forum = await self._create_tags(forum, missing)
            found = {tag.name.casefold(): tag for tag in forum.available_tags}
        return [found[name.casefold()] for name in names if name.casefold() in found]

    def _may_manage(self, forum: discord.ForumChannel, threads: bool = False) -> bool:
        """Whether the bot may edit the forum's tags (Manage Channels) or lock its threads (Manage Threads).

        As far as the client's cache knows: asking Discord in vain costs a 403, which counts toward its IP ban.
        """
        me = getattr(forum.guild, "me", None)
        if me is None:
            return True
        allowed = forum.permissions_for(me)
        return allowed.manage_threads if threads else allowed.manage_channels

    async def _create_tags(self, forum: discord.ForumChannel, missing: list[str]) -> discord.ForumChannel:
        """Add tags to the forum (the whole list goes in one PATCH, read fresh first so no one's tags are lost)."""
        fresh = await self.client.fetch_channel(forum.id)
        if not isinstance(fresh, discord.ForumChannel):
            return forum
        have = {tag.name.casefold() for tag in fresh.available_tags}
        new = [name for name in missing if name.casefold() not in have][:MAX_TAGS - len(fresh.available_tags)]
        if not new:
            return fresh
        try:
            edited = await fresh.edit(available_tags=[*fresh.available_tags, *(discord.ForumTag(name=n) for n in new)])
        except discord.Forbidden as error:  # 50013: the bot may not manage the forum; post without those tags
            log.warning("forum %s: tags %s not created (%s)", forum.id, new, error.text)
            return fresh
        return edited if isinstance(edited, discord.ForumChannel) else fresh

    async def edit(self, forum: discord.ForumChannel, ref: str, message: Message, kwargs: dict[str, Any]) -> None:
        """Edit a thread's first message (unarchiving it first if Discord archived it), then its tags and state."""
        thread_id, _, message_id = ref.partition(":")
        first = self.client.get_partial_messageable(int(thread_id)).get_partial_message(int(message_id))
        try:
            await first.edit(**kwargs)
        except discord.HTTPException as error:
            if error.code != THREAD_ARCHIVED:
                raise
            await self.client.http.edit_channel(int(thread_id), archived=False)  # messages of archived threads
            await first.edit(**kwargs)  # cannot be edited; a locked one needs Manage Threads (we locked it)
        if message.topic is not None and message.topic.closed:  # an open gig's tags stay as posted: an applicant
            await self.settle(forum, int(thread_id), message.topic)  # count edit costs no second request
        elif message.topic is not None and message.topic.retitle:  # `gig edit` changed the title or the tags
            tags = [str(tag.id) for tag in await self.tags(forum, message.topic)]
            await self.client.http.edit_channel(int(thread_id), name=thread_name(message), applied_tags=tags)

    async def settle(self, forum: discord.ForumChannel, thread_id: int, topic: Topic) -> None:
        """Close the thread: the closed tag with the gig's, locked and archived (only archived if it may not lock)."""
        tags = [str(tag.id) for tag in await self.tags(forum, topic)]
        fields: dict[str, Any] = {"applied_tags": tags, "archived": True}
        if self._may_manage(forum, threads=True):
            fields["locked"] = True
        try:
            await self.client.http.edit_channel(thread_id, **fields)
        except discord.Forbidden as error:  # locking needs Manage Threads; archiving its own thread does not
            if "locked" not in fields:
                raise
            log.warning("forum %s: thread %s archived but not locked (%s)", forum.id, thread_id, error.text)
            del fields["locked"]
            await self.client.http.edit_channel(thread_id, **fields)
