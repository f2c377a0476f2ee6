"""A local fake of Slack's Web API (and of response_url), shaped as Slack answers, recording every call."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web


@dataclass
class Call:
    """One request the bot made."""

    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """Web API methods under /api/, response_url under /response/<n>; faults can be queued per method."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(list))
    queues: dict[str, asyncio.Queue[Call]] = field(default_factory=lambda: defaultdict(asyncio.Queue))
    url: str = ""
    runner: web.AppRunner | None = None
    ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    envelopes: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    keep_calls: bool = True  # a benchmark only counts them
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    answers: dict[str, asyncio.Future[None]] = field(default_factory=dict)  # response_url token -> answered
    down_until: datetime | None = None  # an outage: until then (on `now`), 503s and reset connections
    down_methods: frozenset[str] | None = None  # the methods the outage hits (None: every Web API method)
    now: Callable[[], datetime] | None = None
    refused: int = 0  # requests answered by the outage, never recorded as calls
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id -> filename, length, data (bytes)
    shared: list[dict[str, Any]] = field(default_factory=list)  # files.completeUploadExternal: channel, files, text

    async def start(self, port: int = 0) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)  # slack_sdk sends some methods (users.info) as GET
        app.router.add_post("/response/{token}", self.response_url)
        app.router.add_post("/upload/{file_id}", self.upload)  # the upload_url files.getUploadURLExternal answers
        app.router.add_get("/socket", self.socket)
        app.router.add_get("/stats", self.stats)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def outage(self, until: datetime, now: Callable[[], datetime], methods: frozenset[str] | None = None) -> None:
        """Until `until` on the clock `now`, answer 503 or reset the connection, alternately, recording nothing."""
        self.down_until, self.now, self.down_methods = until, now, methods

    def _down(self, method: str) -> bool:
        if self.down_until is None or self.now is None or self.now() >= self.down_until:
            return False
        return self.down_methods is None or method in self.down_methods

    def fail(self, method: str, error: str) -> None:
        """The next call of method answers HTTP 200 {"ok": false, "error": error}, as Slack does."""
        self.faults[method].append((200, {"ok": False, "error": error}, {}))

    def fail_upload(self, status: int) -> None:
        """The next POST of a file's bytes to its upload URL answers this HTTP status."""
        self.faults["upload"].append((status, {}, {}))

    def rate_limit(self, method: str, retry_after: int = 0) -> None:
        """The next call of method answers 429 with Retry-After."""
        self.faults[method].append((429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}))

    async def next(self, method: str, timeout: float = 15) -> Call:
        """The next call of method not yet taken, waiting for it (the bot answers after its ack)."""
        return await asyncio.wait_for(self.queues[method].get(), timeout)

    def made(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def _record(self, method: str, args: dict[str, Any]) -> None:
        self.counts[method] += 1
        if not self.keep_calls:
            return
        call = Call(method, args)
        self.calls.append(call)
        self.queues[method].put_nowait(call)

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello, then every queued envelope; the client's acks are recorded as `socket_ack`."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A1"}})

        async def feed() -> None:
            while True:
                await ws.send_json(await self.envelopes.get())

        feeder = asyncio.ensure_future(feed())
        try:
            async for message in ws:
                if message.type == web.WSMsgType.TEXT:
                    self._record("socket_ack", json.loads(message.data))
        finally:
            feeder.cancel()
        return ws

    async def stats(self, request: web.Request) -> web.Response:
        """How many calls of each method were made."""
        return web.json_response(dict(self.counts))

    async def response_url(self, request: web.Request) -> web.Response:
        self._record("response_url", await request.json())
        waiter = self.answers.pop(request.match_info["token"], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return web.Response(text="ok")

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self._down(method):
            self.refused += 1
            if self.refused % 2 and request.transport is not None:
                request.transport.abort()  # a reset connection: the client never gets an answer
            return web.Response(status=503, text="<html>503 Service Unavailable</html>", content_type="text/html")
        if request.method == "GET":
            args = {}
        elif request.content_type == "application/json":
            args = await request.json()
        else:
            args = {k: v for k, v in (await request.post()).items()}
        args.update(request.query)
        for key in ("blocks", "view", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        if self.faults[method]:
            status, body, headers = self.faults[method].pop(0)
            self._record(method, {**args, "_answered": status})
            return web.json_response(body, status=status, headers=headers)
        answer = self.answer(method, args)
        self._record(method, {**args, "_reply": answer})
        return web.json_response(answer)

    async def upload(self, request: web.Request) -> web.Response:
        """The bytes of one file, raw or multipart, as Slack's upload service takes them: 200 "OK - <length>"."""
        if self._down("upload"):
            self.refused += 1
            return web.Response(status=503, text="503 Service Unavailable")
        file_id = request.match_info["file_id"]
        if self.faults["upload"]:
            status, _, _ = self.faults["upload"].pop(0)
            self._record("upload", {"file_id": file_id, "_answered": status})
            return web.Response(status=status, text=f"{status} upload refused")
        file = self.uploads.get(file_id)
        if request.content_type.startswith("multipart/"):
            data = (await request.post())["filename"].file.read()  # type: ignore[union-attr]
        else:
            data = await request.read()
        if file is None or len(data) != file["length"]:
            self._record("upload", {"file_id": file_id, "_answered": 400})
            return web.Response(status=400, text="invalid upload")
        file["data"] = data
        self._record("upload", {"file_id": file_id, "length": len(data)})
        return web.Response(text=f"OK - {len(data)}")

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Share the uploaded files (all of them, or none) in channel_id, with initial_comment or blocks."""
        wanted = args.get("files")
        if not isinstance(wanted, list) or not wanted:
            return {"ok": False, "error": "invalid_arguments"}
        if any(self.uploads.get(f.get("id"), {}).get("data") is None for f in wanted):
            return {"ok": False, "error": "file_not_found"}  # never uploaded: nothing is shared
        files = [{"id": f["id"], "title": f.get("title") or self.uploads[f["id"]]["filename"]} for f in wanted]
        if "channel_id" in args:
            self.shared.append({"channel": args["channel_id"], "initial_comment": args.get("initial_comment"),
                                "blocks": args.get("blocks"),
                                "files": [{**f, "filename": self.uploads[f["id"]]["filename"],
                                           "data": self.uploads[f["id"]]["data"]} for f in files]})
        return {"ok": True, "files": files}

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok = {"ok": True}
        if method == "files.getUploadURLExternal":
            length = str(args.get("length", ""))
            if not args.get("filename") or not length.isdigit() or int(length) == 0:
                return {"ok": False, "error": "missing_argument"}
            file_id = f"F{next(self.ts):08d}"
            self.uploads[file_id] = {"filename": args["filename"], "length": int(length), "data": None}
            return {**ok, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete(args)
        if method == "apps.connections.open":
            return {**ok, "url": self.url.replace("http://", "ws://") + "/socket"}
        if method == "auth.test":
            return {**ok, "url": "https://fake.slack.com/", "team": "Fake", "user": "gigbot", "team_id": "T1",
                    "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}
        if method == "chat.postMessage":
            return {**ok, "channel": args["channel"], "ts": f"1700000000.{next(self.ts):06d}",
                    "message": {"type": "message", "text": args.get("text", ""), "bot_id": "BBOT"}}
        if method == "chat.update":
            return {**ok, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", "")}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": f"1700000000.{next(self.ts):06d}"}
        if method == "conversations.open":
            return {**ok, "channel": {"id": "D" + str(args["users"])}}
        if method == "users.info":
            user_id = str(args["user"])
            user = self.users.get(user_id, {})
            return {**ok, "user": {"id": user_id, "team_id": "T1", "name": user.get("name", user_id.lower()),
                                   "real_name": user.get("name", user_id.lower()).title(),
                                   "profile": {"display_name": user.get("name", user_id.lower())},
                                   "locale": user.get("locale", "en-US"), "is_admin": user.get("admin", False),
                                   "is_owner": False, "is_bot": False}}
        if method.startswith("views."):
            return {**ok, "view": {"id": f"V{next(self.ts)}", **args.get("view", {})}}
        return {"ok": False, "error": "unknown_method"}
