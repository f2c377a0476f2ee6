"""The Discord adapter: app commands, persistent buttons, modals and autocomplete, all run through the core.

A command runs at once; if it has not answered after DEFER_AFTER seconds the interaction is deferred (Discord
wants an answer within 3 seconds) and the reply follows as a follow-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord
import yarl
from discord import app_commands

from bot.adapters.discord import commands, render
from bot.adapters.discord.translator import CatalogTranslator
from bot.app import App
from bot.config import Settings
from bot.core.buttons import button_id, parse_button_id
from bot.core.i18n import Translator
from bot.core.registry import CommandSpec, Kind
from bot.core.types import Actor, Button, Card, FormInput, Place, Reply, Rich, Text, UserText
from bot.dispatch.context import TEXT
from bot.services import delivery, replicas

log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER = 2.0
REFILL = "refill"  # a button that opens a kept form (its next step, or again after errors)
SEND = "formsend"  # a button that runs a kept form with what was typed so far
MODAL_SUBMIT = 5


def point_at(settings: Settings) -> None:
    """Aim discord.py's REST and gateway at GIGBOT_DISCORD_API_URL and GIGBOT_DISCORD_GATEWAY_URL."""
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """The member: Manage Server makes an admin; the Discord client's language is theirs."""
    user = interaction.user
    admin = isinstance(user, discord.Member) and user.guild_permissions.manage_guild
    return Actor(PLATFORM, str(user.id), user.display_name, platform_admin=admin, locale=str(interaction.locale))


def place_of(interaction: discord.Interaction[Any]) -> Place:
    """The server and channel; a DM has no server (the core finds the member's community)."""
    channel = interaction.channel
    return Place(PLATFORM, str(interaction.guild_id or ""), str(interaction.channel_id or ""),
                 getattr(channel, "name", "") or "", forms=True, max_cards=render.MAX_LIST_CARDS,
                 locale=str(interaction.guild_locale) if interaction.guild_locale else None,
                 workspace_name=interaction.guild.name if interaction.guild else "")


def as_text(value: Any) -> str:
    """An option's value as the core's text syntax reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, discord.abc.User):
        return f"<@{value.id}>"
    if isinstance(value, discord.abc.GuildChannel | discord.Thread):
        return str(value.id)
    return str(value)


class GigClient(discord.Client):
    """discord.py's client with the command tree, the translator and the persistent buttons; no privileged intents."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(), **options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)
        self.ready_once = asyncio.Event()

    async def setup_hook(self) -> None:
        """Register commands and buttons, then sync: to GIGBOT_DISCORD_GUILD_IDS at once, else globally."""
        await self.tree.set_translator(CatalogTranslator())
        for group in commands.build(self.adapter.core.dispatcher.registry, self.adapter.on_command,
                                    self.adapter.suggest):
            self.tree.add_command(group)
        self.add_dynamic_items(render.GigButton)
        self.adapter.act_once(self._connection.parsers)
        guilds = self.adapter.settings.discord_guilds
        for guild in guilds:
            self.tree.copy_global_to(guild=discord.Object(guild))
            await self.tree.sync(guild=discord.Object(guild))
        if not guilds:
            await self.tree.sync()

    async def on_ready(self) -> None:
        """Connected and the guilds are known."""
        self.ready_once.set()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from a server (GUILD_DELETE without `unavailable`): drop what waits for its channels."""
        await delivery.workspace_removed(self.adapter.core.sessions, PLATFORM, str(guild.id),
                                         destinations=[str(channel.id) for channel in guild.channels])


class DiscordAdapter:
    """Holds the core and a discord.py client; nothing Discord reaches the core but text, ids and form values."""

    def __init__(self, core: App, settings: Settings, **client_options: Any) -> None:
        self.core = core
        self.settings = settings
        self.client = GigClient(self, **client_options)
        self.taking: set[asyncio.Task[None]] = set()

    def act_once(self, parsers: dict[str, Callable[[Any], None]]) -> None:
        """Act on each INTERACTION_CREATE once, whichever gateway session of whichever replica received it."""
        parse = parsers["INTERACTION_CREATE"]

        def take(data: dict[str, Any]) -> None:
            task = asyncio.ensure_future(self._take(data, parse))
            self.taking.add(task)
            task.add_done_callback(self.taking.discard)

        parsers["INTERACTION_CREATE"] = take

    async def _take(self, data: dict[str, Any], parse: Callable[[Any], None]) -> None:
        """Record the interaction id (an insert that fails on a duplicate); only the process that recorded it acts.

        A modal submission is read from the interaction's own data (discord.py would look the modal up in its
        memory by custom_id alone), so any replica takes it, also after a restart.
        """
        try:
            if not await replicas.first_time(self.core.sessions, f"discord:{data['id']}", self.core.clock.now()):
                log.info("interaction %s already taken by another session", data["id"])
                return
        except Exception:
            log.exception("could not record interaction %s: acting on it anyway", data.get("id"))
        if data.get("type") != MODAL_SUBMIT:
            parse(data)
            return
        interaction = discord.Interaction(data=data, state=self.client._connection)  # type: ignore[arg-type]
        try:
            await self.on_form(interaction, data.get("data") or {})
        except Exception:
            log.exception("form submission %s failed", data.get("id"))

    async def start(self) -> Callable[[], Awaitable[None]]:
        """Log in, connect to the gateway in the background, and return the stopper."""
        point_at(self.settings)
        await self.client.login(self.settings.discord_token)
        connection = asyncio.create_task(self.client.connect())
        log.warning("Discord: connecting")

        async def stop() -> None:
            await self.client.close()
            connection.cancel()

        return stop

    async def on_command(self, interaction: discord.Interaction[Any], spec: CommandSpec,
                         options: dict[str, Any]) -> None:
        """An app command: its options become the command's key=value text."""
        values = {name: as_text(value) for name, value in options.items() if value is not None}
        work = self.core.dispatcher.submit(spec.name, values, actor_of(interaction), place_of(interaction), via=TEXT)
        await self._answer_in_time(interaction, work)

    async def on_button(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """A persistent button: the core runs it, except the adapter's own buttons of kept forms."""
        press = parse_button_id(custom_id) if custom_id.startswith((f"gig:{REFILL}:", f"gig:{SEND}:")) else None
        if press is not None:
            kept = await self._kept(interaction, press.value)
            if kept is None:
                return
            if press.action == REFILL:
                await self._open(interaction, kept, press.value)
            else:
                await self._answer_in_time(interaction, self._send(interaction, kept, press.value))
            return
        work = self.core.dispatcher.press(custom_id, actor_of(interaction), place_of(interaction))
        await self._answer_in_time(interaction, work)

    async def suggest(self, interaction: discord.Interaction[Any], kind: Kind,
                      current: str) -> list[app_commands.Choice[Any]]:
        """Autocomplete: open gigs (their ids as integers) or tags."""
        found = await self.core.dispatcher.suggest(kind, current, actor_of(interaction), place_of(interaction))
        if kind is Kind.GIG:
            return [app_commands.Choice(name=label, value=int(value)) for label, value in found]
        return [app_commands.Choice(name=label, value=value) for label, value in found]

    async def _answer_in_time(self, interaction: discord.Interaction[Any], work: Awaitable[Reply]) -> None:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=True)
        await self.answer(interaction, await task)

    async def answer(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """Open the reply's form, or show the reply privately; a form that can no longer open becomes a button."""
        if reply.form is not None:
            kept = replicas.KeptForm(reply.form, user=str(interaction.user.id))
            if not interaction.response.is_done():
                await self._open(interaction, kept)
                return
            token = await replicas.keep_form(self.core.sessions, kept, self.core.clock.now())
            t = Translator(str(interaction.locale))
            button = Button(t.label("discord.form_open"), button_id(REFILL, token), "primary")
            reply = Reply(t("discord.form_late"), cards=(Card(reply.form.title, buttons=(button,)),))
        parts = render.message(reply)
        if parts.content is None and not parts.embeds:
            parts.content = "✓"
        if interaction.response.is_done():
            await interaction.followup.send(**parts.send_kwargs(), ephemeral=True)
        else:
            await interaction.response.send_message(**parts.send_kwargs(), ephemeral=True)

    async def _open(self, interaction: discord.Interaction[Any], kept: replicas.KeptForm,
                    token: str | None = None) -> None:
        """Keep the form for every replica, then open its current step as a modal filled with what was typed."""
        token = await replicas.keep_form(self.core.sessions, kept, self.core.clock.now(), token)
        modal = render.modal(kept.form, token, kept.step, kept.values)
        await interaction.response.send_modal(modal)
        modal.stop()  # discord.py would keep it in memory by custom_id: the submission is read from the interaction

    async def _kept(self, interaction: discord.Interaction[Any], token: str) -> replicas.KeptForm | None:
        """The member's form kept under `token`; if it expired (or is someone else's), say so and return None."""
        kept = await replicas.kept_form(self.core.sessions, token, self.core.clock.now())
        if kept is not None and kept.user == str(interaction.user.id):
            return kept
        await self._gone(interaction)
        return None

    async def _gone(self, interaction: discord.Interaction[Any]) -> None:
        """Say that the form is no longer open."""
        await self.answer(interaction, Reply(Translator(str(interaction.locale))("discord.refill_expired"), ok=False))

    async def on_form(self, interaction: discord.Interaction[Any], data: dict[str, Any]) -> None:
        """A submitted modal: add what was typed to the kept form, then show the next step or run the command."""
        typed = render.submitted(data.get("components") or [])
        named = render.parse_form_id(str(data.get("custom_id", "")))
        if named is None:  # not a form of ours (or one opened before an upgrade)
            await self._gone(interaction)
            return
        command, args, token = named
        kept = await replicas.kept_form(self.core.sessions, token, self.core.clock.now())
        if kept is None:  # expired or pruned: the custom_id still says what to run
            work = self.core.dispatcher.submit(command, typed, actor_of(interaction), place_of(interaction), args)
            await self._answer_in_time(interaction, work)
            return
        if kept.user != str(interaction.user.id):
            await self._gone(interaction)
            return
        kept = replace(kept, values={**kept.values, **typed})
        pages = render.steps(kept.form)
        if kept.step + 1 < len(pages):
            kept = replace(kept, step=kept.step + 1)
            await replicas.keep_form(self.core.sessions, kept, self.core.clock.now(), token)
            await self.answer(interaction, self._next_step(interaction, kept, token, pages))
            return
        await self._answer_in_time(interaction, self._send(interaction, kept, token))

    def _next_step(self, interaction: discord.Interaction[Any], kept: replicas.KeptForm, token: str,
                   pages: list[tuple[FormInput, ...]]) -> Reply:
        """Step k saved: Discord modals hold five inputs, so the rest opens from a button (or is left empty)."""
        t = Translator(str(interaction.locale))
        rest = ", ".join(item.label for page in pages[kept.step:] for item in page)
        buttons = (Button(t.label("discord.form_continue"), button_id(REFILL, token), "primary"),
                   Button(t.label("discord.form_send", submit=kept.form.submit or "✓"), button_id(SEND, token)))
        return Reply(t("discord.form_step", step=kept.step, steps=len(pages), fields=rest),
                     cards=(Card(kept.form.title, buttons=buttons),))

    async def _send(self, interaction: discord.Interaction[Any], kept: replicas.KeptForm, token: str) -> Reply:
        """Run the form's command with everything typed; on errors, list them by field with a button to edit."""
        form = kept.form
        reply = await self.core.dispatcher.submit(form.command, kept.values, actor_of(interaction),
                                                  place_of(interaction), form.args)
        if reply.ok:
            await replicas.forget_form(self.core.sessions, token)  # its buttons now say it is no longer open
            return reply
        await replicas.keep_form(self.core.sessions, replace(kept, step=0), self.core.clock.now(), token)
        t = Translator(str(interaction.locale))
        labels = {item.name: item.label for item in form.inputs}
        text: Text = reply.text
        if reply.field_errors:
            lines = [Rich.of(f"• {labels.get(name, name)}: ", UserText(message))  # messages quote what was typed
                     for name, message in reply.field_errors.items()]
            text = Rich.join("\n", [t("discord.form_errors"), *lines])
        button = Button(t.label("discord.refill"), button_id(REFILL, token), "primary")
        return Reply(text, cards=(Card(form.title, buttons=(button,)),), ok=False)
