"""SQLAlchemy models: the database is the truth for gigs, applications, nudges and the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.core.clock import as_utc
from bot.core.states import ApplicationStatus, NudgeKind, NudgeState
from bot.store.columns import StoredEnum

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER primary keys


class Timestamp(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive on SQLite, which keeps no offset."""
        if value is None:
            return None
        value = as_utc(value)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    """Base of every model, with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class Community(Base):
    """One tenant: Slack workspaces and Discord servers sharing one gig board."""

    __tablename__ = "community"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class Workspace(Base):
    """A place: a Slack team, Discord guild or console session that belongs to a community.

    Places linked with `gig admin link` / `gig admin join` belong to one community; each keeps its own default
    channel and routes.
    """

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    default_channel: Mapped[str | None] = mapped_column(String(64))  # receives every gig posted in the community
    review_channel: Mapped[str | None] = mapped_column(String(64))  # receives held and reported gigs, for admins


class Member(Base):
    """An identity, known by (platform, platform user id) within a community.

    A person who linked a Slack and a Discord identity (`gig link`) is one member: the other identity points at it
    through linked_to_id, and everything (applications, settings, gigs) lives on the person's member.
    """

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("community_id", "platform", "platform_user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(8))
    platform_locale: Mapped[str | None] = mapped_column(String(8))
    is_poster: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    dm_undeliverable: Mapped[bool] = mapped_column(Boolean, default=False)
    dm_channel: Mapped[str | None] = mapped_column(String(64))  # the platform's DM channel with the member, once known
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"))  # the place first seen in
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)  # the person's member
    dm_platform: Mapped[str | None] = mapped_column(String(16))  # where a linked person wants DMs; None: last used
    last_seen_at: Mapped[datetime | None] = mapped_column(Timestamp)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # granted by an admin


class Gig(Base):
    """A small paid job, posted once and reposted to many channels."""

    __tablename__ = "gig"
    __table_args__ = (
        Index("ix_gig_community_status_created", "community_id", "status", "created_at"),
        Index("ix_gig_community_canonical_url", "community_id", "canonical_url"),
        Index("ix_gig_poster_title_key", "poster_id", "title_key"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    poster_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    title: Mapped[str] = mapped_column(String(120))
    title_key: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_min: Mapped[int] = mapped_column(BigInteger)  # in cents
    budget_max: Mapped[int] = mapped_column(BigInteger)  # in cents
    currency: Mapped[str] = mapped_column(String(3))
    hourly: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[bool] = mapped_column(Boolean, default=True)
    location: Mapped[str] = mapped_column(String(100), default="")
    hours: Mapped[int | None] = mapped_column(Integer)
    apply_by: Mapped[date] = mapped_column(Date)
    apply_url: Mapped[str | None] = mapped_column(String(500))
    canonical_url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")  # bot.core.words.document
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"), index=True)  # posted from there
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the last verdict: tier, score, findings, holds
    hidden_at: Mapped[datetime | None] = mapped_column(Timestamp)  # reports reached the threshold: under review
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # the admin who approved or rejected
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_note: Mapped[str | None] = mapped_column(Text)  # the reason given with a rejection
    edited_at: Mapped[datetime | None] = mapped_column(Timestamp)

    tags: Mapped[list[GigTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="GigTag.position"
    )
    poster: Mapped[Member] = relationship(foreign_keys=[poster_id], lazy="joined")

    @property
    def tag_names(self) -> list[str]:
        """The gig's tags in the order they were given."""
        return [tag.tag for tag in self.tags]


# `gig search` (migration 0008): on PostgreSQL a pg_trgm index of the search words; on SQLite the FTS5 table
# gig_fts, kept by triggers, which the metadata does not describe.
Index("ix_gig_search_trgm", Gig.search_text, postgresql_using="gin",
      postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql")


class GigTag(Base):
    """One normalised tag of a gig; a table of its own so tag filters use an index."""

    __tablename__ = "gig_tag"
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Posting(Base):
    """One repost of a gig in one channel on one platform, or its card in a review channel (kind `review`).

    A review channel is never a job channel of its place, so (gig, platform, channel) stays unique.
    """

    __tablename__ = "posting"
    __table_args__ = (UniqueConstraint("gig_id", "platform", "channel"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    message_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    kind: Mapped[str] = mapped_column(String(16), default="gig", server_default="gig")  # gig or review


class Application(Base):
    """A member's application to a gig; one per member per gig."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("gig_id", "member_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(StoredEnum(ApplicationStatus, 16),
                                                      default=ApplicationStatus.APPLIED)
    pitch: Mapped[str] = mapped_column(Text, default="")
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    applied_as_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # the identity that applied
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)

    gig: Mapped[Gig] = relationship(lazy="joined")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="joined")


class ApplicationEvent(Base):
    """One status change of an application, with its time: the application's history."""

    __tablename__ = "application_event"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(StoredEnum(ApplicationStatus, 16))
    to_status: Mapped[ApplicationStatus] = mapped_column(StoredEnum(ApplicationStatus, 16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    at: Mapped[datetime] = mapped_column(Timestamp)


class Nudge(Base):
    """A timed DM about an application or a gig: due time, state, attempts and claim lease."""

    __tablename__ = "nudge"
    __table_args__ = (Index("ix_nudge_state_due_id", "state", "due_at", "id"),)  # the claim's order, tie included
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    gig_id: Mapped[int | None] = mapped_column(ForeignKey("gig.id"), index=True)
    kind: Mapped[NudgeKind] = mapped_column(StoredEnum(NudgeKind, 32))
    due_at: Mapped[datetime] = mapped_column(Timestamp)
    state: Mapped[NudgeState] = mapped_column(StoredEnum(NudgeState, 16), default=NudgeState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Pacing(Base):
    """When a rate-limited resource (a Slack channel, Discord's global budget) may next be used, for every replica.

    Reserved by one conditional UPDATE, so two processes together stay within the platform's limit.
    """

    __tablename__ = "pacing"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch


class DeliveryPause(Base):
    """A platform whose delivery is held because our token or scopes were refused; probed again at retry_at."""

    __tablename__ = "delivery_pause"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(Timestamp)
    retry_at: Mapped[datetime] = mapped_column(Timestamp)


class Route(Base):
    """A rule that sends gigs with given tags, remote or location to a channel."""

    __tablename__ = "route"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote: Mapped[bool | None] = mapped_column(Boolean)
    location: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"))  # the place whose channel it is


class OutboxMessage(Base):
    """A message waiting to be delivered to a platform, written with the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_platform_state_due", "platform", "state", "next_attempt_at"),
                      Index("ix_outbox_channel_order", "platform", "destination", "id"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # post, edit, dm
    destination: Mapped[str] = mapped_column(String(64))  # channel id, or platform user id for a DM
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp)
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    unknown_since: Mapped[datetime | None] = mapped_column(Timestamp)  # first attempt whose outcome is unknown


class AuditEntry(Base):
    """Who did what, for admins: posts, closes, roles and routes."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(Timestamp)


class GigReport(Base):
    """A member's report of a gig, with their reason; one per member per gig. The poster never sees who."""

    __tablename__ = "gig_report"
    __table_args__ = (UniqueConstraint("gig_id", "member_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # None once the reporter is forgotten
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class GigRevision(Base):
    """One `gig edit`: the fields it changed, each as [before, after], by whom and when: the gig's history."""

    __tablename__ = "gig_revision"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gig.id"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(Timestamp)


class LinkCode(Base):
    """A one-time code linking a place to a community (`gig admin link`) or an identity to a person (`gig link`)."""

    __tablename__ = "link_code"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # place or person
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"))  # the place it was made in
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))  # who made it
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class BrowseQuery(Base):
    """A `gig list` or `gig search` with more pages, kept so its Next page button can run it again on any replica.

    The key is a hash of the community and the query, so running the same query again reuses its row.
    """

    __tablename__ = "browse_query"
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    command: Mapped[str] = mapped_column(String(16))  # list or search
    options: Mapped[dict[str, Any]] = mapped_column(JSON)  # the search text and the filters, as the command reads them
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)


from bot.store import replicas as replicas  # noqa: E402  # the replica tables belong to the same metadata
