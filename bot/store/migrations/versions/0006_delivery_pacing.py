"""delivery: per-channel order index, unknown-outcome time, shared pacing and paused platforms

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("unknown_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_channel_order", "outbox_message", ["platform", "destination", "id"])
    op.create_table(
        "pacing",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key", name="pk_pacing"),
    )
    op.create_table(
        "delivery_pause",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", name="pk_delivery_pause"),
    )


def downgrade() -> None:
    op.drop_table("delivery_pause")
    op.drop_table("pacing")
    op.drop_index("ix_outbox_channel_order", table_name="outbox_message")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("unknown_since")
