"""Refuse unsigned or malformed Slack requests before slack-bolt reads them.

Bolt parses the body (its `payload` JSON, its bytes as text) and reads the timestamp as a number before or while it
checks the signature, and answers whatever fails there with HTTP 500 and a traceback. This aiohttp middleware checks
the signature on the raw bytes first (401), then that bolt can read what is signed (400), each with one log line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.request.internals import parse_body

log = logging.getLogger(__name__)

MAX_AGE = 300  # seconds a signed request may be off our time, as Slack and bolt allow
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guard(path: str, secret: str | None) -> Any:
    """The middleware for POSTs to `path`; without a signing secret (Socket Mode) only the body is checked."""

    @web.middleware
    async def refuse_bad_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        refusal = problem(await request.read(), request, secret, time.time())
        if refusal is not None:
            status, why = refusal
            log.warning("refused a Slack request from %s with %s: %s", request.remote, status, why)
            return web.json_response({"error": "invalid request"}, status=status)
        return await handler(request)

    return refuse_bad_requests


def problem(body: bytes, request: web.Request, secret: str | None, now: float) -> tuple[int, str] | None:
    """Why this request must be refused, as (HTTP status, reason), or None when bolt may have it."""
    try:
        text = body.decode(request.charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        text = None
    if secret and not (text is not None and _ssl_check(text, request.content_type)):
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return 401, f"timestamp {timestamp[:20]!r} is not a number"
        if abs(now - int(timestamp)) > MAX_AGE:
            return 401, f"timestamp is {int(now - int(timestamp))} s off"
        signed = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Slack-Signature", "")):
            return 401, "bad signature"
    if text is None:
        return 400, f"the body is not {request.charset or 'utf-8'} text"
    try:
        parsed = parse_body(text, request.content_type)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return 400, f"unreadable body ({error})"
    if not isinstance(parsed, dict):
        return 400, f"the body is a JSON {type(parsed).__name__}, not an object"
    return None


def _ssl_check(text: str, content_type: str) -> bool:
    """Slack's unsigned SSL check of the request URL, which bolt answers itself."""
    try:
        return parse_body(text, content_type).get("ssl_check") == "1"
    except (ValueError, AttributeError):
        return False
