"""Who a Slack user is: name, locale and admin flag from users.info, cached."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.types import Actor

log = logging.getLogger(__name__)

PLATFORM = "slack"
TTL = 3600.0


@dataclass(frozen=True)
class Person:
    """What users.info told about a user."""

    name: str
    locale: str | None
    admin: bool


class People:
    """users.info with include_locale, once an hour per user at most (Tier 4 allows 100+ a minute)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.known: dict[str, tuple[float, Person]] = {}

    async def actor(self, user_id: str, fallback_name: str = "") -> Actor:
        """The actor behind a user id; without users.info, the name the payload gave."""
        person = await self.lookup(user_id)
        if person is None:
            return Actor(PLATFORM, user_id, fallback_name or user_id)
        return Actor(PLATFORM, user_id, person.name or fallback_name or user_id, platform_admin=person.admin,
                     locale=person.locale)

    def cached_locale(self, user_id: str) -> str | None:
        """The user's Slack locale if users.info was asked lately, without asking again."""
        cached = self.known.get(user_id)
        return cached[1].locale if cached else None

    async def lookup(self, user_id: str) -> Person | None:
        """users.info for a user, from the cache while fresh."""
        cached = self.known.get(user_id)
        if cached and time.monotonic() - cached[0] < TTL:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, OSError) as error:  # the name from the payload will do
            log.warning("users.info failed for %s: %s", user_id, error)
            return None
        user = response["user"]
        profile = user.get("profile", {})
        person = Person(name=profile.get("display_name") or user.get("real_name") or user.get("name") or user_id,
                        locale=user.get("locale"), admin=bool(user.get("is_admin") or user.get("is_owner")))
        self.known[user_id] = (time.monotonic(), person)
        return person
