"""trust and safety: screening verdicts, holds and review, reports, edits, trusted posters

- gig.screening keeps the verdict of the last screening (tier, score, findings, the holds about who posted), so the
  review card and `gig review` can show the reasons. A held gig has status `held`; a rejected one `rejected`.
- gig.reviewed_by_id, reviewed_at and review_note record the admin's decision and the reason given on a rejection.
- gig.hidden_at is set when reports from distinct members reach the community's threshold: the gig stays open but
  is left out of listings and its postings say "under review" until an admin decides.
- gig.edited_at is the time of the last `gig edit`; gig_revision keeps each edit's changes (the gig's history).
- gig_report holds one report per member per gig, with the reporter's reason; `gig forget-me` clears member_id.
- member.trusted is the admin-granted trusted-poster flag.
- workspace.review_channel is the place's review channel, where held and reported gigs go.
- posting.kind tells a gig's copy in a job channel (`gig`) from its card in a review channel (`review`), so that
  review cards are kept current through the outbox like any posting.

Columns are added without rebuilding tables (no batch mode), so SQLite keeps the gig_fts triggers of 0008.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GIG_COLUMNS = ("screening", "hidden_at", "reviewed_at", "review_note", "edited_at")


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable foreign key column, added in place (SQLite takes a REFERENCES clause in ADD COLUMN)."""
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, Id, sa.ForeignKey(f"{target}.id", name=name), nullable=True))


def upgrade() -> None:
    op.add_column("gig", sa.Column("screening", sa.JSON(), nullable=True))
    op.add_column("gig", sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("gig", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("gig", sa.Column("review_note", sa.Text(), nullable=True))
    op.add_column("gig", sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    _add_reference("gig", "reviewed_by_id", "member")
    op.add_column("member", sa.Column("trusted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("workspace", sa.Column("review_channel", sa.String(64), nullable=True))
    op.add_column("posting", sa.Column("kind", sa.String(16), nullable=False, server_default="gig"))
    op.create_table(
        "gig_report",
        sa.Column("id", Id, nullable=False),
        sa.Column("gig_id", Id, nullable=False),
        sa.Column("member_id", Id, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gig_report"),
        sa.ForeignKeyConstraint(["gig_id"], ["gig.id"], name="fk_gig_report_gig_id_gig"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_gig_report_member_id_member"),
        sa.UniqueConstraint("gig_id", "member_id", name="uq_gig_report_gig_id"),
    )
    op.create_index("ix_gig_report_gig_id", "gig_report", ["gig_id"])
    op.create_table(
        "gig_revision",
        sa.Column("id", Id, nullable=False),
        sa.Column("gig_id", Id, nullable=False),
        sa.Column("editor_id", Id, nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gig_revision"),
        sa.ForeignKeyConstraint(["gig_id"], ["gig.id"], name="fk_gig_revision_gig_id_gig"),
        sa.ForeignKeyConstraint(["editor_id"], ["member.id"], name="fk_gig_revision_editor_id_member"),
    )
    op.create_index("ix_gig_revision_gig_id", "gig_revision", ["gig_id"])


def downgrade() -> None:
    """Plain columns are dropped in place (SQLite 3.35+); only gig.reviewed_by_id, a foreign key, rebuilds gig."""
    bind = op.get_bind()
    op.drop_table("gig_revision")
    op.drop_table("gig_report")
    for table, column in (("posting", "kind"), ("workspace", "review_channel"), ("member", "trusted"),
                          *(("gig", column) for column in GIG_COLUMNS)):
        op.drop_column(table, column)
    # rebuilding gig on SQLite drops its triggers (gig_fts of 0008): keep them and make them again
    triggers = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'gig'")
                            ).scalars().all() if bind.dialect.name == "sqlite" else []
    with op.batch_alter_table("gig") as batch:
        batch.drop_column("reviewed_by_id")
    for sql in triggers:
        op.execute(sql)
