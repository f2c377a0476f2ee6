"""Command handlers, one module per feature; importing this package registers them all."""

from bot.commands import (
    admin,
    apply,
    browse,
    help,
    home,
    outbox,
    pipeline,
    posting,
    reminders,
    review,
    roles,
    routes,
    settings,
)
from bot.core.registry import registry

__all__ = ["admin", "apply", "browse", "help", "home", "outbox", "pipeline", "posting", "reminders", "review", "roles",
           "routes", "settings", "registry"]
