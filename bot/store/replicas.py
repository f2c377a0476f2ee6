"""Tables that let replicas share what one process used to keep in memory: the Slack inbox, dedupe keys, refills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, Id, Timestamp


class InboxRequest(Base):
    """A Slack command, button press or form submission written before its ack, run by whichever replica claims it."""

    __tablename__ = "inbox_request"
    __table_args__ = (Index("ix_inbox_request_done_claimed", "done_at", "claimed_until"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # command, action, answer
    key: Mapped[str | None] = mapped_column(String(128), unique=True)  # the dedupe key of the platform's request
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    response_url: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(Timestamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp)
    done_at: Mapped[datetime | None] = mapped_column(Timestamp)


class SeenKey(Base):
    """A request or interaction already taken by some replica (Slack retries, Discord interaction ids)."""

    __tablename__ = "seen_key"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)


class FormRefill(Base):
    """A Discord form opened for a member, kept so any replica takes its submission, its next step or its refill."""

    __tablename__ = "form_refill"
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    form: Mapped[dict[str, Any]] = mapped_column(JSON)
    form_values: Mapped[dict[str, str]] = mapped_column("values", JSON)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
