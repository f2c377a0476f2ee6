"""linked places and people: one community on Slack and Discord at once

- workspace gains its name (shown by `gig admin places`) and its own default channel: default channels stay per
  platform and per place, so two linked Discord servers each keep theirs. community.default_channels moves there
  (today each community has one workspace, so each platform's default goes to that platform's workspace).
- member, gig and route record the place (workspace) they came from, so that unlinking a place gives it back its
  own community with what came from it. Existing rows get their community's workspace.
- member.linked_to_id ties an identity to the person's first identity (`gig link`): one pipeline, one set of
  settings. member.dm_platform is the platform the person chose for DMs; member.last_seen_at says which they used
  last.
- application.applied_as_id keeps the identity that applied, so unlinking gives each identity back its applications.
- link_code holds the one-time codes of `gig admin link` (a place) and `gig link` (a person).

Columns are added without rebuilding tables (no batch mode), so SQLite keeps the gig_fts triggers of 0008.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PLACE_COLUMNS = ("member", "gig", "route")


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable foreign key column, added in place (SQLite takes a REFERENCES clause in ADD COLUMN)."""
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, Id, sa.ForeignKey(f"{target}.id", name=name), nullable=True))


def upgrade() -> None:
    op.add_column("workspace", sa.Column("name", sa.String(100), nullable=False, server_default=""))
    op.add_column("workspace", sa.Column("default_channel", sa.String(64), nullable=True))
    for table in PLACE_COLUMNS:
        _add_reference(table, "workspace_id", "workspace")
    _add_reference("member", "linked_to_id", "member")
    op.add_column("member", sa.Column("dm_platform", sa.String(16), nullable=True))
    op.add_column("member", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    _add_reference("application", "applied_as_id", "member")
    op.create_index("ix_member_linked_to_id", "member", ["linked_to_id"])
    op.create_index("ix_gig_workspace_id", "gig", ["workspace_id"])
    op.create_table(
        "link_code",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("community_id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=True),
        sa.Column("member_id", Id, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_link_code"),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name="fk_link_code_community_id_community"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name="fk_link_code_workspace_id_workspace"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name="fk_link_code_member_id_member"),
    )
    _fill(op.get_bind())
    op.drop_column("community", "default_channels")  # SQLite 3.35+ drops a plain column in place


def _fill(bind: sa.Connection) -> None:
    """Give existing rows their place: the workspace of their community (of the route's platform for a route)."""
    workspace = sa.table("workspace", sa.column("id"), sa.column("community_id"), sa.column("platform"),
                         sa.column("external_id"), sa.column("name"), sa.column("default_channel"))
    community = sa.table("community", sa.column("id"), sa.column("default_channels", sa.JSON()))
    for table in ("member", "gig"):
        rows = sa.table(table, sa.column("community_id"), sa.column("workspace_id"))
        bind.execute(rows.update().values(workspace_id=sa.select(sa.func.min(workspace.c.id))
                                          .where(workspace.c.community_id == rows.c.community_id).scalar_subquery()))
    route = sa.table("route", sa.column("community_id"), sa.column("platform"), sa.column("workspace_id"))
    bind.execute(route.update().values(workspace_id=sa.select(sa.func.min(workspace.c.id)).where(
        workspace.c.community_id == route.c.community_id, workspace.c.platform == route.c.platform)
        .scalar_subquery()))
    application = sa.table("application", sa.column("member_id"), sa.column("applied_as_id"))
    bind.execute(application.update().values(applied_as_id=application.c.member_id))
    bind.execute(workspace.update().values(name=workspace.c.external_id))
    defaults = {row.id: row.default_channels for row in bind.execute(sa.select(community))}
    for place in bind.execute(sa.select(workspace)).all():
        channels = defaults.get(place.community_id) or {}
        if isinstance(channels, dict) and channels.get(place.platform):
            bind.execute(workspace.update().where(workspace.c.id == place.id)
                         .values(default_channel=channels[place.platform]))


def downgrade() -> None:
    bind = op.get_bind()
    op.add_column("community", sa.Column("default_channels", sa.JSON(), nullable=True))
    workspace = sa.table("workspace", sa.column("community_id"), sa.column("platform"), sa.column("default_channel"))
    community = sa.table("community", sa.column("id"), sa.column("default_channels", sa.JSON()))
    channels: dict[int, dict[str, str]] = {}
    for place in bind.execute(sa.select(workspace)).all():
        channels.setdefault(place.community_id, {})
        if place.default_channel:
            channels[place.community_id].setdefault(place.platform, place.default_channel)
    for community_id in {row.id for row in bind.execute(sa.select(community.c.id))}:
        bind.execute(community.update().where(community.c.id == community_id)
                     .values(default_channels=channels.get(community_id, {})))
    op.drop_table("link_code")
    op.drop_index("ix_gig_workspace_id", "gig")
    op.drop_index("ix_member_linked_to_id", "member")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("applied_as_id")
    with op.batch_alter_table("member") as batch:
        for column in ("last_seen_at", "dm_platform", "linked_to_id", "workspace_id"):
            batch.drop_column(column)
    with op.batch_alter_table("route") as batch:
        batch.drop_column("workspace_id")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("default_channel")
        batch.drop_column("name")
    # rebuilding gig on SQLite drops its triggers (gig_fts of 0008): keep them and make them again
    triggers = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'gig'")
                            ).scalars().all() if bind.dialect.name == "sqlite" else []
    with op.batch_alter_table("gig") as batch:
        batch.drop_column("workspace_id")
    for sql in triggers:
        op.execute(sql)
