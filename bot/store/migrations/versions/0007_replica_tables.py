"""replica tables: the Slack durable inbox, shared dedupe keys and Discord form refills

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_request",
        sa.Column("id", Id, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(128), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("response_url", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_request"),
        sa.UniqueConstraint("key", name="uq_inbox_request_key"),
    )
    op.create_index("ix_inbox_request_done_claimed", "inbox_request", ["done_at", "claimed_until"])
    op.create_table(
        "seen_key",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_seen_key"),
    )
    op.create_index("ix_seen_key_expires_at", "seen_key", ["expires_at"])
    op.create_table(
        "form_refill",
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_form_refill"),
    )
    op.create_index("ix_form_refill_expires_at", "form_refill", ["expires_at"])


def downgrade() -> None:
    op.drop_table("form_refill")
    op.drop_table("seen_key")
    op.drop_table("inbox_request")
