"""The Slack adapter: one /gig command, one listener for every gig: button, modals, App Home, retries handled once.

Every listener writes the request to the durable inbox (bot.services.inbox), acks (Slack wants it within 3 seconds)
and queues the row, which a few workers claim and run, answering through response_url, a modal, the App Home tab
or a DM. A process killed after the ack leaves the row for any replica's sweep, which runs it late: through
response_url, and with a button to open a form where the reply wanted one (a trigger_id lasts 3 seconds). Bolt
runs with process_before_response, so the HTTP answer leaves as soon as the listener returns (no polling for the
ack), and the workers being few keeps the event loop free for the next acks when commands pile up.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.guard import guard
from bot.adapters.slack.people import PLATFORM, People
from bot.adapters.slack.work import Workers
from bot.app import App
from bot.config import Settings
from bot.core.buttons import button_id, parse_button_id
from bot.core.i18n import Translator
from bot.core.types import Actor, Button, Card, Place, Reply, Rich
from bot.services import forgetting, inbox, members, replicas
from bot.store import reach
from bot.store.reach import DATABASE_ERRORS

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
QUEUE_LIMIT = 200  # commands waiting past this are answered "busy" at once rather than minutes late
TRIGGER_LIFE = 2.5  # seconds: a trigger_id opens a modal only within 3 s of the request
REOPEN = "reopen"
KEY = "gigbot_request_key"  # the request's dedupe key, in bolt's context
Respond = Callable[..., Awaitable[Any]]


def make_client(settings: Settings) -> AsyncWebClient:
    """The client for interactive answers: slack_sdk's connection-error retry kept, plus 429s waited out."""
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def make_outbox_client(settings: Settings) -> AsyncWebClient:
    """The outbox sender's client: no retries inside the call.

    The delivery policy sees every failure and honours Retry-After without holding other channels.
    """
    return AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=[])


class SlackAdapter:
    """Holds the core and a bolt AsyncApp; nothing Slack reaches the core but text, ids and form values."""

    def __init__(self, core: App, settings: Settings, client: AsyncWebClient | None = None) -> None:
        self.core = core
        self.client = client or make_client(settings)
        self.people = People(self.client)
        self.work = Workers(core, PLATFORM, self._run_request)
        self.secret = settings.slack_signing_secret or None
        self.bolt = AsyncApp(client=self.client, signing_secret=self.secret,
                             request_verification_enabled=bool(self.secret),
                             process_before_response=True, logger=logging.getLogger("slack_bolt"))
        self.bolt.middleware(self._once)
        self.bolt.command("/gig")(self._on_command)
        self.bolt.action(re.compile(r"^gig:"))(self._on_action)
        self.bolt.view(re.compile("^" + re.escape(blocks.FORM_PREFIX)))(self._on_submit)
        self.bolt.event("app_home_opened")(self._on_home_opened)
        self.bolt.event("app_uninstalled")(self._on_uninstalled)
        self.bolt.event("tokens_revoked")(self._on_tokens_revoked)

    def web_app(self) -> web.Application:
        """The aiohttp application serving Slack's HTTP mode at /slack/events; malformed requests stop before bolt."""
        web_app = self.bolt.web_app(path=EVENTS_PATH)
        web_app.middlewares.append(guard(EVENTS_PATH, self.secret))
        return web_app

    async def start(self, settings: Settings) -> Callable[[], Awaitable[None]]:
        """Serve Slack: over Socket Mode with SLACK_APP_TOKEN, else HTTP on GIGBOT_HTTP_PORT; return the stopper."""
        if settings.slack_app_token:
            handler = await self.connect_socket_mode(settings.slack_app_token)
            log.warning("Slack: connected over Socket Mode")
            stop_receiving: Callable[[], Awaitable[None]] = handler.close_async
        else:
            runner = web.AppRunner(self.web_app())
            await runner.setup()
            await web.TCPSite(runner, "0.0.0.0", settings.http_port).start()
            log.warning("Slack: serving http://0.0.0.0:%s%s", settings.http_port, EVENTS_PATH)
            stop_receiving = runner.cleanup

        sweeping = asyncio.create_task(self.work.sweep_every(), name="slack inbox sweep")

        async def stop() -> None:
            sweeping.cancel()
            await stop_receiving()
            await self.work.close()

        return stop

    async def sweep(self) -> int:
        """Run the requests a stopped process left in the inbox (see Workers.sweep)."""
        return await self.work.sweep()

    async def close(self) -> None:
        """Finish the queued work and stop the workers."""
        await self.work.close()

    async def _run_request(self, request: inbox.Request) -> None:
        """Run a request from the inbox; late (past a trigger_id's life, or a second attempt), forms become buttons."""
        late = (self.core.clock.now() - request.received_at).total_seconds() > TRIGGER_LIFE or request.attempts > 1
        payload = request.payload
        respond = AsyncRespond(response_url=request.response_url) if request.response_url else None
        if request.kind == "command":
            await self._run_command(payload, respond, None if late else payload.get("trigger_id"), request.id)
        elif request.kind == "action":
            await self._run_action(payload["body"], payload["action"], respond, late, request.id)
        elif request.kind == "answer":
            place = Place(PLATFORM, payload["team"], payload["channel"], forms=True)
            await self._show(payload["content"], payload["user"], place, respond)
            if payload.get("changed"):
                await self.publish_home(payload["user"], payload["team"])

    async def connect_socket_mode(self, app_token: str) -> AsyncSocketModeHandler:
        """Receive Slack's requests over Socket Mode (apps.connections.open, then a websocket) instead of HTTP."""
        handler = AsyncSocketModeHandler(self.bolt, app_token)
        await handler.connect_async()
        return handler

    async def _once(self, req: Any, resp: BoltResponse, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Handle a request once: a retry (X-Slack-Retry-Num) or a repeated event_id is acknowledged and dropped.

        The keys live in the database, so a retry that reaches another replica is dropped there too. A command or
        button press is written to the inbox anyway, so its key goes there (one write before the ack, not two);
        events and form submissions, which run before or without an inbox row, record theirs in seen_key.
        """
        body = req.body if isinstance(req.body, dict) else {}
        raw = req.raw_body or json.dumps(body, sort_keys=True)  # Socket Mode hands bolt a dict, no raw body
        key = f"slack:{body.get('event_id') or hashlib.sha256(raw.encode()).hexdigest()}"
        req.context[KEY] = key
        if "command" in body or body.get("type") == "block_actions":
            await next()  # the inbox insert refuses a repeated key: see Workers.receive
            return None
        try:
            seen = not await replicas.first_time(self.core.sessions, key, self.core.clock.now())
        except DATABASE_ERRORS as error:  # the handler answers "try again" when the database is down
            log.error("could not record Slack request %s: %s", key, reach.reason(error))
            seen = False
        if seen:
            log.info("dropping a repeated Slack request (retry %s)", req.headers.get("x-slack-retry-num"))
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _on_command(self, ack: Callable[..., Awaitable[None]], command: dict[str, Any],
                          context: dict[str, Any]) -> None:
        if self.work.qsize() >= QUEUE_LIMIT:
            busy = blocks.mrkdwn(Translator(self.people.cached_locale(command["user_id"]))("errors.busy"))
            await ack(text=busy, response_type="ephemeral")
            return
        try:
            await self.work.receive("command", command, command.get("response_url"), ack, context.get(KEY))
        except DATABASE_ERRORS as error:  # the inbox could not take it: say so in the ack
            await ack(text=self._unavailable(command["user_id"], error), response_type="ephemeral")

    async def _run_command(self, command: dict[str, Any], respond: Respond | None, trigger_id: str | None,
                           request_id: int) -> None:
        actor = await self.people.actor(command["user_id"], command.get("user_name", ""))
        place = Place(PLATFORM, command["team_id"], command["channel_id"], command.get("channel_name", ""),
                      forms=True, max_cards=blocks.MAX_LIST_CARDS, workspace_name=command.get("team_domain", ""))
        reply = await self.core.dispatcher.run_text(command.get("text", ""), actor, place)
        await self._answer(reply, command["user_id"], place, respond=respond, trigger_id=trigger_id,
                           request_id=request_id)

    async def _on_action(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], action: dict[str, Any],
                         context: dict[str, Any]) -> None:
        try:
            await self.work.receive("action", {"body": body, "action": action}, body.get("response_url"), ack,
                                    context.get(KEY))
        except DATABASE_ERRORS as error:
            await ack()
            if body.get("response_url"):
                await AsyncRespond(response_url=body["response_url"])(
                    text=self._unavailable(body["user"]["id"], error), response_type="ephemeral",
                    replace_original=False)

    def _unavailable(self, user_id: str, error: BaseException) -> str:
        """The 'try again in a minute' of a request the inbox could not take (the database failed); logged."""
        log.error("database unavailable, Slack request of %s not taken: %s", user_id, reach.reason(error))
        return blocks.mrkdwn(Translator(self.people.cached_locale(user_id))("errors.unavailable"))

    async def _run_action(self, body: dict[str, Any], action: dict[str, Any], respond: Respond | None, late: bool,
                          request_id: int) -> None:
        action_id = action.get("action_id", "")
        if action_id.startswith(f"gig:{REOPEN}:") and not late:
            await self._reopen(parse_button_id(action_id).value, body.get("trigger_id"), respond)
            return
        user = body["user"]
        team = (body.get("team") or {}).get("id") or user.get("team_id", "")
        channel = body.get("channel") or {}
        actor = await self.people.actor(user["id"], user.get("username") or user.get("name", ""))
        place = Place(PLATFORM, team, channel.get("id", ""), channel.get("name", ""), forms=True,
                      max_cards=blocks.MAX_LIST_CARDS, workspace_name=(body.get("team") or {}).get("domain", ""))
        reply = await self.core.dispatcher.press(action_id, actor, place)
        view = body.get("view") or {}
        trigger_id = None if late else body.get("trigger_id")
        if view.get("type") == "modal" and reply.form is None and trigger_id:
            await self.client.views_push(trigger_id=trigger_id, view=blocks.result_modal(
                blocks.title_text(reply), reply))
            return
        await self._answer(reply, user["id"], place, respond=respond, trigger_id=trigger_id,
                           in_modal=view.get("type") == "modal", request_id=request_id)

    async def _reopen(self, value: str, trigger_id: str | None, respond: Respond | None) -> None:
        """The button a late answer offered: run the request that wanted a form again, with a fresh trigger_id."""
        earlier = await inbox.request_payload(self.core.sessions, int(value)) if value.isdigit() else None
        if earlier is None:
            return
        payload = earlier.payload
        if earlier.kind == "command":
            await self._run_command(payload, respond, trigger_id, earlier.id)
        elif earlier.kind == "action":
            body = dict(payload["body"], trigger_id=trigger_id)
            await self._run_action(body, payload["action"], respond, False, earlier.id)

    async def _on_submit(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                         view: dict[str, Any]) -> None:
        user = body["user"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        actor = await self.people.actor(user["id"], user.get("username") or user.get("name", ""))
        team = (body.get("team") or {}).get("id") or user.get("team_id", "")
        place = Place(PLATFORM, team, metadata.get("channel", ""), forms=True, max_cards=blocks.MAX_LIST_CARDS)
        values = blocks.submitted_values(view)
        command = view["callback_id"].removeprefix(blocks.FORM_PREFIX)
        reply = await self.core.dispatcher.submit(command, values, actor, place, tuple(metadata.get("args", [])))
        if not reply.ok:
            errors = {name: text for name, text in reply.field_errors.items() if name in values}
            if not errors and values:  # an error about the whole form shows under its first input
                errors = {next(iter(values)): blocks.plain_text(reply.text)}
            await ack(response_action="errors", errors={k: v[:2000] for k, v in errors.items()})
            return
        content = self._content(reply, user["id"])
        await self.work.receive("answer", {"user": user["id"], "team": team, "channel": place.channel_id,
                                       "content": content, "changed": reply.changed}, None, ack)

    async def _on_home_opened(self, ack: Callable[..., Awaitable[None]], event: dict[str, Any],
                              body: dict[str, Any]) -> None:
        await ack()
        if event.get("tab", "home") == "home":
            self.work.later(self.publish_home(event["user"], body.get("team_id", "")))

    async def _on_uninstalled(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        """The workspace removed the app (or its bot token): its members' data and its place go, once (retries)."""
        await ack()
        team = body.get("team_id") or (body.get("authorizations") or [{}])[0].get("team_id", "")
        removed = await forgetting.workspace_removed(self.core.sessions, self.core.clock, PLATFORM, str(team))
        log.warning("Slack workspace %s removed the app: %s", team, removed or "already forgotten")

    async def _on_tokens_revoked(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                                 event: dict[str, Any]) -> None:
        """Revoked user tokens do not matter to the bot; its own revoked bot token is an uninstall."""
        if (event.get("tokens") or {}).get("bot"):
            await self._on_uninstalled(ack, body)
        else:
            await ack()

    async def publish_home(self, user_id: str, team_id: str) -> None:
        """Show the member's applications and the gigs in their niches in the App Home tab."""
        actor = await self.people.actor(user_id)
        reply = await self.core.dispatcher.run_text("home", actor, Place(PLATFORM, team_id, "", forms=True))
        await self.client.views_publish(user_id=user_id, view=blocks.home_view(reply))

    async def _answer(self, reply: Reply, user_id: str, place: Place, respond: Respond | None = None,
                      trigger_id: str | None = None, in_modal: bool = False, request_id: int | None = None) -> None:
        """Open the reply's form, or show the reply: through response_url, else privately in the channel or DM."""
        if reply.form is not None and trigger_id:
            view = blocks.modal(reply.form, {"channel": place.channel_id})
            if in_modal:
                await self.client.views_push(trigger_id=trigger_id, view=view)
            else:
                await self.client.views_open(trigger_id=trigger_id, view=view)
        else:
            if reply.attachments:
                reply = await self._send_files(reply, user_id, place)
            await self._show(self._content(reply, user_id, request_id), user_id, place, respond)
        if reply.changed and not reply.gone:  # gone: the member was just forgotten, the Home would meet them again
            await self.publish_home(user_id, place.workspace_id)

    async def _send_files(self, reply: Reply, user_id: str, place: Place) -> Reply:
        """Upload a reply's files to the member's DM with the bot (a slash command's answer takes none); say where."""
        t = await members.reader_language(self.core.sessions, place, Actor(PLATFORM, user_id, user_id),
                                          self.core.settings)
        try:
            opened = await self.client.conversations_open(users=user_id)
            await self.client.files_upload_v2(channel=opened["channel"]["id"], file_uploads=[
                {"filename": a.filename, "content": a.data, "title": a.filename} for a in reply.attachments])
            note = t("mydata.sent_dm")
        except (SlackApiError, SlackRequestError, OSError) as error:
            log.warning("could not send %s a file: %s", user_id, error)
            code = error.response.get("error", "") if isinstance(error, SlackApiError) else type(error).__name__
            note = t("mydata.dm_failed", error=str(code))
        return replace(reply, text=Rich.join("\n", [reply.text, note]) if reply.text else note, attachments=())

    def _content(self, reply: Reply, user_id: str, request_id: int | None = None) -> dict[str, Any]:
        """The message of a reply; a form that can no longer open (a late answer) becomes a button that opens it."""
        if reply.form is not None and request_id is not None:
            t = Translator(self.people.cached_locale(user_id))
            button = Button(t.label("slack.open_form"), button_id(REOPEN, request_id), "primary")
            reply = Reply(t("slack.late_form"), cards=(Card(reply.form.title, buttons=(button,)),))
        return {"text": blocks.fallback_text(reply), "blocks": blocks.message_blocks(reply)}

    async def _show(self, content: dict[str, Any], user_id: str, place: Place, respond: Respond | None) -> None:
        if respond is not None:
            await respond(response_type="ephemeral", replace_original=False, **content)
        elif place.channel_id and not place.channel_id.startswith("D"):
            await self.client.chat_postEphemeral(channel=place.channel_id, user=user_id, **content)
        else:
            opened = await self.client.conversations_open(users=user_id)
            await self.client.chat_postMessage(channel=opened["channel"]["id"], **content)
