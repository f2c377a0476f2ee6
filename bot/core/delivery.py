"""The sender contract: what a platform sender receives and returns, how it fails, and the retry policy.

A sender classifies every failure into one of three outcomes, and the delivery service acts on the class alone:
the recipient refused (never retried), the platform is failing (backed off, kept for a day, the member untouched),
or the fault is ours (a payload rejected: that row fails; a token or scope refused: that platform's delivery pauses).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.types import Message


class OutboxKind(StrEnum):
    """What an outbox row does: post in a channel, edit a posting, or DM a member."""

    POST = "post"
    EDIT = "edit"
    DM = "dm"


class OutboxState(StrEnum):
    """An outbox row's state, stored as its value.

    pending: waiting (attempts > 0 means delayed by failures); sending: claimed under a lease; sent; superseded: a
    later edit of the same posting carries newer content; failed: refused or rejected, never retried by itself;
    dead: the platform kept failing past the give-up horizon; dropped: the workspace uninstalled the app.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    DEAD = "dead"
    DROPPED = "dropped"


OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING)  # rows that still hold their channel's place in order
RETRYABLE_STATES = (OutboxState.FAILED, OutboxState.DEAD)  # rows an admin may send again


@dataclass(frozen=True)
class Outgoing:
    """What a sender receives: where, what kind, the message, and for edits the message to replace."""

    id: int
    kind: str
    destination: str
    message: Message
    message_ref: str | None = None
    dm_channel: str | None = None  # for a DM: the channel opened with the member before, if any
    check_first: bool = False  # an earlier attempt may have arrived and the platform forgot its nonce: look first


@dataclass(frozen=True)
class Sent:
    """What a delivered message became: its platform reference and, for a DM, the channel it went to."""

    ref: str | None = None
    dm_channel: str | None = None


Sender = Callable[[Outgoing], Awaitable[Sent]]


class DeliveryFailure(Exception):
    """A send that did not go through; the subclass says whose fault it is."""


class RecipientRefused(DeliveryFailure):
    """The member cannot receive DMs (closed DMs, unknown or disabled user): mark them, never retry."""


class ChannelRefused(DeliveryFailure):
    """The channel or message is gone or closed to the bot: fail the row and tell the admins; members untouched."""


class PlatformFailing(DeliveryFailure):
    """5xx, timeouts, connection errors, 429s: try again later, honouring Retry-After when the platform gave one.

    `unknown_outcome` means the request may have reached the platform (a timeout, a connection dropped after
    sending): a resend must be recognisable (Discord's nonce) or be checked for first.
    """

    def __init__(self, reason: str, retry_after: float | None = None, unknown_outcome: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.unknown_outcome = unknown_outcome


class PayloadRejected(DeliveryFailure):
    """The platform rejected what we sent as invalid (our rendering bug): fail the row, tell the admins."""


class NotAuthorized(DeliveryFailure):
    """The token is revoked or lacks a scope (our configuration): pause the platform's delivery, tell the admins."""


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again after the platform failed.

    The wait grows from `base` by `factor` per attempt up to `cap`, less up to `jitter` of itself so replicas and
    channels spread out; a Retry-After from the platform is honoured as given. A cap of 20 s means delivery resumes
    within about 20 s of the platform recovering, however long it was down. After `horizon` the row is dead (kept
    for admins to retry). A resend after an unknown outcome is safe within `nonce_window` (Discord's nonce memory).
    """

    base: float = 1.0
    factor: float = 2.0
    jitter: float = 0.25
    cap: float = 20.0
    horizon: timedelta = timedelta(hours=24)
    nonce_window: timedelta = timedelta(minutes=2)

    def wait(self, attempts: int, retry_after: float | None = None,
             rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before the next attempt, after `attempts` failed ones."""
        if retry_after is not None and retry_after > 0:
            return retry_after + self.jitter * rand()  # honour it; the small spread keeps replicas apart
        backoff = min(self.cap, self.base * self.factor ** max(0, attempts - 1))
        return backoff * (1 - self.jitter * rand())

    def gave_up(self, first_written: datetime, now: datetime) -> bool:
        """Whether a row written at `first_written` has been retried long enough."""
        return now - first_written >= self.horizon

    def resend_is_recognised(self, unknown_since: datetime | None, now: datetime) -> bool:
        """Whether the platform still recognises a resend of an attempt of unknown outcome."""
        return unknown_since is None or now - unknown_since < self.nonce_window
