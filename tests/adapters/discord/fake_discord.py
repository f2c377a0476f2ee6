"""A local, protocol-faithful fake of Discord (REST API v10 and the gateway) for tests that run the real discord.py.

One aiohttp server on 127.0.0.1 (random port) serves REST under ``/api/v10`` and the gateway websocket at
``/gateway``. discord.py builds every REST URL (bot routes, interaction callbacks, webhook follow-ups) from
``discord.http.Route.BASE`` and connects the gateway to ``DiscordWebSocket.DEFAULT_GATEWAY`` (resumes go to READY's
``resume_gateway_url``, which the fake points at itself), so :meth:`FakeDiscord.patched` is all the wiring needed::

    fake = await FakeDiscord().start()
    client = MyClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with fake.connected(client):            # patches URLs, login + connect, waits for on_ready
        inter = await fake.slash("ping", {"text": "hi"})   # INTERACTION_CREATE, typed from the synced commands
        call = await inter.callback()             # POST /interactions/{id}/{token}/callback, as recorded
        assert call.json["type"] == 4
        click = await fake.click(inter.message, "gig:7:apply")    # a button on the message the bot answered with
        fake.fail_next("POST", "/channels/*/messages", 403, 50007, "Cannot send messages to this user")
        fake.rate_limit_next("POST", "/channels/*/messages", retry_after=0.05)
    await fake.stop()

Recorded: every REST request (:attr:`FakeDiscord.calls`, in order, with its answer), every frame the client sent on
the gateway, IDENTIFY/RESUME payloads, interaction responses, and every message the bot created (``messages``).
Tests wait on events (:meth:`FakeDiscord.next_call`, :meth:`FakeDiscord.wait_ready`), never on wall-clock sleeps.

Like Discord, the fake rejects what Discord rejects: a second response to an interaction (400 40060), a callback
later than ``callback_deadline`` (404 10062), a follow-up before the interaction was acknowledged (404 10015),
empty or oversized messages, duplicate/long custom_ids, invalid modals and command payloads (400 50035), DMs to a
user in :meth:`FakeDiscord.block_dms` (403 50007), and interactions for commands that were never synced.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import math
import re
import secrets
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.adapters.discord.fake_forum import ForumWorld

PAYLOADS = Path(__file__).parent / "payloads"
API_VERSION = 10
DISCORD_EPOCH_MS = 1420070400000

TOKEN = "MTI5MDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.fake-bot-token-for-tests"
APP_ID = BOT_ID = 1290000000000000001  # for apps created since 2016 the application id is the bot user's id
GUILD_ID = 1290000000000000100
GENERAL_ID = 1290000000000000201
GIGS_ID = 1290000000000000202
MOD_ROLE_ID = 1290000000000000301
BOT_ROLE_ID = 1290000000000000302
ALICE_ID = 1290000000000000401
BOB_ID = 1290000000000000402
CAROL_ID = 1290000000000000403  # owns the guild and is a moderator


def _bits(*bits: int) -> int:
    return sum(1 << bit for bit in bits)


# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = _bits(0, 6, 10, 11, 14, 15, 16, 18, 20, 21, 26, 31, 35, 37, 38, 49, 50)
MODERATOR_PERMISSIONS = _bits(1, 5, 13)  # kick members, manage guild, manage messages
BOT_PERMISSIONS = _bits(10, 11, 14, 15, 16, 18, 31, 38)
DM_APP_PERMISSIONS = _bits(14, 15, 17, 18)  # what Discord reports as app_permissions in the bot's DMs

# Gateway intents.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Message flags.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15
CHANNEL_MESSAGE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
INTERACTION_MESSAGE_FLAGS = CHANNEL_MESSAGE_FLAGS | FLAG_EPHEMERAL

SELECT_TYPES = {3, 5, 6, 7, 8}
# Which callback types Discord accepts for each interaction type (1 ping, 2 command, 3 component, 4 autocomplete,
# 5 modal submit).
ALLOWED_CALLBACKS = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@cache
def _fixture(name: str) -> str:
    return (PAYLOADS / f"{name}.json").read_text(encoding="utf-8")


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of the fixture payloads/<name>.json."""
    return json.loads(_fixture(name))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def snowflake_time(snowflake: int | str) -> datetime:
    return datetime.fromtimestamp(((int(snowflake) >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true"}


def _glob(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """`*` matches within one path segment, `**` across segments; a compiled regex is used as is (fullmatch)."""
    if isinstance(pattern, re.Pattern):
        return pattern
    parts = re.split(r"(\*\*|\*)", pattern)
    return re.compile("".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts))


def _add_error(errors: dict[str, Any], path: tuple[Any, ...], code: str, message: str) -> None:
    node = errors
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _max_len(errors: dict[str, Any], path: tuple[Any, ...], value: Any, limit: int) -> None:
    if isinstance(value, (str, list)) and len(value) > limit:
        _add_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _valid_command_name(name: Any, *, chat_input: bool) -> bool:
    """Discord's `^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, lower case for slash commands."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    if not chat_input:
        return True
    ok = all(ch in "-_'" or unicodedata.category(ch)[0] in "LNM" for ch in name)
    return ok and name == name.lower()


class ApiError(Exception):
    """An error answer, shaped as Discord's: {"message", "code"} (+ "errors" for 50035)."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _form_error(errors: dict[str, Any]) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class Call:
    """One REST request the client made, and what the fake answered."""

    method: str
    path: str  # under /api/v10, decoded, e.g. /channels/123/messages
    query: dict[str, str]
    json: Any  # the JSON body (payload_json of a multipart body), None without one
    headers: dict[str, str]
    files: list[dict[str, Any]] = field(default_factory=list)  # multipart files: field, filename, content_type, data
    status: int = 0
    response: Any = None
    index: int = 0
    taken: bool = False

    def __repr__(self) -> str:
        body = json.dumps(self.json)[:200] if self.json is not None else ""
        return f"<Call #{self.index} {self.method} {self.path} -> {self.status} {body}>"


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class Session:
    """A gateway session (IDENTIFY -> READY); it survives a dropped connection until resumed or invalidated."""

    id: str
    identify: dict[str, Any]
    intents: int
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None


@dataclass
class Connection:
    """One websocket connection to /gateway."""

    ws: web.WebSocketResponse
    query: dict[str, str]
    session: Session | None = None
    ready: bool = False
    resumed: bool = False
    closed: bool = False
    close_code: int | None = None  # the code of whoever closed first
    closed_by_server: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    heartbeats: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def open(self) -> bool:
        return not self.closed and not self.ws.closed

    async def send(self, frame: dict[str, Any]) -> None:
        async with self.lock:
            if self.open:
                await self.ws.send_str(json.dumps(frame))

    async def close(self, code: int, reason: str = "") -> None:
        """Close from the server side (aiohttp would then report the client's answering code as close_code)."""
        if not self.closed_by_server and not self.closed:
            self.closed_by_server, self.close_code = True, code
        await self.ws.close(code=code, message=reason.encode())


@dataclass
class _Interaction:
    payload: dict[str, Any]
    dispatched_at: float | None = None
    response_type: int | None = None
    original_id: int | None = None
    message_ids: set[int] = field(default_factory=set)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None


@dataclass
class _Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str
    features: list[str]
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)  # member payloads without "user"


@dataclass
class SentInteraction:
    """An INTERACTION_CREATE the fake dispatched; await what the bot did with it."""

    fake: FakeDiscord
    state: _Interaction

    @property
    def payload(self) -> dict[str, Any]:
        return self.state.payload

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def response_type(self) -> int | None:
        """The callback type the bot answered with (4 message, 5 deferred, 6 deferred update, 7 update, ...)."""
        return self.state.response_type

    @property
    def message(self) -> dict[str, Any] | None:
        """The @original message (the response message, the loading message, or the component's message)."""
        return None if self.state.original_id is None else self.fake.messages.get(self.state.original_id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message this interaction created (response and follow-ups), oldest first."""
        return [self.fake.messages[i] for i in sorted(self.state.message_ids) if i in self.fake.messages]

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (data of its type-9 callback, with the ids Discord assigns)."""
        return self.state.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """The autocomplete choices the bot answered with (type-8 callback)."""
        return self.state.choices

    async def callback(self, timeout: float = 15.0) -> Call:
        """The POST /interactions/{id}/{token}/callback for this interaction."""
        return await self.fake.next_call("POST", f"/interactions/{self.id}/{self.token}/callback", timeout=timeout)

    async def followup(self, timeout: float = 15.0) -> Call:
        """The next POST /webhooks/{app}/{token} (a follow-up message)."""
        return await self.fake.next_call("POST", f"/webhooks/{self.fake.app_id}/{self.token}", timeout=timeout)

    async def edit(self, message: int | str = "@original", timeout: float = 15.0) -> Call:
        """The next PATCH /webhooks/{app}/{token}/messages/{message} (default @original)."""
        path = f"/webhooks/{self.fake.app_id}/{self.token}/messages/{message}"
        return await self.fake.next_call("PATCH", path, timeout=timeout)

    async def next(self, method: str = "*", timeout: float = 15.0) -> Call:
        """The next call of any kind made with this interaction's token."""
        return await self.fake.next_call(method, f"/**/{self.token}**", timeout=timeout)


class FakeDiscord(ForumWorld):
    """Discord's REST API v10 and gateway for one bot, with a small default world (see module constants)."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        app_id: int = APP_ID,
        bot_name: str = "gigbot",
        default_world: bool = True,
        callback_deadline: float | None = 3.0,
        strict: bool = True,
        ratelimit_headers: bool = True,
        echo_messages: bool = True,
        heartbeat_interval: int = 41250,
        privileged_intents: int = PRIVILEGED_INTENTS,
    ) -> None:
        self.token = token
        self.app_id = app_id
        self.bot_id = app_id
        self.callback_deadline = callback_deadline  # seconds from dispatch; None: no limit (Discord: 3 s)
        self.strict = strict  # follow-ups need an acknowledged interaction, as on Discord
        self.ratelimit_headers = ratelimit_headers  # X-RateLimit-* on every answer (never exhausted)
        self.echo_messages = echo_messages  # MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages
        self.heartbeat_interval = heartbeat_interval
        self.privileged_intents = privileged_intents  # enabled in the "developer portal"; others close with 4014
        self.url = ""
        self.errors: list[BaseException] = []  # exceptions inside the fake itself (a test should assert none)
        self.fan_out = False  # send each interaction to every connected session (replicas sharing a shard)

        self.bot_user = payload("bot_user") | {"id": str(app_id), "username": bot_name}
        self.users: dict[int, dict[str, Any]] = {self.bot_id: self._public_user(self.bot_user)}
        self.locales: dict[int, str] = {}
        self.guilds: dict[int, _Guild] = {}
        self.channel_guild: dict[int, int] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}  # recipient id -> DM channel payload
        self.dm_recipient: dict[int, int] = {}  # DM channel id -> recipient id
        self.blocked_dms: set[int] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> synced commands
        self.interactions: dict[int, _Interaction] = {}
        self._by_token: dict[str, _Interaction] = {}

        self.calls: list[Call] = []
        self._faults: list[_Fault] = []
        self.down_until: datetime | None = None  # an outage: until then (on `_down_now`), matching requests get 503
        self._down_now: Callable[[], datetime] | None = None
        self._down_paths: list[re.Pattern[str]] = []
        self.refused = 0
        self.threads: dict[int, dict[str, Any]] = {}  # thread channels by id (forum posts), see fake_forum.py
        self._lost: list[_Fault] = []  # requests done whose answer never reaches the client
        self.connections: list[Connection] = []
        self.sessions: dict[str, Session] = {}
        self.session: Session | None = None
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []

        self._ids = itertools.count()
        self._last_snowflake = 0
        self._tick = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._routes = self._build_routes()
        if default_world:
            self._default_world()

    # ------------------------------------------------------------------ lifecycle and wiring

    async def start(self, port: int = 0) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v{version:\\d+}/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for conn in self.connections:
            if conn.open:
                with contextlib.suppress(Exception):
                    await conn.close(1001, "fake stopped")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    def patched(self) -> contextlib.AbstractContextManager[None]:
        """Point discord.py at this fake (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY); restored on exit."""
        return point_discord_at(self.api_url, self.gateway_url)

    @contextlib.asynccontextmanager
    async def connected(self, client: Any, *, token: str | None = None, timeout: float = 15.0) -> AsyncIterator[Any]:
        """Log `client` in, connect it, wait for on_ready; close it (and wait for its connect task) on exit.

        Pass ``guild_ready_timeout=0.05`` (or so) to the client: discord.py fires on_ready only after that long
        without a GUILD_CREATE (default 2 s).
        """
        with self.patched():
            await client.login(token or self.token)
            task = asyncio.create_task(client.connect(), name="fake-discord-client-connect")
            ready = asyncio.create_task(client.wait_until_ready())
            try:
                done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if ready not in done:
                    if task in done:
                        task.result()
                    raise TimeoutError(f"the client was not ready after {timeout}s; calls: {self.calls[-5:]}")
                yield client
            finally:
                ready.cancel()
                await client.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, timeout)

    # ------------------------------------------------------------------ world

    def _snowflake(self) -> int:
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        value = max(value, self._last_snowflake + 1)
        self._last_snowflake = value
        return value

    def _public_user(self, user: dict[str, Any]) -> dict[str, Any]:
        keep = payload("user").keys() | {"bot", "system"}
        return {k: v for k, v in user.items() if k in keep}

    def _default_world(self) -> None:
        self.add_user("alice", id=ALICE_ID, global_name="Alice")
        self.add_user("bob", id=BOB_ID, global_name="Bob", locale="de")
        self.add_user("carol", id=CAROL_ID, global_name="Carol")
        self.add_guild("Gig Guild", id=GUILD_ID, owner_id=CAROL_ID)
        self.add_channel(GUILD_ID, "general", id=GENERAL_ID)
        self.add_channel(GUILD_ID, "gigs", id=GIGS_ID, topic="Paid gigs only")
        self.add_role(GUILD_ID, "Moderator", id=MOD_ROLE_ID, permissions=MODERATOR_PERMISSIONS)
        for user_id in (ALICE_ID, BOB_ID):
            self.add_member(GUILD_ID, user_id)
        self.add_member(GUILD_ID, CAROL_ID, roles=[MOD_ROLE_ID])

    def add_user(self, username: str, *, id: int | None = None, global_name: str | None = None,
                 locale: str = "en-US", bot: bool = False) -> int:
        user_id = id or self._snowflake()
        user = payload("user") | {"id": str(user_id), "username": username, "global_name": global_name}
        if bot:
            user["bot"] = True
        self.users[user_id] = user
        self.locales[user_id] = locale
        return user_id

    def add_guild(self, name: str, *, id: int | None = None, owner_id: int, preferred_locale: str = "en-US",
                  features: list[str] | None = None) -> int:
        guild_id = id or self._snowflake()
        guild = _Guild(guild_id, name, owner_id, preferred_locale, features or ["COMMUNITY", "NEWS"])
        self.guilds[guild_id] = guild
        # @everyone has the guild's id; the bot gets its managed integration role.
        self.add_role(guild_id, "@everyone", id=guild_id, permissions=EVERYONE_PERMISSIONS, position=0)
        bot_role = self.add_role(guild_id, self.bot_user["username"], id=BOT_ROLE_ID if guild_id == GUILD_ID else None,
                                 permissions=BOT_PERMISSIONS)
        guild.roles[bot_role].update(managed=True, tags={"bot_id": str(self.bot_id)})
        self.add_member(guild_id, self.bot_id, roles=[bot_role])
        if owner_id not in guild.members and owner_id in self.users:
            self.add_member(guild_id, owner_id)
        return guild_id

    def add_role(self, guild_id: int, name: str, *, id: int | None = None, permissions: int = 0,
                 position: int | None = None) -> int:
        guild = self.guilds[guild_id]
        role_id = id or self._snowflake()
        guild.roles[role_id] = payload("role") | {
            "id": str(role_id), "name": name, "permissions": str(permissions),
            "position": len(guild.roles) if position is None else position}
        return role_id

    def add_channel(self, guild_id: int, name: str, *, id: int | None = None, type: int = 0,
                    topic: str | None = None, parent_id: int | None = None,
                    permission_overwrites: list[dict[str, Any]] | None = None) -> int:
        guild = self.guilds[guild_id]
        channel_id = id or self._snowflake()
        guild.channels[channel_id] = payload("guild_text_channel") | {
            "id": str(channel_id), "guild_id": str(guild_id), "name": name, "type": type, "topic": topic,
            "position": len(guild.channels), "parent_id": None if parent_id is None else str(parent_id),
            "permission_overwrites": permission_overwrites or []}
        self.channel_guild[channel_id] = guild_id
        return channel_id

    def add_member(self, guild_id: int, user_id: int, *, roles: list[int] | tuple[int, ...] = (),
                   nick: str | None = None) -> None:
        member = payload("member") | {"roles": [str(r) for r in roles], "nick": nick}
        member.pop("user")
        self.guilds[guild_id].members[user_id] = member

    def block_dms(self, user_id: int, blocked: bool = True) -> None:
        """Messages to this user's DM channel answer 403 {"code": 50007} ("Cannot send messages to this user")."""
        (self.blocked_dms.add if blocked else self.blocked_dms.discard)(user_id)

    def user(self, user_id: int) -> dict[str, Any]:
        return copy.deepcopy(self.users[user_id])

    def member(self, guild_id: int, user_id: int, *, with_user: bool = True,
               permissions_in: int | None = None) -> dict[str, Any]:
        """A member payload; `permissions_in` (a channel id) adds the "permissions" string interactions carry."""
        member = copy.deepcopy(self.guilds[guild_id].members[user_id])
        if with_user:
            member["user"] = self.user(user_id)
        if permissions_in is not None:
            member["permissions"] = str(self.permissions(guild_id, user_id, permissions_in))
        return member

    def permissions(self, guild_id: int, user_id: int, channel_id: int | None = None) -> int:
        """Computed as Discord does: @everyone + roles, owner/administrator = all, then channel overwrites."""
        guild = self.guilds[guild_id]
        roles = [int(r) for r in guild.members[user_id]["roles"]] if user_id in guild.members else []
        perms = int(guild.roles[guild_id]["permissions"])
        for role_id in roles:
            perms |= int(guild.roles[role_id]["permissions"])
        if user_id == guild.owner_id or perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel_id in self.threads:  # a thread has its parent's permissions
            channel_id = int(self.threads[channel_id]["parent_id"])
        if channel_id is not None and channel_id in guild.channels:
            overwrites = guild.channels[channel_id].get("permission_overwrites") or []
            for ow in overwrites:
                if int(ow["id"]) == guild_id:
                    perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
            allow = deny = 0
            for ow in overwrites:
                if ow["type"] == 0 and int(ow["id"]) in roles:
                    allow |= int(ow["allow"])
                    deny |= int(ow["deny"])
            perms = (perms & ~deny) | allow
            for ow in overwrites:
                if ow["type"] == 1 and int(ow["id"]) == user_id:
                    perms = (perms & ~int(ow["deny"])) | int(ow["allow"])
        return perms

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        if channel_id in self.threads:
            return copy.deepcopy(self.threads[channel_id])
        guild_id = self.channel_guild.get(channel_id)
        if guild_id is not None:
            return copy.deepcopy(self.guilds[guild_id].channels[channel_id])
        if channel_id in self.dm_recipient:
            return copy.deepcopy(self.dm_channels[self.dm_recipient[channel_id]])
        return None

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        """The DM channel with a user (created once; the same id every time, as on Discord)."""
        if user_id not in self.dm_channels:
            channel_id = self._snowflake()
            self.dm_channels[user_id] = payload("dm_channel") | {"id": str(channel_id),
                                                                 "recipients": [self.user(user_id)]}
            self.dm_recipient[channel_id] = user_id
        return copy.deepcopy(self.dm_channels[user_id])

    def guild_create(self, guild_id: int, intents: int = 0) -> dict[str, Any]:
        """GUILD_CREATE as sent to a bot with `intents` (members beyond the bot's own need GUILD_MEMBERS)."""
        guild = self.guilds[guild_id]
        data = payload("guild_create")
        members = [self.member(guild_id, uid) for uid in guild.members
                   if intents & INTENT_GUILD_MEMBERS or uid == self.bot_id]
        data.update(
            id=str(guild_id), name=guild.name, owner_id=str(guild.owner_id), preferred_locale=guild.preferred_locale,
            features=list(guild.features), roles=copy.deepcopy(list(guild.roles.values())),
            channels=[{k: v for k, v in c.items() if k != "guild_id"} for c in copy.deepcopy(
                list(guild.channels.values()))],
            members=members, member_count=len(guild.members), threads=self._guild_threads(guild_id, archived=False),
            system_channel_id=next((str(c) for c in guild.channels), None),
            joined_at=guild.members[self.bot_id]["joined_at"])
        return data

    # ------------------------------------------------------------------ recorded calls and waiting

    def _changed(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "a condition") -> Any:
        """Wait (on the fake's events, no polling) until predicate() returns something truthy; return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(repr(c) for c in self.calls[-8:])
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}; last calls:\n  {recent}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), remaining)

    def find(self, method: str = "*", path: str | re.Pattern[str] = "**",
             where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Recorded calls matching method ("*" any), path glob (`*` one segment, `**` any) and predicate."""
        regex = _glob(path)
        return [c for c in self.calls if (method == "*" or c.method == method.upper())
                and regex.fullmatch(c.path) and (where is None or where(c))]

    async def next_call(self, method: str = "*", path: str | re.Pattern[str] = "**", *,
                        where: Callable[[Call], bool] | None = None, timeout: float = 15.0) -> Call:
        """The oldest matching call not yet returned by next_call, waiting for it; it is then marked taken."""
        def untaken() -> Call | None:
            call = next((c for c in self.find(method, path, where) if not c.taken), None)
            if call is not None:
                call.taken = True
            return call

        return await self.wait_until(untaken, timeout, f"{method} {path}")

    def fail_next(self, method: str, path: str | re.Pattern[str], status: int = 400, code: int = 0,
                  message: str = "", *, errors: dict[str, Any] | None = None, times: int = 1,
                  headers: dict[str, str] | None = None) -> None:
        """The next `times` matching requests answer `status` with {"message", "code"(, "errors")}."""
        body: dict[str, Any] = {"message": message or f"{status}", "code": code}
        if errors:
            body["errors"] = errors
        self._faults.append(_Fault(method.upper(), _glob(path), status, body, headers or {}, times))

    def lose_answer_next(self, method: str, path: str | re.Pattern[str], times: int = 1) -> None:
        """The next `times` matching requests are carried out, then the connection drops before the answer."""
        self._lost.append(_Fault(method.upper(), _glob(path), 0, None, {}, times))

    def outage(self, until: datetime, now: Callable[[], datetime], paths: tuple[str, ...] = ("**",)) -> None:
        """Until `until` on the clock `now`, requests to `paths` answer 503 (discord.py raises it at once)."""
        self.down_until, self._down_now, self._down_paths = until, now, [_glob(p) for p in paths]

    def _down(self, path: str) -> bool:
        if self.down_until is None or self._down_now is None or self._down_now() >= self.down_until:
            return False
        return any(p.fullmatch(path) for p in self._down_paths)

    def rate_limit_next(self, method: str, path: str | re.Pattern[str], retry_after: float = 0.05, *,
                        is_global: bool = False, times: int = 1, via: bool = True) -> None:
        """The next `times` matching requests answer 429 as Discord does (discord.py sleeps retry_after, retries).

        ``via=False`` imitates a Cloudflare ban (no Via header, text body): discord.py raises instead of retrying.
        """
        if not via:
            self._faults.append(_Fault(method.upper(), _glob(path), 429, "error code: 1015", {}, times))
            return
        headers = {
            "Via": "1.1 google", "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}", "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        self._faults.append(_Fault(method.upper(), _glob(path), 429, body, headers, times))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in ("*", method) and fault.path.fullmatch(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], str, Callable[..., Awaitable[Any]], bool]]:
        table: list[tuple[str, str, Callable[..., Awaitable[Any]], bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("POST", "/users/@me/channels", self._create_dm, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/applications/{app_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{app_id}/commands", self._put_commands, True),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands, True),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback, False),
            ("POST", "/webhooks/{app_id}/{token}", self._execute_webhook, False),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_message, False),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_message, False),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_message, False),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("PATCH", "/channels/{channel_id}", self._edit_channel, True),
            ("POST", "/channels/{channel_id}/threads", self._start_thread, True),
            ("GET", "/channels/{channel_id}/threads/archived/public", self._archived_threads, True),
            ("GET", "/guilds/{guild_id}/threads/active", self._active_threads, True),
            ("POST", "/channels/{channel_id}/messages", self._create_message, True),
            ("GET", "/channels/{channel_id}/messages", self._list_messages, True),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._channel_message, True),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._channel_message, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._channel_message, True),
            ("POST", "/channels/{channel_id}/typing", self._typing, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member, True),
        ]
        return [(method, re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)), template, handler, auth)
                for method, template, handler, auth in table]

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        if request.content_type == "application/json":
            raw = await request.read()
            return (json.loads(raw) if raw else None), []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[dict[str, Any]] = []
            async for part in await request.multipart():
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":
                    body = json.loads(data)
                else:
                    files.append({"field": part.name, "filename": part.filename,  # type: ignore[union-attr]
                                  "content_type": part.headers.get("Content-Type"), "data": bytes(data)})
            return body, files
        return None, []

    def _ratelimit_headers(self, bucket: str) -> dict[str, str]:
        return {"X-RateLimit-Bucket": hashlib.md5(bucket.encode()).hexdigest(), "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "49", "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                "X-RateLimit-Reset-After": "1.000"}

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        call = Call(request.method, path, dict(request.query), body, dict(request.headers), files)
        headers: dict[str, str] = {}
        status: int
        answer: Any
        route = None
        if request.match_info["version"] != str(API_VERSION):
            status, answer = 404, {"message": "404: Not Found", "code": 0}
        elif self._down(path):
            self.refused += 1
            status, answer = 503, {"message": "503: Service Unavailable", "code": 0}
        elif (fault := self._take_fault(request.method, path)) is not None:
            status, answer, headers = fault.status, fault.body, dict(fault.headers)
        else:
            matches = [(r, m) for r in self._routes if (m := r[1].fullmatch(path))]
            route, match = next(((r, m) for r, m in matches if r[0] == request.method), (None, None))
            if route is None or match is None:
                status, answer = (405, {"message": "405: Method Not Allowed", "code": 0}) if matches else (
                    404, {"message": "404: Not Found", "code": 0})
            elif route[4] and request.headers.get("Authorization") != f"Bot {self.token}":
                status, answer = 401, {"message": "401: Unauthorized", "code": 0}
            else:
                try:
                    status, answer = await route[3](call, **match.groupdict())
                except ApiError as exc:
                    status, answer = exc.status, exc.body
                except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test to see
                    self.errors.append(exc)
                    status, answer = 500, {"message": "500: Internal Server Error", "code": 0}
            if self.ratelimit_headers and status != 429:
                headers.update(self._ratelimit_headers(f"{request.method} {route[2] if route else path}"))
        call.status, call.response = status, answer
        call.index = len(self.calls)
        self.calls.append(call)
        self._changed()
        if status < 400 and (lost := next((f for f in self._lost if f.method in ("*", request.method)
                                            and f.path.fullmatch(path)), None)) is not None:
            lost.times -= 1
            if lost.times <= 0:
                self._lost.remove(lost)
            assert request.transport is not None
            request.transport.close()  # done, but the client sees the connection drop
            return web.Response(status=status)
        if answer is None:
            return web.Response(status=status, headers=headers)
        if isinstance(answer, str):
            return web.Response(status=status, text=answer, headers=headers)
        # Exactly "application/json": discord.py parses JSON only then (json_response would add "; charset=utf-8").
        return web.Response(status=status, body=json.dumps(answer).encode(),
                            headers={**headers, "Content-Type": "application/json"})

    # ------------------------------------------------------------------ REST: users, application, gateway

    async def _get_me(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self.bot_user)

    async def _get_user(self, call: Call, user_id: str) -> tuple[int, Any]:
        if not user_id.isdigit() or int(user_id) not in self.users:
            raise ApiError(404, 10013, "Unknown User")
        return 200, self.user(int(user_id))

    def application_flags(self) -> int:
        """GATEWAY_*_LIMITED flags for the privileged intents enabled, plus APPLICATION_COMMAND_BADGE."""
        flags = payload("application")["flags"]
        for intent, flag in ((INTENT_GUILD_PRESENCES, 1 << 13), (INTENT_GUILD_MEMBERS, 1 << 15),
                             (INTENT_MESSAGE_CONTENT, 1 << 19)):
            if not self.privileged_intents & intent:
                flags &= ~flag
        return int(flags)

    async def _get_application(self, call: Call) -> tuple[int, Any]:
        app = payload("application")
        owner = self.user(CAROL_ID) if CAROL_ID in self.users else self._public_user(self.bot_user)
        app.update(id=str(self.app_id), name=self.bot_user["username"], flags=self.application_flags(),
                   owner=owner, bot=self._public_user(self.bot_user))
        return 200, app

    async def _get_gateway(self, call: Call) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    async def _get_gateway_bot(self, call: Call) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}}

    async def _create_dm(self, call: Call) -> tuple[int, Any]:
        recipient = str((call.json or {}).get("recipient_id", ""))
        if not recipient.isdigit() or int(recipient) not in self.users or int(recipient) == self.bot_id:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return 200, self.dm_channel(int(recipient))

    # ------------------------------------------------------------------ REST: guilds, channels, messages

    def _guild_or_404(self, guild_id: str) -> _Guild:
        if not guild_id.isdigit() or int(guild_id) not in self.guilds:
            raise ApiError(404, 10004, "Unknown Guild")
        return self.guilds[int(guild_id)]

    async def _get_guild(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        data = self.guild_create(guild.id)
        for key in ("channels", "members", "threads", "presences", "voice_states", "stage_instances",
                    "guild_scheduled_events", "soundboard_sounds", "joined_at", "large", "member_count", "lazy"):
            data.pop(key, None)
        return 200, data

    async def _get_guild_channels(self, call: Call, guild_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        return 200, copy.deepcopy(list(guild.channels.values()))

    async def _get_member(self, call: Call, guild_id: str, user_id: str) -> tuple[int, Any]:
        guild = self._guild_or_404(guild_id)
        if not user_id.isdigit() or int(user_id) not in guild.members:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, self.member(guild.id, int(user_id))

    def _channel_or_404(self, channel_id: str) -> int:
        if not channel_id.isdigit() or self.channel(int(channel_id)) is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return int(channel_id)

    async def _get_channel(self, call: Call, channel_id: str) -> tuple[int, Any]:
        return 200, self.channel(self._channel_or_404(channel_id))

    async def _typing(self, call: Call, channel_id: str) -> tuple[int, Any]:
        self._channel_or_404(channel_id)
        return 204, None

    def _check_can_send(self, channel_id: int) -> None:
        channel = self.channel(channel_id) or {}
        if channel.get("type") in (15, 16):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if self._archived(channel_id):  # sending unarchives the thread, unless a moderator locked it
            if channel["thread_metadata"]["locked"] and not self._thread_permissions(channel_id) & (1 << 34):
                raise ApiError(400, 50083, "Operation cannot be performed on an archived thread")
            self.threads[channel_id]["thread_metadata"].update(archived=False, archive_timestamp=_now_iso())
        recipient = self.dm_recipient.get(channel_id)
        if recipient is not None and recipient in self.blocked_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        guild_id = self.channel_guild.get(channel_id)
        if guild_id is not None:
            perms = self.permissions(guild_id, self.bot_id, channel_id)
            if not perms & (1 << 10):
                raise ApiError(403, 50001, "Missing Access")
            if not perms & (1 << 11):
                raise ApiError(403, 50013, "Missing Permissions")

    async def _create_message(self, call: Call, channel_id: str) -> tuple[int, Any]:
        cid = self._channel_or_404(channel_id)
        body = call.json or {}
        self._check_message(body, call.files)
        self._check_can_send(cid)
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            raise _form_error({"nonce": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                      "message": "Must be 25 or fewer in length."}]}})
        if nonce is not None and body.get("enforce_nonce"):  # the same author's message with this nonce, returned
            for earlier in self.messages.values():  # (Discord keeps nonces for a few minutes; the fake, for its run)
                if (earlier["channel_id"] == str(cid) and earlier.get("nonce") == str(nonce)
                        and int(earlier["author"]["id"]) == self.bot_id):
                    return 200, copy.deepcopy(earlier)
        ref = body.get("message_reference")
        message = self._new_message(cid, body, call.files, type=19 if ref else 0, flag_mask=CHANNEL_MESSAGE_FLAGS)
        if nonce is not None:
            message["nonce"] = str(nonce)
        if ref:
            message["message_reference"] = {"type": 0, "channel_id": str(cid), **ref}
        await self._echo("MESSAGE_CREATE", message)
        return 200, copy.deepcopy(message)

    async def _list_messages(self, call: Call, channel_id: str) -> tuple[int, Any]:
        """GET /channels/{id}/messages: newest first, up to `limit` (1-100, default 50); as on Discord, the history
        does not show the nonce a message was created with."""
        cid = self._channel_or_404(channel_id)
        limit = int(call.query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise _form_error({"limit": {"_errors": [{"code": "NUMBER_TYPE_MAX", "message": "Must be 1 to 100."}]}})
        found = [m for m in self.messages.values() if m["channel_id"] == str(cid) and not m["flags"] & FLAG_EPHEMERAL]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return 200, [{k: v for k, v in copy.deepcopy(m).items() if k != "nonce"} for m in found[:limit]]

    async def _channel_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        cid = self._channel_or_404(channel_id)
        message = self.messages.get(int(message_id)) if message_id.isdigit() else None
        if message is None or int(message["channel_id"]) != cid or message["flags"] & FLAG_EPHEMERAL:
            raise ApiError(404, 10008, "Unknown Message")
        if call.method == "GET":
            return 200, copy.deepcopy(message)
        if call.method == "DELETE":
            del self.messages[int(message_id)]
            await self._echo("MESSAGE_DELETE", message)
            return 204, None
        if int(message["author"]["id"]) != self.bot_id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        if self._archived(cid):  # "users cannot edit messages [...] in archived threads" (Discord's threads topic)
            raise ApiError(400, 50083, "Operation cannot be performed on an archived thread")
        self._check_message(call.json or {}, call.files, allow_empty=True)
        self._update_message(message, call.json or {}, call.files, flag_mask=CHANNEL_MESSAGE_FLAGS)
        await self._echo("MESSAGE_UPDATE", message)
        return 200, copy.deepcopy(message)

    def put_message(self, channel_id: int, content: str = "", *, author_id: int | None = None,
                    components: list[dict[str, Any]] | None = None, embeds: list[dict[str, Any]] | None = None,
                    flags: int = 0) -> dict[str, Any]:
        """Store a message as if it existed in the channel (e.g. one a previous bot run posted)."""
        message = self._new_message(channel_id, {"content": content, "components": components or [],
                                                 "embeds": embeds or [], "flags": flags}, [], type=0,
                                    flag_mask=INTERACTION_MESSAGE_FLAGS | FLAG_LOADING)
        if author_id is not None:
            message["author"] = self.user(author_id)
        return message

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        channel = self.dm_channels.get(user_id)
        return [] if channel is None else self.channel_messages(int(channel["id"]))

    @staticmethod
    def _assign_component_ids(components: list[dict[str, Any]], counter: Iterator[int] | None = None) -> None:
        """Discord numbers every component (depth first, from 1) when the sender did not."""
        counter = counter or itertools.count(1)
        for component in components:
            if component.get("id") is None:
                component["id"] = next(counter)
            else:
                next(counter)
            if isinstance(component.get("components"), list):
                FakeDiscord._assign_component_ids(component["components"], counter)
            for key in ("component", "accessory"):
                if isinstance(component.get(key), dict):
                    FakeDiscord._assign_component_ids([component[key]], counter)

    def _attachments(self, channel_id: int, body: dict[str, Any], files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for index, file in enumerate(files):
            described = next((a for a in body.get("attachments") or [] if str(a.get("id")) == str(index)), {})
            attachment_id = self._snowflake()
            url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{file['filename']}"
            out.append({"id": str(attachment_id), "filename": file["filename"], "size": len(file["data"]),
                        "url": url, "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                        "content_type": file["content_type"] or "application/octet-stream",
                        "description": described.get("description")})
        return out

    def _new_message(self, channel_id: int, body: dict[str, Any], files: list[dict[str, Any]], *, type: int,
                     flag_mask: int, interaction: _Interaction | None = None) -> dict[str, Any]:
        message_id = self._snowflake()
        message = payload("message")
        message.update(id=str(message_id), channel_id=str(channel_id), author=self._public_user(self.bot_user),
                       timestamp=_now_iso(), type=type, content=body.get("content") or "",
                       tts=bool(body.get("tts")), flags=int(body.get("flags") or 0) & flag_mask,
                       attachments=self._attachments(channel_id, body, files))
        message["embeds"] = [{"type": "rich", **e} for e in copy.deepcopy(body.get("embeds") or [])]
        message["components"] = copy.deepcopy(body.get("components") or [])
        self._assign_component_ids(message["components"])
        if interaction is not None:
            message.update(webhook_id=str(self.app_id), application_id=str(self.app_id))
            message["interaction_metadata"] = self._interaction_metadata(interaction)
            if interaction.payload["type"] == 2:
                message["interaction"] = {"id": interaction.payload["id"], "type": 2,
                                          "name": interaction.payload["data"]["name"],
                                          "user": self._interaction_user(interaction.payload)}
            interaction.message_ids.add(message_id)
        self.messages[message_id] = message
        return message

    def _update_message(self, message: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]], *,
                        flag_mask: int) -> None:
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = [{"type": "rich", **e} for e in copy.deepcopy(body["embeds"] or [])]
        if "components" in body:
            message["components"] = copy.deepcopy(body["components"] or [])
            self._assign_component_ids(message["components"])
        if "flags" in body and body["flags"] is not None:
            kept = message["flags"] & ~flag_mask
            message["flags"] = kept | (int(body["flags"]) & flag_mask)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            old = [a for a in message["attachments"] if a["id"] in kept_ids]
            message["attachments"] = old + self._attachments(int(message["channel_id"]), body, files)
        message["edited_timestamp"] = _now_iso()

    async def _echo(self, event: str, message: dict[str, Any]) -> None:
        """Discord dispatches the bot's own (non-ephemeral) messages to it too, given the intent."""
        if not self.echo_messages or self.session is None or message["flags"] & FLAG_EPHEMERAL:
            return
        channel_id = int(message["channel_id"])
        guild_id = self.channel_guild.get(channel_id)
        intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        if not self.session.intents & intent:
            return
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
        else:
            data = copy.deepcopy(message)
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            if event != "MESSAGE_DELETE" and int(message["author"]["id"]) in self.guilds[guild_id].members:
                data["member"] = self.member(guild_id, int(message["author"]["id"]), with_user=False)
        await self._send_dispatch(self.session, event, data)

    async def user_message(self, channel_id: int, user_id: int, content: str) -> dict[str, Any]:
        """A user posts a message: stored and dispatched as MESSAGE_CREATE (content stripped as Discord does
        without the MESSAGE_CONTENT intent, except in DMs and when the bot is mentioned)."""
        message = self._new_message(channel_id, {"content": content}, [], type=0, flag_mask=0)
        message["author"] = self.user(user_id)
        data = copy.deepcopy(message)
        guild_id = self.channel_guild.get(channel_id)
        session = (await self.wait_ready()).session
        assert session is not None
        intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        if session.intents & intent:
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
                data["member"] = self.member(guild_id, user_id, with_user=False)
                if not session.intents & INTENT_MESSAGE_CONTENT and f"<@{self.bot_id}>" not in content:
                    data.update(content="", embeds=[], attachments=[], components=[])
            await self._send_dispatch(session, "MESSAGE_CREATE", data)
        return message

    # ------------------------------------------------------------------ validation (what Discord answers 400 to)

    def _check_message(self, body: dict[str, Any], files: list[dict[str, Any]], *, allow_empty: bool = False,
                       prefix: tuple[Any, ...] = ()) -> None:
        errors: dict[str, Any] = {}
        flags = int(body.get("flags") or 0)
        content = body.get("content")
        _max_len(errors, (*prefix, "content"), content, 2000)
        embeds = body.get("embeds") or []
        _max_len(errors, (*prefix, "embeds"), embeds, 10)
        for i, embed in enumerate(embeds):
            at = (*prefix, "embeds", i)
            _max_len(errors, (*at, "title"), embed.get("title"), 256)
            _max_len(errors, (*at, "description"), embed.get("description"), 4096)
            _max_len(errors, (*at, "fields"), embed.get("fields") or [], 25)
            _max_len(errors, (*at, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048)
            _max_len(errors, (*at, "author", "name"), (embed.get("author") or {}).get("name"), 256)
            size = sum(len(str(embed.get(k) or "")) for k in ("title", "description"))
            size += len(str((embed.get("footer") or {}).get("text") or ""))
            size += len(str((embed.get("author") or {}).get("name") or ""))
            for j, fld in enumerate(embed.get("fields") or []):
                _max_len(errors, (*at, "fields", j, "name"), fld.get("name"), 256)
                _max_len(errors, (*at, "fields", j, "value"), fld.get("value"), 1024)
                size += len(str(fld.get("name") or "")) + len(str(fld.get("value") or ""))
            if size > 6000:
                _add_error(errors, (*prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED",
                           "Embed size exceeds maximum size of 6000")
        components = body.get("components") or []
        if flags & FLAG_COMPONENTS_V2:
            if content or embeds:
                _add_error(errors, (*prefix, "content"), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                           "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2")
            self._check_components_v2(errors, components, prefix)
        else:
            self._check_action_rows(errors, components, prefix)
        if errors:
            raise _form_error(errors)
        empty = not (content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
                     or body.get("attachments"))
        if empty and not allow_empty:
            raise ApiError(400, 50006, "Cannot send an empty message")

    def _check_action_rows(self, errors: dict[str, Any], rows: list[dict[str, Any]], prefix: tuple[Any, ...]) -> None:
        _max_len(errors, (*prefix, "components"), rows, 5)
        seen: set[str] = set()
        for i, row in enumerate(rows):
            at = (*prefix, "components", i)
            if row.get("type") != 1:
                _add_error(errors, (*at, "type"), "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
                continue
            children = row.get("components") or []
            if not children:
                _add_error(errors, (*at, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            _max_len(errors, (*at, "components"), children, 5)
            if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
                _add_error(errors, (*at, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                           "The specified component exceeds the maximum width")
            for j, child in enumerate(children):
                self._check_interactive(errors, child, (*at, "components", j), seen)

    def _check_components_v2(self, errors: dict[str, Any], components: list[dict[str, Any]],
                             prefix: tuple[Any, ...]) -> None:
        seen: set[str] = set()
        count = 0

        def walk(items: list[dict[str, Any]], at: tuple[Any, ...]) -> None:
            nonlocal count
            for i, item in enumerate(items):
                count += 1
                self._check_interactive(errors, item, (*at, i), seen)
                if isinstance(item.get("components"), list):
                    walk(item["components"], (*at, i, "components"))
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]], (*at, i, "accessory"))

        walk(components, (*prefix, "components"))
        if count > 40:
            _add_error(errors, (*prefix, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")

    @staticmethod
    def _check_interactive(errors: dict[str, Any], item: dict[str, Any], at: tuple[Any, ...], seen: set[str]) -> None:
        kind = item.get("type")
        if kind not in {2, 4, *SELECT_TYPES}:
            return
        custom_id = item.get("custom_id")
        if kind == 2 and item.get("style") == 5:
            if not item.get("url"):
                _add_error(errors, (*at, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        elif kind == 2 and item.get("style") == 6:
            pass  # premium button: sku_id
        elif not custom_id:
            _add_error(errors, (*at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        if custom_id:
            _max_len(errors, (*at, "custom_id"), custom_id, 100)
            if custom_id in seen:
                _add_error(errors, (*at, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED",
                           "Component custom id cannot be duplicated")
            seen.add(custom_id)
        _max_len(errors, (*at, "label"), item.get("label"), 80)
        _max_len(errors, (*at, "placeholder"), item.get("placeholder"), 150)
        if kind == 3:
            options = item.get("options") or []
            if not 1 <= len(options) <= 25:
                _add_error(errors, (*at, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
            for k, option in enumerate(options):
                _max_len(errors, (*at, "options", k, "label"), option.get("label"), 100)
                _max_len(errors, (*at, "options", k, "value"), option.get("value"), 100)

    def _check_modal(self, data: dict[str, Any]) -> None:
        errors: dict[str, Any] = {}
        at: tuple[Any, ...] = ("data",)
        if not data.get("title"):
            _add_error(errors, (*at, "title"), "BASE_TYPE_REQUIRED", "This field is required")
        _max_len(errors, (*at, "title"), data.get("title"), 45)
        if not data.get("custom_id"):
            _add_error(errors, (*at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        _max_len(errors, (*at, "custom_id"), data.get("custom_id"), 100)
        components = data.get("components") or []
        if not 1 <= len(components) <= 5:
            _add_error(errors, (*at, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        seen: set[str] = set()
        for i, component in enumerate(components):
            where = (*at, "components", i)
            if component.get("type") == 1:
                children = component.get("components") or []
                if len(children) != 1 or children[0].get("type") != 4:
                    _add_error(errors, (*where, "components"), "BASE_TYPE_BAD_LENGTH",
                               "An action row in a modal holds exactly one text input.")
                inner = [(child, (*where, "components", j)) for j, child in enumerate(children)]
                for child, child_at in inner:
                    _max_len(errors, (*child_at, "label"), child.get("label"), 45)
            elif component.get("type") == 18:
                _max_len(errors, (*where, "label"), component.get("label"), 45)
                _max_len(errors, (*where, "description"), component.get("description"), 100)
                inner = [(component.get("component") or {}, (*where, "component"))]
            elif component.get("type") == 10:
                inner = []
            else:
                _add_error(errors, (*where, "type"), "UNION_TYPE_CHOICES",
                           "Value of field \"type\" must be one of (1, 10, 18).")
                inner = []
            for child, child_at in inner:
                self._check_interactive(errors, child, child_at, seen)
                if child.get("type") == 4:
                    _max_len(errors, (*child_at, "value"), child.get("value"), 4000)
                    _max_len(errors, (*child_at, "placeholder"), child.get("placeholder"), 100)
                    if int(child.get("max_length") or 0) > 4000:
                        _add_error(errors, (*child_at, "max_length"), "NUMBER_TYPE_MAX",
                                   "int value should be less than or equal to 4000.")
        if errors:
            raise _form_error(errors)

    def _check_choices(self, data: dict[str, Any]) -> None:
        errors: dict[str, Any] = {}
        choices = data.get("choices") or []
        _max_len(errors, ("data", "choices"), choices, 25)
        for i, choice in enumerate(choices):
            name = choice.get("name")
            if not isinstance(name, str) or not name:
                _add_error(errors, ("data", "choices", i, "name"), "BASE_TYPE_REQUIRED", "This field is required")
            _max_len(errors, ("data", "choices", i, "name"), name, 100)
            _max_len(errors, ("data", "choices", i, "value"), choice.get("value"), 100)
        if errors:
            raise _form_error(errors)

    def _check_commands(self, commands: Any) -> None:
        if not isinstance(commands, list):
            raise _form_error({"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Only iterables may be used "
                                                                                     "in a ListType"}]})
        errors: dict[str, Any] = {}
        names: set[tuple[str, int]] = set()
        for i, command in enumerate(commands):
            kind = int(command.get("type") or 1)
            key = (command.get("name"), kind)
            if key in names:
                _add_error(errors, (i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                           f"Application command names must be unique: {key[0]}")
            names.add(key)  # type: ignore[arg-type]
            self._check_command(errors, command, (i,), chat_input=kind == 1, depth=0)
        if sum(1 for c in commands if int(c.get("type") or 1) == 1) > 100:
            _add_error(errors, (), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        if errors:
            raise _form_error(errors)

    def _check_command(self, errors: dict[str, Any], command: dict[str, Any], at: tuple[Any, ...], *,
                       chat_input: bool, depth: int) -> None:
        if not _valid_command_name(command.get("name"), chat_input=chat_input):
            _add_error(errors, (*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        for locale, name in (command.get("name_localizations") or {}).items():
            if not _valid_command_name(name, chat_input=chat_input):
                _add_error(errors, (*at, "name_localizations", locale), "APPLICATION_COMMAND_INVALID_NAME",
                           "Command name is invalid")
        description = command.get("description") or ""
        if chat_input and not 1 <= len(description) <= 100:
            _add_error(errors, (*at, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        for locale, text in (command.get("description_localizations") or {}).items():
            _max_len(errors, (*at, "description_localizations", locale), text, 100)
        options = command.get("options") or []
        _max_len(errors, (*at, "options"), options, 25)
        optional_seen = False
        seen: set[str] = set()
        for j, option in enumerate(options):
            where = (*at, "options", j)
            kind = option.get("type")
            if kind in (1, 2) and depth >= (1 if kind == 2 else 2):
                _add_error(errors, (*where, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                           "Sub-command and sub-command group option types are mutually exclusive to all other types")
            if option.get("name") in seen:
                _add_error(errors, (*where, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                           "Option names must be unique")
            seen.add(option.get("name"))
            if kind not in (1, 2):
                if option.get("required") and optional_seen:
                    _add_error(errors, (*where, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                               "Required options must be placed before non-required options")
                optional_seen = optional_seen or not option.get("required")
                _max_len(errors, (*where, "choices"), option.get("choices") or [], 25)
                if option.get("choices") and option.get("autocomplete"):
                    _add_error(errors, (*where, "autocomplete"), "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
                               "Autocomplete cannot be set with choices")
            self._check_command(errors, option, where, chat_input=True, depth=depth + 1)

    # ------------------------------------------------------------------ REST: application commands

    def _scope(self, app_id: str, guild_id: str | None) -> int | None:
        if app_id != str(self.app_id):
            raise ApiError(403, 50001, "Missing Access")
        if guild_id is None:
            return None
        if not guild_id.isdigit() or int(guild_id) not in self.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return int(guild_id)

    async def _get_commands(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        return 200, copy.deepcopy(self.commands.get(self._scope(app_id, guild_id), []))

    async def _put_commands(self, call: Call, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        scope = self._scope(app_id, guild_id)
        self._check_commands(call.json)
        previous = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
        synced = []
        for sent in call.json:
            kind = int(sent.get("type") or 1)
            old = previous.get((sent["name"], kind))
            command = payload("application_command")
            command.update(
                id=old["id"] if old else str(self._snowflake()), application_id=str(self.app_id), type=kind,
                name=sent["name"], description=sent.get("description") or "",
                name_localizations=sent.get("name_localizations"),
                description_localizations=sent.get("description_localizations"),
                default_member_permissions=sent.get("default_member_permissions"),
                nsfw=bool(sent.get("nsfw")), contexts=sent.get("contexts"),
                integration_types=sent.get("integration_types") or [0])
            if sent.get("options"):
                command["options"] = copy.deepcopy(sent["options"])
            else:
                command.pop("options")
            if scope is None:
                command.pop("guild_id")
                command["dm_permission"] = sent.get("dm_permission", True) is not False
            else:
                command["guild_id"] = str(scope)
            unchanged = old is not None and {k: v for k, v in old.items() if k != "version"} == {
                k: v for k, v in command.items() if k != "version"}
            command["version"] = old["version"] if unchanged and old else str(self._snowflake())
            synced.append(command)
        self.commands[scope] = synced
        return 200, copy.deepcopy(synced)

    def find_command(self, name: str, *, guild_id: int | None, type: int = 1) -> dict[str, Any]:
        """The synced command a user can invoke here (guild commands first, then global ones)."""
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] != name or command["type"] != type:
                    continue
                if guild_id is None and command.get("dm_permission") is False:
                    continue  # global command hidden from DMs
                contexts = command.get("contexts")
                if contexts is not None and (0 if guild_id is not None else 1) not in contexts:
                    continue  # not allowed in this context (0 guild, 1 bot DM)
                return command
        synced = {scope: [c["name"] for c in cmds] for scope, cmds in self.commands.items()}
        where = f"guild {guild_id}" if guild_id is not None else "DMs"
        raise LookupError(f"no synced command {name!r} (type {type}) usable in {where}; synced: {synced}")

    # ------------------------------------------------------------------ REST: interaction callback and webhooks

    def _interaction_metadata(self, st: _Interaction) -> dict[str, Any]:
        p = st.payload
        meta: dict[str, Any] = {"id": p["id"], "type": p["type"], "user": self._interaction_user(p),
                                "authorizing_integration_owners": copy.deepcopy(p["authorizing_integration_owners"])}
        if p["type"] == 2:
            meta.update(name=p["data"]["name"], command_type=p["data"].get("type", 1))
        if p.get("message"):
            meta["interacted_message_id"] = p["message"]["id"]
        if st.original_id is not None:
            meta["original_response_message_id"] = str(st.original_id)
        return meta

    @staticmethod
    def _interaction_user(p: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(p["member"]["user"] if "member" in p else p["user"])

    async def _interaction_callback(self, call: Call, interaction_id: str, token: str) -> tuple[int, Any]:
        st = self.interactions.get(int(interaction_id)) if interaction_id.isdigit() else None
        if st is None or st.payload["token"] != token:
            raise ApiError(404, 10062, "Unknown interaction")
        loop = asyncio.get_running_loop()
        if (self.callback_deadline is not None and st.dispatched_at is not None
                and loop.time() - st.dispatched_at > self.callback_deadline):
            raise ApiError(404, 10062, "Unknown interaction")
        if st.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = call.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        itype = st.payload["type"]
        if kind not in ALLOWED_CALLBACKS.get(itype, set()):
            raise _form_error({"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                                     "message": "Interaction response type is invalid"}]}})
        channel_id = int(st.payload["channel_id"])
        resource: dict[str, Any] | None = None
        info: dict[str, Any] = {"id": st.payload["id"], "type": itype}
        message_type = (20 if st.payload["data"].get("type", 1) == 1 else 23) if itype == 2 else 0
        if kind == 4:
            self._check_message(data, call.files, prefix=("data",))
            message = self._new_message(channel_id, data, call.files, type=message_type,
                                        flag_mask=INTERACTION_MESSAGE_FLAGS, interaction=st)
            st.original_id = int(message["id"])
            resource = {"type": 4, "message": copy.deepcopy(message)}
        elif kind == 5:
            message = self._new_message(channel_id, {"flags": int(data.get("flags") or 0)}, [], type=message_type,
                                        flag_mask=FLAG_EPHEMERAL, interaction=st)
            message["flags"] |= FLAG_LOADING
            st.original_id = int(message["id"])
            info["response_message_loading"] = True
            resource = {"type": 5}
        elif kind in (6, 7):
            source = st.payload.get("message")
            if source is None:
                raise _form_error({"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                                         "message": "This interaction has no message to update"}]}})
            message = self.messages.setdefault(int(source["id"]), copy.deepcopy(source))
            st.original_id = int(message["id"])
            if kind == 7:
                self._check_message(data, call.files, allow_empty=True, prefix=("data",))
                self._update_message(message, data, call.files, flag_mask=CHANNEL_MESSAGE_FLAGS)
                resource = {"type": 7, "message": copy.deepcopy(message)}
            else:
                resource = {"type": 6}
        elif kind == 8:
            self._check_choices(data)
            st.choices = copy.deepcopy(data.get("choices") or [])
        elif kind == 9:
            self._check_modal(data)
            st.modal = copy.deepcopy(data)
            self._assign_component_ids(st.modal.get("components") or [])
        st.response_type = kind
        if st.original_id is not None:
            message = self.messages[st.original_id]
            info.update(response_message_id=message["id"],
                        response_message_ephemeral=bool(message["flags"] & FLAG_EPHEMERAL))
            if kind in (4, 5):
                await self._echo("MESSAGE_CREATE", message)
            elif kind == 7:
                await self._echo("MESSAGE_UPDATE", message)
        if not _truthy(call.query.get("with_response")):
            return 204, None
        answer: dict[str, Any] = {"interaction": info}
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    def _webhook_interaction(self, app_id: str, token: str) -> _Interaction:
        if app_id != str(self.app_id):
            raise ApiError(404, 10015, "Unknown Webhook")
        st = self._by_token.get(token)
        if st is None:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if self.strict and st.response_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        return st

    async def _execute_webhook(self, call: Call, app_id: str, token: str) -> tuple[int, Any]:
        st = self._webhook_interaction(app_id, token)
        body = call.json or {}
        self._check_message(body, call.files)
        original = self.messages.get(st.original_id) if st.original_id is not None else None
        if original is not None and original["flags"] & FLAG_LOADING:
            # The first follow-up after a "thinking" defer replaces the loading message (keeping its ephemerality).
            self._update_message(original, body, call.files, flag_mask=CHANNEL_MESSAGE_FLAGS)
            original["flags"] &= ~FLAG_LOADING
            message = original
            await self._echo("MESSAGE_UPDATE", message)
        else:
            message = self._new_message(int(st.payload["channel_id"]), body, call.files, type=0,
                                        flag_mask=INTERACTION_MESSAGE_FLAGS, interaction=st)
            await self._echo("MESSAGE_CREATE", message)
        if not _truthy(call.query.get("wait")):
            return 204, None
        return 200, copy.deepcopy(message)

    async def _webhook_message(self, call: Call, app_id: str, token: str, message_id: str) -> tuple[int, Any]:
        st = self._webhook_interaction(app_id, token)
        if message_id == "@original":
            wanted = st.original_id
        else:
            wanted = int(message_id) if message_id.isdigit() and int(message_id) in st.message_ids else None
        message = self.messages.get(wanted) if wanted is not None else None
        if message is None:
            raise ApiError(404, 10008, "Unknown Message")
        if call.method == "GET":
            return 200, copy.deepcopy(message)
        if call.method == "DELETE":
            del self.messages[int(message["id"])]
            await self._echo("MESSAGE_DELETE", message)
            return 204, None
        body = call.json or {}
        self._check_message(body, call.files, allow_empty=True)
        self._update_message(message, body, call.files, flag_mask=CHANNEL_MESSAGE_FLAGS)
        message["flags"] &= ~FLAG_LOADING
        await self._echo("MESSAGE_UPDATE", message)
        return 200, copy.deepcopy(message)

    # ------------------------------------------------------------------ gateway

    def _current_connection(self) -> Connection | None:
        for conn in reversed(self.connections):
            if conn.ready and conn.open and conn.session is not None:
                return conn
        return None

    async def wait_ready(self, timeout: float = 15.0) -> Connection:
        """Wait until a client has identified (or resumed) and got READY; return its connection."""
        return await self.wait_until(self._current_connection, timeout, "a READY gateway connection")

    async def wait_closed(self, timeout: float = 15.0) -> None:
        """Wait until no client is connected to the gateway."""
        await self.wait_until(lambda: all(c.closed for c in self.connections), timeout, "gateway closed")

    async def dispatch(self, event: str, data: dict[str, Any], *, timeout: float = 15.0) -> int:
        """Send a dispatch (op 0) to the connected client; returns its sequence number."""
        conn = await self.wait_ready(timeout)
        assert conn.session is not None
        return await self._send_dispatch(conn.session, event, data)

    async def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        conn = session.connection
        if conn is not None and conn.open:
            await conn.send(frame)
        return session.seq

    async def request_reconnect(self, timeout: float = 15.0) -> Connection:
        """Send op 7 RECONNECT; discord.py reconnects to resume_gateway_url and RESUMEs. Returns the new connection."""
        old = await self.wait_ready(timeout)
        await old.send({"op": 7, "d": None, "s": None, "t": None})
        return await self.wait_until(lambda: (c := self._current_connection()) is not None and c is not old and c,
                                     timeout, "a resumed connection")

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (discord.py then re-identifies, after its 5 s before_identify delay)."""
        conn = await self.wait_ready()
        if not resumable and conn.session is not None:
            self._end_session(conn.session)
        await conn.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the client's websocket from the server side (discord.py reconnects and resumes for most codes)."""
        conn = await self.wait_ready()
        await conn.close(code)

    def _end_session(self, session: Session) -> None:
        self.sessions.pop(session.id, None)
        if self.session is session:
            self.session = None

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, dict(request.query))
        self.connections.append(conn)
        self._changed()
        try:
            await conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval,
                                             "_trace": ["[\"gateway-prd-fake-0\",{\"micros\":0.0}]"]},
                             "s": None, "t": None})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                conn.received.append(frame)
                self._changed()
                await self._gateway_op(conn, frame)
        except Exception as exc:  # a bug in the fake
            self.errors.append(exc)
            await conn.close(4000)
        finally:
            conn.closed = True
            if not conn.closed_by_server:
                conn.close_code = ws.close_code
            # A client's clean close (1000/1001) ends the session, as on Discord; other codes leave it resumable.
            clean = not conn.closed_by_server and ws.close_code in (1000, 1001)
            if conn.session is not None and clean and conn.session.connection is conn:
                self._end_session(conn.session)
            self._changed()
        return ws

    async def _gateway_op(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            conn.heartbeats += 1
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        elif op == 8:
            await self._request_members(conn, d or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: recorded in conn.received
        else:
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if d.get("token") != self.token:
            await conn.close(4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.close(4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.close(4014, "Disallowed intent(s).")
            return
        self.identifies.append(d)
        session = Session(uuid.uuid4().hex, d, intents, connection=conn)
        self.sessions[session.id] = session
        self.session = session
        conn.session = session
        shard = d.get("shard")
        guild_ids = [g for g in self.guilds if shard is None or (g >> 22) % shard[1] == shard[0]]
        ready = payload("ready")
        ready.update(user=copy.deepcopy(self.bot_user), session_id=session.id, resume_gateway_url=self.gateway_url,
                     guilds=[{"id": str(g), "unavailable": True} for g in guild_ids])
        ready["application"] = {"id": str(self.app_id), "flags": self.application_flags()}
        if shard is not None:
            ready["shard"] = shard
        await self._send_dispatch(session, "READY", ready)
        for guild_id in guild_ids:
            await self._send_dispatch(session, "GUILD_CREATE", self.guild_create(guild_id, intents))
        conn.ready = True
        self._changed()

    async def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or d.get("token") != self.token:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        self.resumes.append(d)
        old = session.connection
        session.connection = conn
        conn.session = session
        self.session = session
        if old is not None and old is not conn and old.open:
            await old.close(4000)
        seq = d.get("seq") or 0
        for frame in session.events:
            if frame["s"] > seq:
                await conn.send(frame)
        await self._send_dispatch(session, "RESUMED", {"_trace": ["[\"gateway-prd-fake-0\",{\"micros\":0.0}]"]})
        conn.ready = conn.resumed = True
        self._changed()

    async def _request_members(self, conn: Connection, d: dict[str, Any]) -> None:
        if conn.session is None:
            return
        guild_id = int(d["guild_id"])
        guild = self.guilds[guild_id]
        query = (d.get("query") or "").lower()
        wanted = {int(u) for u in d.get("user_ids") or []}
        members = [self.member(guild_id, uid) for uid in guild.members
                   if (uid in wanted if wanted else self.users[uid]["username"].startswith(query))]
        limit = d.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {"guild_id": str(guild_id), "members": members, "chunk_index": 0, "chunk_count": 1}
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        if wanted:
            chunk["not_found"] = [str(u) for u in wanted if u not in guild.members]
        await self._send_dispatch(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    # ------------------------------------------------------------------ interaction payload builders

    def _user_id(self, user: int | dict[str, Any] | None, default: int) -> int:
        if user is None:
            return default
        return int(user["id"]) if isinstance(user, dict) else int(user)

    def _interaction_base(self, fixture: str, *, user_id: int, guild_id: int | None,
                          channel_id: int | None) -> dict[str, Any]:
        p = payload(fixture)
        p["id"] = str(self._snowflake())
        p["token"] = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
        p["application_id"] = str(self.app_id)
        p["locale"] = self.locales.get(user_id, "en-US")
        p["attachment_size_limit"] = ATTACHMENT_SIZE_LIMIT
        if guild_id is not None:
            guild = self.guilds[guild_id]
            if user_id not in guild.members:
                raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
            channel_id = channel_id or next(iter(guild.channels))
            channel = self.channel(channel_id) if channel_id in self.threads else copy.deepcopy(
                guild.channels[channel_id])
            assert channel is not None
            channel.pop("permission_overwrites", None)
            channel["permissions"] = str(self.permissions(guild_id, user_id, channel_id))
            p.update(guild_id=str(guild_id), guild_locale=guild.preferred_locale, channel=channel,
                     channel_id=str(channel_id),
                     guild={"features": list(guild.features), "id": str(guild_id), "locale": guild.preferred_locale},
                     member=self.member(guild_id, user_id, permissions_in=channel_id),
                     app_permissions=str(self.permissions(guild_id, self.bot_id, channel_id)),
                     authorizing_integration_owners={"0": str(guild_id)}, context=0)
            p.pop("user", None)
        else:
            channel = self.dm_channel(user_id)
            p.update(channel=channel, channel_id=channel["id"], app_permissions=str(DM_APP_PERMISSIONS),
                     authorizing_integration_owners={"0": "0"}, context=1, user=self.user(user_id))
            for key in ("guild_id", "guild_locale", "guild", "member"):
                p.pop(key, None)
        return p

    def _place(self, *, dm: bool, guild_id: int | None, channel_id: int | None) -> tuple[int | None, int | None]:
        if dm:
            return None, None
        if channel_id is not None:
            if channel_id in self.dm_recipient:
                return None, None
            return self.channel_guild[channel_id], channel_id
        return (guild_id if guild_id is not None else next(iter(self.guilds))), None

    def _resolve(self, resolved: dict[str, Any], kind: int, value: Any, guild_id: int | None) -> str:
        if kind == 11:  # attachment: value is {"filename", "size"?, "content_type"?}
            attachment_id = str(self._snowflake())
            name = value["filename"]
            url = f"https://cdn.discordapp.com/ephemeral-attachments/{self.app_id}/{attachment_id}/{name}"
            resolved.setdefault("attachments", {})[attachment_id] = {
                "id": attachment_id, "filename": name, "size": int(value.get("size", 0)), "url": url,
                "proxy_url": url, "content_type": value.get("content_type", "application/octet-stream"),
                "ephemeral": True}
            return attachment_id
        snowflake = int(value["id"]) if isinstance(value, dict) else int(value)
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        if kind == 9:
            kind = 8 if guild is not None and snowflake in guild.roles else 6
        if kind == 6:
            if snowflake not in self.users:
                raise LookupError(f"unknown user {snowflake}")
            resolved.setdefault("users", {})[str(snowflake)] = self.user(snowflake)
            if guild is not None and snowflake in guild.members:
                member = self.member(guild.id, snowflake, with_user=False, permissions_in=None)
                member["permissions"] = str(self.permissions(guild.id, snowflake))
                resolved.setdefault("members", {})[str(snowflake)] = member
        elif kind == 7:
            channel = self.channel(snowflake)
            if channel is None:
                raise LookupError(f"unknown channel {snowflake}")
            channel.pop("permission_overwrites", None)
            if guild is not None:
                channel["permissions"] = str(self.permissions(guild.id, self.bot_id, snowflake))
            resolved.setdefault("channels", {})[str(snowflake)] = channel
        elif kind == 8:
            if guild is None or snowflake not in guild.roles:
                raise LookupError(f"unknown role {snowflake}")
            resolved.setdefault("roles", {})[str(snowflake)] = copy.deepcopy(guild.roles[snowflake])
        return str(snowflake)

    def _option_value(self, option: dict[str, Any], value: Any, resolved: dict[str, Any], guild_id: int | None) -> Any:
        kind = option["type"]
        if kind == 3:
            value = str(value)
            if not option.get("min_length", 0) <= len(value) <= option.get("max_length", 6000):
                raise ValueError(f"option {option['name']!r}: length out of range")
        elif kind == 4:
            if isinstance(value, bool) or int(value) != value:
                raise TypeError(f"option {option['name']!r} is an integer")
            value = int(value)
        elif kind == 5:
            value = bool(value)
        elif kind == 10:
            value = float(value) if not isinstance(value, int) else value
        elif kind in (6, 7, 8, 9, 11):
            channel = self.channel(int(value["id"]) if isinstance(value, dict) else int(value)) if kind == 7 else None
            if channel is not None and option.get("channel_types") and channel["type"] not in option["channel_types"]:
                raise ValueError(f"option {option['name']!r} takes channels of types {option['channel_types']}, "
                                 f"not {channel['type']}")  # Discord's client does not offer them
            return self._resolve(resolved, kind, value, guild_id)
        if kind in (4, 10) and not option.get("min_value", -math.inf) <= value <= option.get("max_value", math.inf):
            raise ValueError(f"option {option['name']!r}: {value} out of range")
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {option['name']!r}: {value!r} is not one of the choices {choices}")
        return value

    def _command_options(self, schema: list[dict[str, Any]], path: list[str], values: dict[str, Any],
                         resolved: dict[str, Any], guild_id: int | None, focused: str | None) -> list[dict[str, Any]]:
        if path:
            sub = next((o for o in schema if o["name"] == path[0] and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"no subcommand (group) {path[0]!r}; have {[o['name'] for o in schema]}")
            inner = self._command_options(sub.get("options") or [], path[1:], values, resolved, guild_id, focused)
            return [{"name": sub["name"], "type": sub["type"], "options": inner}]
        if any(o["type"] in (1, 2) for o in schema):
            raise LookupError(f"a subcommand is needed: one of {[o['name'] for o in schema]}")
        known = {o["name"]: o for o in schema}
        options = []
        for name, value in values.items():
            if name not in known:
                raise LookupError(f"no option {name!r}; have {list(known)}")
            option = known[name]
            if name == focused:
                if not option.get("autocomplete"):
                    raise ValueError(f"option {name!r} does not have autocomplete")
                options.append({"name": name, "type": option["type"], "value": str(value), "focused": True})
            else:
                options.append({"name": name, "type": option["type"],
                                "value": self._option_value(option, value, resolved, guild_id)})
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if missing and focused is None:
            raise ValueError(f"required options missing: {missing}")
        return options

    def command_payload(self, name: str, options: dict[str, Any] | None = None, *,
                        user: int | dict[str, Any] | None = None, dm: bool = False, guild_id: int | None = None,
                        channel_id: int | None = None, focused: str | None = None,
                        target: int | dict[str, Any] | None = None, command_type: int = 1) -> dict[str, Any]:
        """INTERACTION_CREATE data for a synced command: type 2, or type 4 (autocomplete) when `focused` is set.

        `name` may be "group sub command"; `options` maps option names to plain values, typed and resolved from
        the synced command (users/channels/roles by id, attachments as {"filename": ...}). `command_type` 2 (user)
        or 3 (message) with `target` builds a context-menu invocation. `dm=True`: in the bot's DMs.
        """
        gid, cid = self._place(dm=dm, guild_id=guild_id, channel_id=channel_id)
        uid = self._user_id(user, ALICE_ID if ALICE_ID in self.users else next(iter(self.users)))
        top, *path = name.split()
        command = self.find_command(top, guild_id=gid, type=command_type)
        if focused is not None:
            fixture = "interaction_autocomplete"
        else:
            fixture = "interaction_application_command" if gid is not None else "interaction_application_command_dm"
        p = self._interaction_base(fixture, user_id=uid, guild_id=gid, channel_id=cid)
        data: dict[str, Any] = {"id": command["id"], "name": top, "type": command_type}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        resolved: dict[str, Any] = {}
        if command_type == 1:
            built = self._command_options(command.get("options") or [], path, options or {}, resolved, gid, focused)
            if built:
                data["options"] = built
        elif command_type == 2:
            data["target_id"] = self._resolve(resolved, 6, target, gid)
        elif command_type == 3:
            message = self._message_of(target)
            data["target_id"] = message["id"]
            resolved["messages"] = {message["id"]: copy.deepcopy(message)}
        if resolved:
            data["resolved"] = resolved
        p["data"] = data
        if focused is not None:
            p["type"] = 4
        return p

    def _message_of(self, message: int | str | dict[str, Any] | None) -> dict[str, Any]:
        if isinstance(message, dict):
            message = message["id"]
        if message is None or int(message) not in self.messages:
            raise LookupError(f"unknown message {message}")
        return self.messages[int(message)]

    @staticmethod
    def _walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for component in components:
            yield component
            if isinstance(component.get("components"), list):
                yield from FakeDiscord._walk_components(component["components"])
            for key in ("component", "accessory"):
                if isinstance(component.get(key), dict):
                    yield from FakeDiscord._walk_components([component[key]])

    def component_payload(self, message: int | str | dict[str, Any], custom_id: str, *,
                          user: int | dict[str, Any] | None = None, values: list[Any] | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE (type 3) for a click on a button, or a choice in a select, of a stored message."""
        msg = self._message_of(message)
        component = next((c for c in self._walk_components(msg["components"]) if c.get("custom_id") == custom_id),
                         None)
        if component is None:
            ids = [c.get("custom_id") for c in self._walk_components(msg["components"]) if c.get("custom_id")]
            raise LookupError(f"message {msg['id']} has no component {custom_id!r}; it has {ids}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; Discord's client cannot use it")
        channel_id = int(msg["channel_id"])
        guild_id = self.channel_guild.get(channel_id)
        default_user = self.dm_recipient.get(channel_id, ALICE_ID if ALICE_ID in self.users else self.bot_id)
        if msg["flags"] & FLAG_EPHEMERAL:
            source = next((st for st in self.interactions.values() if int(msg["id"]) in st.message_ids), None)
            if source is not None:
                default_user = int(self._interaction_user(source.payload)["id"])
        uid = self._user_id(user, default_user)
        p = self._interaction_base("interaction_message_component", user_id=uid, guild_id=guild_id,
                                   channel_id=channel_id)
        data: dict[str, Any] = {"component_type": component["type"], "custom_id": custom_id, "id": component.get("id")}
        if component["type"] in SELECT_TYPES:
            chosen = [str(v) if component["type"] == 3 else v for v in values or []]
            if component["type"] == 3:
                allowed = [o["value"] for o in component.get("options") or []]
                if any(v not in allowed for v in chosen):
                    raise ValueError(f"select {custom_id!r} offers only {allowed}")
            resolved: dict[str, Any] = {}
            kinds = {5: 6, 6: 8, 7: 9, 8: 7}
            if component["type"] in kinds:
                chosen = [self._resolve(resolved, kinds[component["type"]], v, guild_id) for v in chosen]
            data["values"] = chosen
            if resolved:
                data["resolved"] = resolved
        elif values:
            raise ValueError("values are for select menus")
        p["data"] = data
        p["message"] = copy.deepcopy(msg)
        return p

    def modal_submit_payload(self, source: SentInteraction | dict[str, Any], values: dict[str, Any], *,
                             user: int | dict[str, Any] | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE (type 5) for the modal the bot opened in answer to `source` (or a modal's data).

        Mirrors the modal's layout as Discord does: action rows (type 1) come back as rows of
        {type 4, id, custom_id, value}; labels (type 18) as {type 18, id, component: {...}}; text displays as
        {type 10, id}. `values` maps custom_id to a string (text input, radio), a list (selects, checkbox
        groups, file uploads) or a bool (checkbox).
        """
        if isinstance(source, SentInteraction):
            modal = source.modal
            if modal is None:
                raise LookupError("the bot did not answer this interaction with a modal (type 9)")
            origin = source.payload
        else:
            modal, origin = source, None
        unused = set(values)

        def submitted(component: dict[str, Any]) -> dict[str, Any]:
            kind, custom_id = component["type"], component.get("custom_id")
            out: dict[str, Any] = {"type": kind, "id": component.get("id"), "custom_id": custom_id}
            given = values.get(custom_id)
            unused.discard(custom_id)
            if kind == 4:
                value = "" if given is None else str(given)
                if given is None and component.get("value"):
                    value = component["value"]
                if component.get("required", True) and not value:
                    raise ValueError(f"text input {custom_id!r} is required")
                if not component.get("min_length", 0) <= len(value) <= component.get("max_length", 4000):
                    raise ValueError(f"text input {custom_id!r}: length out of range")
                out["value"] = value
            elif kind in (21, 23):
                out["value"] = given if kind == 21 else bool(given)
            else:
                out["values"] = [str(v) for v in given or []]
            return out

        components = []
        for component in modal.get("components") or []:
            if component["type"] == 1:
                components.append({"type": 1, "id": component.get("id"),
                                   "components": [submitted(c) for c in component.get("components") or []]})
            elif component["type"] == 18:
                components.append({"type": 18, "id": component.get("id"),
                                   "component": submitted(component["component"])})
            elif component["type"] == 10:
                components.append({"type": 10, "id": component.get("id")})
        if unused:
            raise LookupError(f"the modal has no inputs {sorted(unused)}")
        if origin is not None:
            guild_id = int(origin["guild_id"]) if "guild_id" in origin else None
            uid = self._user_id(user, int(self._interaction_user(origin)["id"]))
            p = self._interaction_base("interaction_modal_submit", user_id=uid, guild_id=guild_id,
                                       channel_id=int(origin["channel_id"]) if guild_id is not None else None)
            if origin.get("message"):
                p["message"] = copy.deepcopy(self.messages.get(int(origin["message"]["id"]), origin["message"]))
        else:
            p = self._interaction_base("interaction_modal_submit", user_id=self._user_id(user, ALICE_ID),
                                       guild_id=next(iter(self.guilds)), channel_id=None)
        p["data"] = {"custom_id": modal["custom_id"], "components": components}
        return p

    # ------------------------------------------------------------------ sending interactions

    async def send_interaction(self, data: dict[str, Any], *, timeout: float = 15.0) -> SentInteraction:
        """Dispatch an INTERACTION_CREATE and track it (callbacks and webhooks with its token are then accepted)."""
        st = _Interaction(data)
        self.interactions[int(data["id"])] = st
        self._by_token[data["token"]] = st
        conn = await self.wait_ready(timeout)
        assert conn.session is not None
        st.dispatched_at = asyncio.get_running_loop().time()
        if self.fan_out:  # two sessions of one bot on the same shard: Discord sends each of them every event
            for session in {id(c.session): c.session for c in self.connections
                            if c.ready and c.open and c.session is not None}.values():
                await self._send_dispatch(session, "INTERACTION_CREATE", data)
        else:
            await self._send_dispatch(conn.session, "INTERACTION_CREATE", data)
        return SentInteraction(self, st)

    async def slash(self, name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> SentInteraction:
        """A user runs a slash command (see command_payload for the arguments)."""
        return await self.send_interaction(self.command_payload(name, options, **kwargs))

    async def autocomplete(self, name: str, options: dict[str, Any], focused: str, **kwargs: Any) -> SentInteraction:
        """A user types in an autocomplete option `focused` (its value in `options` is the text typed so far)."""
        return await self.send_interaction(self.command_payload(name, options, focused=focused, **kwargs))

    async def click(self, message: int | str | dict[str, Any], custom_id: str, **kwargs: Any) -> SentInteraction:
        """A user clicks a button (or picks `values=[...]` in a select) of a stored message."""
        return await self.send_interaction(self.component_payload(message, custom_id, **kwargs))

    async def submit_modal(self, source: SentInteraction | dict[str, Any], values: dict[str, Any],
                           **kwargs: Any) -> SentInteraction:
        """A user fills in and submits the modal the bot opened in answer to `source`."""
        return await self.send_interaction(self.modal_submit_payload(source, values, **kwargs))


@contextlib.contextmanager
def point_discord_at(api_url: str, gateway_url: str) -> Iterator[None]:
    """Set discord.http.Route.BASE and DiscordWebSocket.DEFAULT_GATEWAY (class attributes); restore them on exit."""
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
