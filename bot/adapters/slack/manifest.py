"""`gigbot slack-manifest`: the Slack app manifest, generated from the command registry."""

from __future__ import annotations

import json
from typing import Any

from bot.core.i18n import Translator
from bot.core.registry import Registry
from bot.core.types import Role

SCOPES = ["commands", "chat:write", "im:write", "users:read", "files:write"]  # files:write: files_upload_v2
EVENTS = ["app_home_opened", "app_uninstalled", "tokens_revoked"]  # the last two: forget a workspace that leaves
# What the bot does today, and nothing more: Slack shows this to whoever installs the app.
ABOUT = ("gigbot runs a gig board for freelancing communities: posters and admins post small paid gigs, which are "
         "reposted to the job channels routed by tags, remote or location; members browse, search and apply, track "
         "their applications, and get follow-up nudges by DM; applicants hear when a gig closes.")


def manifest(registry: Registry, base_url: str, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest: one /gig command whose hint lists the subcommands, the App Home, the minimum scopes."""
    t = Translator("en")
    request_url = base_url.rstrip("/") + "/slack/events"
    command: dict[str, Any] = {"command": "/gig", "description": "Post, find, apply to and track small paid gigs",
                               "usage_hint": usage_hint(registry), "should_escape": True}
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": EVENTS},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    if not socket_mode:
        command["url"] = request_url
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
    return {
        "display_information": {"name": "gigbot",
                                "description": "A gig board for freelancing communities, with follow-up nudges",
                                "long_description": _long_description(registry, t)},
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": True},
            "bot_user": {"display_name": "gigbot", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": SCOPES}},
        "settings": settings,
    }


def usage_hint(registry: Registry, limit: int = 100) -> str:
    """`help | list | search | …`: what every member may run, as far as Slack's 100 characters allow."""
    names = ["help"] + [spec.name for spec in registry.visible_to(Role.MEMBER) if spec.name != "help"]
    hint = ""
    for name in names:
        if len(hint) + len(" | ") + len(name) + len(" | …") > limit:  # room left for the ellipsis
            return hint + " | …"
        hint = f"{hint} | {name}" if hint else name
    return hint


def _long_description(registry: Registry, t: Translator) -> str:
    lines = [ABOUT, "", "Commands:"]
    lines += [f"/gig {spec.name}: {t(f'help.{spec.key}')}" for spec in sorted(registry, key=lambda s: s.name)]
    return "\n".join(lines)[:4000]


def to_yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for the manifest's dicts, lists, strings, numbers and booleans."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{to_yaml(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
        return "\n".join(lines)
    lines = []
    for item in value:
        if isinstance(item, dict):
            first, *rest = to_yaml(item, indent + 1).splitlines()
            lines.append(f"{pad}- {first.strip()}")
            lines.extend(rest)
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return "\n".join(lines)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value in ({}, []):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar
