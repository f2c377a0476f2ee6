"""nudge claim index: (state, due_at, id), the claim's exact order, so PostgreSQL need not sort a backlog

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_nudge_state_due_id", "nudge", ["state", "due_at", "id"])
    op.drop_index("ix_nudge_state_due", table_name="nudge")


def downgrade() -> None:
    op.create_index("ix_nudge_state_due", "nudge", ["state", "due_at"])
    op.drop_index("ix_nudge_state_due_id", table_name="nudge")
