"""Forum channels and threads for the fake Discord, as Discord's API docs describe them (mixed into FakeDiscord).

- A forum is a guild channel of type 15 with `available_tags` ({id, name, moderated, emoji_id, emoji_name}, at most
  20, names of 1-20 characters); PATCH /channels/{forum} with `available_tags` replaces the list (tags without an
  id are created) and needs Manage Channels (403 50013 without).
- POST /channels/{forum}/threads {name, applied_tags (<= 5 of the forum's), message} starts a public thread (type
  11) whose first message has the thread's id; it answers the thread channel object with that `message` nested,
  and fires THREAD_CREATE and MESSAGE_CREATE. It needs View Channel and Send Messages.
- PATCH /channels/{thread}: `name`, `archived`, `auto_archive_duration`, `applied_tags` need the thread's owner or
  Manage Threads; `locked` needs Manage Threads; an archived thread must be unarchived in the same request (else
  400 50083), and a locked one only with Manage Threads. Fires THREAD_UPDATE.
- Messages of an archived thread cannot be edited (400 50083, "Operation cannot be performed on an archived
  thread"); sending one unarchives the thread unless it is locked.
- GET /guilds/{id}/threads/active and GET /channels/{id}/threads/archived/public (Read Message History) list them
  as {threads, members[, has_more]}; GUILD_CREATE carries the active ones in `threads`.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.adapters.discord.fake_discord import Call

FORUM, MEDIA, PUBLIC_THREAD = 15, 16, 11
VIEW_CHANNEL, SEND_MESSAGES, MANAGE_CHANNELS, READ_HISTORY, MANAGE_THREADS = 1 << 10, 1 << 11, 1 << 4, 1 << 16, 1 << 34
MAX_TAGS, MAX_APPLIED, TAG_NAME, THREAD_NAME = 20, 5, 20, 100


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ForumWorld:
    """The forum half of FakeDiscord: forums, their tags, threads and their first messages."""

    threads: dict[int, dict[str, Any]]

    # ------------------------------------------------------------------ world

    def add_forum(self, guild_id: int, name: str, *, id: int | None = None, tags: tuple[str, ...] = (),
                  permission_overwrites: list[dict[str, Any]] | None = None) -> int:
        """A forum channel (type 15) with these tags available."""
        forum_id: int = self.add_channel(guild_id, name, id=id, type=FORUM,  # type: ignore[attr-defined]
                                         permission_overwrites=permission_overwrites)
        channel = self.guilds[guild_id].channels[forum_id]  # type: ignore[attr-defined]
        channel.update(available_tags=[self._tag(n) for n in tags], default_auto_archive_duration=4320,
                       default_thread_rate_limit_per_user=0, default_reaction_emoji=None, default_sort_order=None,
                       default_forum_layout=0, flags=0)
        channel.pop("last_message_id", None)
        return forum_id

    def _tag(self, name: str, moderated: bool = False) -> dict[str, Any]:
        return {"id": str(self._snowflake()), "name": name, "moderated": moderated,  # type: ignore[attr-defined]
                "emoji_id": None, "emoji_name": None}

    def forum_tags(self, forum_id: int) -> dict[str, str]:
        """The forum's tags, id -> name."""
        channel = self.channel(forum_id)  # type: ignore[attr-defined]
        return {t["id"]: t["name"] for t in channel["available_tags"]}

    def threads_in(self, forum_id: int) -> list[dict[str, Any]]:
        """The forum's threads, oldest first (as stored: thread_metadata, applied_tags, name)."""
        return [copy.deepcopy(t) for t in self.threads.values() if t["parent_id"] == str(forum_id)]

    def _is_thread(self, channel_id: int) -> bool:
        return channel_id in self.threads

    def _archived(self, channel_id: int) -> bool:
        thread = self.threads.get(channel_id)
        return thread is not None and thread["thread_metadata"]["archived"]

    def archive(self, thread_id: int, locked: bool = False) -> None:
        """Discord archives the thread after inactivity (or a moderator archives and locks it)."""
        meta = self.threads[thread_id]["thread_metadata"]
        meta.update(archived=True, archive_timestamp=_now(), locked=locked or meta["locked"])

    async def _tell(self, event: str, data: dict[str, Any]) -> None:
        """A gateway event to the connected bot, if any (guild events need no privileged intent)."""
        session = self.session  # type: ignore[attr-defined]
        if session is not None:
            await self._send_dispatch(session, event, data)  # type: ignore[attr-defined]

    def _thread_permissions(self, thread_id: int) -> int:
        thread = self.threads[thread_id]
        return int(self.permissions(int(thread["guild_id"]), self.bot_id,  # type: ignore[attr-defined]
                                    int(thread["parent_id"])))

    def _guild_threads(self, guild_id: int, archived: bool) -> list[dict[str, Any]]:
        return [copy.deepcopy(t) for t in self.threads.values()
                if t["guild_id"] == str(guild_id) and t["thread_metadata"]["archived"] == archived]

    def _thread_members(self, threads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [copy.deepcopy(t["member"]) for t in threads if "member" in t]

    # ------------------------------------------------------------------ REST

    async def _start_thread(self, call: Call, channel_id: str) -> tuple[int, Any]:
        from tests.adapters.discord.fake_discord import CHANNEL_MESSAGE_FLAGS, ApiError, _add_error, _form_error

        cid = self._channel_or_404(channel_id)  # type: ignore[attr-defined]
        parent = self.channel(cid)  # type: ignore[attr-defined]
        body = call.json or {}
        if parent["type"] not in (FORUM, MEDIA):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        guild_id = int(parent["guild_id"])
        perms = self.permissions(guild_id, self.bot_id, cid)  # type: ignore[attr-defined]
        if not perms & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if not perms & SEND_MESSAGES:
            raise ApiError(403, 50013, "Missing Permissions")
        errors: dict[str, Any] = {}
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= THREAD_NAME:
            _add_error(errors, ("name",), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {THREAD_NAME} in length.")
        applied = [str(t) for t in body.get("applied_tags") or []]
        if len(applied) > MAX_APPLIED:
            _add_error(errors, ("applied_tags",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_APPLIED} or fewer in length.")
        known = {t["id"] for t in parent.get("available_tags", [])}
        for index, tag in enumerate(applied):
            if tag not in known:
                _add_error(errors, ("applied_tags", index), "FORUM_TAG_INVALID", "Unknown tag")
        if not isinstance(body.get("message"), dict):
            _add_error(errors, ("message",), "BASE_TYPE_REQUIRED", "This field is required")
        if errors:
            raise _form_error(errors)
        self._check_message(body["message"], call.files, prefix=("message",))  # type: ignore[attr-defined]
        thread_id = self._snowflake()  # type: ignore[attr-defined]
        now = _now()
        thread = {
            "id": str(thread_id), "guild_id": str(guild_id), "parent_id": str(cid), "owner_id": str(self.bot_id),
            "type": PUBLIC_THREAD, "name": name, "last_message_id": str(thread_id), "message_count": 0,
            "member_count": 1, "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0), "flags": 0,
            "total_message_sent": 0, "applied_tags": applied,
            "thread_metadata": {"archived": False, "auto_archive_duration": int(
                body.get("auto_archive_duration") or parent.get("default_auto_archive_duration") or 4320),
                "archive_timestamp": now, "locked": False, "create_timestamp": now},
            "member": {"id": str(thread_id), "user_id": str(self.bot_id), "join_timestamp": now, "flags": 1}}
        self.threads[thread_id] = thread
        self.channel_guild[thread_id] = guild_id  # type: ignore[attr-defined]
        message = self._new_message(thread_id, body["message"], call.files, type=0,  # type: ignore[attr-defined]
                                    flag_mask=CHANNEL_MESSAGE_FLAGS)
        del self.messages[int(message["id"])]  # type: ignore[attr-defined]
        message.update(id=str(thread_id), position=0)  # a forum thread's first message has the thread's id
        self.messages[thread_id] = message  # type: ignore[attr-defined]
        await self._tell("THREAD_CREATE", copy.deepcopy(thread) | {"newly_created": True})
        await self._echo("MESSAGE_CREATE", message)  # type: ignore[attr-defined]
        return 200, copy.deepcopy(thread) | {"message": copy.deepcopy(message)}

    async def _edit_channel(self, call: Call, channel_id: str) -> tuple[int, Any]:
        from tests.adapters.discord.fake_discord import ApiError

        cid = self._channel_or_404(channel_id)  # type: ignore[attr-defined]
        body = call.json or {}
        if cid in self.threads:
            return 200, await self._edit_thread(cid, body)
        guild_id = self.channel_guild.get(cid)  # type: ignore[attr-defined]
        if guild_id is None:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        channel = self.guilds[guild_id].channels[cid]  # type: ignore[attr-defined]
        if not self.permissions(guild_id, self.bot_id, cid) & MANAGE_CHANNELS:  # type: ignore[attr-defined]
            raise ApiError(403, 50013, "Missing Permissions")
        if "available_tags" in body:
            channel["available_tags"] = self._check_tags(channel, body["available_tags"])
        for key in ("name", "topic"):
            if key in body:
                channel[key] = body[key]
        data = copy.deepcopy(channel)
        await self._tell("CHANNEL_UPDATE", data)
        return 200, data

    def _check_tags(self, channel: dict[str, Any], tags: Any) -> list[dict[str, Any]]:
        from tests.adapters.discord.fake_discord import ApiError, _add_error, _form_error

        if channel["type"] not in (FORUM, MEDIA):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        errors: dict[str, Any] = {}
        if not isinstance(tags, list) or len(tags) > MAX_TAGS:
            _add_error(errors, ("available_tags",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_TAGS} or fewer in length.")
            raise _form_error(errors)
        old = {t["id"]: t for t in channel.get("available_tags", [])}
        out = []
        for index, tag in enumerate(tags):
            name = tag.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= TAG_NAME:
                _add_error(errors, ("available_tags", index, "name"), "BASE_TYPE_BAD_LENGTH",
                           f"Must be between 1 and {TAG_NAME} in length.")
                continue
            kept = old.get(str(tag.get("id"))) if tag.get("id") is not None else None
            made = kept | {"name": name} if kept else self._tag(name)
            made.update(moderated=bool(tag.get("moderated")), emoji_id=tag.get("emoji_id"),
                        emoji_name=tag.get("emoji_name"))
            out.append(made)
        if errors:
            raise _form_error(errors)
        kept_ids = {t["id"] for t in out}
        for thread in self.threads.values():  # a tag taken away from the forum leaves its threads too
            if thread["parent_id"] == channel["id"]:
                thread["applied_tags"] = [t for t in thread["applied_tags"] if t in kept_ids]
        return out

    async def _edit_thread(self, thread_id: int, body: dict[str, Any]) -> dict[str, Any]:
        from tests.adapters.discord.fake_discord import ApiError, _add_error, _form_error

        thread = self.threads[thread_id]
        meta = thread["thread_metadata"]
        perms = self._thread_permissions(thread_id)
        moderator = bool(perms & MANAGE_THREADS)
        owner = thread["owner_id"] == str(self.bot_id)  # type: ignore[attr-defined]
        if meta["archived"] and body.get("archived") is not False:
            raise ApiError(400, 50083, "Operation cannot be performed on an archived thread")
        if meta["archived"] and meta["locked"] and not moderator:
            raise ApiError(403, 50013, "Missing Permissions")
        if "locked" in body and bool(body["locked"]) != meta["locked"] and not moderator:
            raise ApiError(403, 50013, "Missing Permissions")
        if {"name", "archived", "auto_archive_duration", "applied_tags"} & body.keys() and not (owner or moderator):
            raise ApiError(403, 50013, "Missing Permissions")
        if "applied_tags" in body:
            applied = [str(t) for t in body["applied_tags"] or []]
            known = {t["id"] for t in self.channel(int(thread["parent_id"]))["available_tags"]}  # type: ignore
            errors: dict[str, Any] = {}
            if len(applied) > MAX_APPLIED:
                _add_error(errors, ("applied_tags",), "BASE_TYPE_MAX_LENGTH",
                           f"Must be {MAX_APPLIED} or fewer in length.")
            for index, tag in enumerate(applied):
                if tag not in known:
                    _add_error(errors, ("applied_tags", index), "FORUM_TAG_INVALID", "Unknown tag")
            if errors:
                raise _form_error(errors)
            thread["applied_tags"] = applied
        if "name" in body:
            thread["name"] = body["name"]
        if "locked" in body:
            meta["locked"] = bool(body["locked"])
        if "archived" in body and bool(body["archived"]) != meta["archived"]:
            meta.update(archived=bool(body["archived"]), archive_timestamp=_now())
        data = copy.deepcopy(thread)
        await self._tell("THREAD_UPDATE", data)
        return data

    async def _active_threads(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)  # type: ignore[attr-defined]
        threads = self._guild_threads(guild.id, archived=False)
        return 200, {"threads": threads, "members": self._thread_members(threads)}

    async def _archived_threads(self, call: Call, channel_id: str) -> tuple[int, Any]:
        """Public archived threads of a channel, the most recently archived first (`before` an ISO time)."""
        from tests.adapters.discord.fake_discord import ApiError

        cid = self._channel_or_404(channel_id)  # type: ignore[attr-defined]
        guild_id = self.channel_guild[cid]  # type: ignore[attr-defined]
        if not self.permissions(guild_id, self.bot_id, cid) & READ_HISTORY:  # type: ignore[attr-defined]
            raise ApiError(403, 50013, "Missing Permissions")
        limit = int(call.query.get("limit", 50))
        before = call.query.get("before")
        found = [t for t in self._guild_threads(guild_id, archived=True) if t["parent_id"] == str(cid)
                 and (before is None or t["thread_metadata"]["archive_timestamp"] < before)]
        found.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        page = found[:limit]
        return 200, {"threads": page, "members": self._thread_members(page), "has_more": len(found) > limit}
