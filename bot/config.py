"""Settings from the environment (prefix GIGBOT_) or a .env file."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.currency import CURRENCIES
from bot.core.i18n import SUPPORTED_LOCALES
from bot.store.db import CONNECT_TIMEOUT, DEFAULT_URL


class Settings(BaseSettings):
    """Everything gigbot reads from its environment; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="GIGBOT_", env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = DEFAULT_URL
    db_connect_timeout: float = Field(default=CONNECT_TIMEOUT, gt=0, le=300,
                                      description="seconds PostgreSQL gets to accept and answer a new connection")
    admins: str = Field(default="", description="comma-separated platform:user_id")
    default_locale: str = "en"
    default_currency: str = "EUR"
    default_channel: str = "gigs"
    page_size: int = Field(default=5, ge=1, le=25)
    data_dir: str = Field(default="gigbot-data", description="where the console writes files (`gig my-data`)")
    log_level: str = "WARNING"
    http_port: int = Field(default=3000, ge=1, le=65535)
    slack_bot_token: str = Field(default="", validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field(default="", validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = "https://slack.com/api/"
    discord_token: str = Field(default="", validation_alias="DISCORD_TOKEN")
    discord_guild_ids: str = Field(default="", description="comma-separated guild ids to sync commands to at once")
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"

    @property
    def discord_enabled(self) -> bool:
        """Discord runs when its bot token is set."""
        return bool(self.discord_token)

    @property
    def discord_guilds(self) -> list[int]:
        """The guilds named in GIGBOT_DISCORD_GUILD_IDS."""
        return [int(part) for part in _split(self.discord_guild_ids)]

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when its bot token is set (and then needs its signing secret or app token)."""
        return bool(self.slack_bot_token)

    @field_validator("admins")
    @classmethod
    def _check_admins(cls, value: str) -> str:
        for entry in _split(value):
            platform, _, user_id = entry.partition(":")
            if not platform or not user_id:
                raise ValueError(f"GIGBOT_ADMINS entry {entry!r} is not platform:user_id (e.g. slack:U0123ABC)")
        return value

    @model_validator(mode="after")
    def _check_slack(self) -> Settings:
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError("SLACK_BOT_TOKEN is set: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN "
                             "(Socket Mode) too")
        if not self.slack_api_url.endswith("/"):
            self.slack_api_url += "/"
        return self

    @field_validator("discord_guild_ids")
    @classmethod
    def _check_guilds(cls, value: str) -> str:
        for part in _split(value):
            if not part.isdigit():
                raise ValueError(f"GIGBOT_DISCORD_GUILD_IDS entry {part!r} is not a guild id (a number)")
        return value

    @field_validator("default_locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"GIGBOT_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("default_currency")
    @classmethod
    def _check_currency(cls, value: str) -> str:
        if value.upper() not in CURRENCIES:
            raise ValueError("GIGBOT_DEFAULT_CURRENCY must be an ISO 4217 currency code such as EUR or USD")
        return value.upper()

    @property
    def admin_ids(self) -> frozenset[tuple[str, str]]:
        """The (platform, user id) pairs named in GIGBOT_ADMINS."""
        pairs = (entry.partition(":") for entry in _split(self.admins))
        return frozenset((platform.lower(), user_id) for platform, _, user_id in pairs)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
