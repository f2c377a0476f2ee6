"""A registry with every real command plus three-word admin commands, for adapter tests of the deepest names."""

from __future__ import annotations

from bot.core.registry import Kind, Param, Registry, registry
from bot.core.types import Reply, Role

GROUP = "admin queue"  # named apart from any real command, so it never collides with one added later


async def queue_list(ctx: object) -> Reply:
    return Reply("queue listed")


async def queue_retry(ctx: object, id: int) -> Reply:
    return Reply(f"queue retried {id}")


def with_three_words() -> Registry:
    """Today's commands plus `admin queue list` and `admin queue retry <id>` (admins only)."""
    deep = Registry(dict(registry.commands))
    deep.command(f"{GROUP} list", role=Role.ADMIN)(queue_list)
    deep.command(f"{GROUP} retry", Param("id", Kind.INT, required=True, positional=True), role=Role.ADMIN)(queue_retry)
    return deep
