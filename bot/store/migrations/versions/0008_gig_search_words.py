"""gig search words: each gig's folded words in gig.search_text, indexed (PostgreSQL pg_trgm, SQLite FTS5);
and browse_query, the queries behind the Next page buttons of `gig list` and `gig search`

`gig search` matched substrings of lower(title) and lower(description), so `go` found "Django" and `cafe` missed
"café". Now bot.core.words folds a gig's title, description and tags into a document of whole words
(` cafe site node.js node js `); a search word is `% word %` in it. The folding is done in Python, the same for
both databases, so no database's own accent rules (unaccent) can make them disagree.

- PostgreSQL: a pg_trgm GIN index on search_text serves those LIKE patterns; it replaces the two indexes of 0005,
  which served the substring search. pg_trgm is found in whatever schema holds it, as 0005 does.
- SQLite: an FTS5 table `gig_fts` over gig.search_text (external content, kept by triggers), whose tokenizer keeps
  the characters a word may hold (`node.js`, `c++`), so each of our words is one FTS5 token.

Existing gigs get their document here, computed by the same function the bot uses.

browse_query keeps a list or search that has more pages (its words and filters) under a short key, which the
reply's Next page button carries (Discord allows 100 characters in a button id; the words alone may be longer).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import logging

import sqlalchemy as sa
from alembic import op

from bot.core.words import JOINERS, document

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
OLD_INDEXES = {"ix_gig_title_trgm": "title", "ix_gig_description_trgm": "description"}
TOKENIZER = "unicode61 remove_diacritics 2 tokenchars '{}'".format(JOINERS.replace("'", "''"))
TRIGGERS = {  # FTS5's recipe for an external content table
    "gig_fts_insert": "AFTER INSERT ON gig BEGIN "
                      "INSERT INTO gig_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "gig_fts_delete": "AFTER DELETE ON gig BEGIN INSERT INTO gig_fts (gig_fts, rowid, search_text) "
                      "VALUES ('delete', old.id, old.search_text); END",
    "gig_fts_update": "AFTER UPDATE OF search_text ON gig BEGIN INSERT INTO gig_fts (gig_fts, rowid, search_text) "
                      "VALUES ('delete', old.id, old.search_text); "
                      "INSERT INTO gig_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
}
BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "browse_query",
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("community_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("command", sa.String(16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_browse_query"),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name="fk_browse_query_community_id_community"),
    )
    op.create_index("ix_browse_query_expires_at", "browse_query", ["expires_at"])
    op.add_column("gig", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _fill(bind)
    if bind.dialect.name == "postgresql":
        for name in OLD_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        schema = _trigram_schema(bind)
        if schema is None:
            log.warning("pg_trgm cannot be installed here: gig search works without its index, only slower")
        else:
            op.execute(f'CREATE INDEX ix_gig_search_trgm ON gig USING gin (search_text "{schema}".gin_trgm_ops)')
    elif bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE gig_fts USING fts5(search_text, content='gig', content_rowid='id', "
                   f'tokenize="{TOKENIZER}")')
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute("INSERT INTO gig_fts (gig_fts) VALUES ('rebuild')")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_gig_search_trgm")
        schema = _trigram_schema(bind)
        for name, column in OLD_INDEXES.items():
            if schema is not None:
                op.execute(f'CREATE INDEX {name} ON gig USING gin (lower({column}) "{schema}".gin_trgm_ops)')
    elif bind.dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS gig_fts")
    with op.batch_alter_table("gig") as batch:
        batch.drop_column("search_text")
    op.drop_table("browse_query")


def _fill(bind: sa.Connection) -> None:
    """Give every existing gig its search document, a batch at a time."""
    gig = sa.table("gig", sa.column("id"), sa.column("title"), sa.column("description"), sa.column("search_text"))
    tag = sa.table("gig_tag", sa.column("gig_id"), sa.column("tag"), sa.column("position"))
    last = 0
    while True:
        rows = bind.execute(sa.select(gig.c.id, gig.c.title, gig.c.description).where(gig.c.id > last)
                            .order_by(gig.c.id).limit(BATCH)).all()
        if not rows:
            return
        tags: dict[int, list[str]] = {}
        for gig_id, name in bind.execute(sa.select(tag.c.gig_id, tag.c.tag).where(tag.c.gig_id.in_([r.id for r in rows]))
                                         .order_by(tag.c.gig_id, tag.c.position)):
            tags.setdefault(gig_id, []).append(name)
        bind.execute(gig.update().where(gig.c.id == sa.bindparam("gig_id")).values(search_text=sa.bindparam("doc")),
                     [{"gig_id": r.id, "doc": document(r.title, r.description or "", *tags.get(r.id, []))}
                      for r in rows])
        last = rows[-1].id


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm is installed in, installing it (in public) if it is not yet; None if it cannot be."""
    installed = sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    schema = bind.execute(installed).scalar()
    if schema is None:
        try:
            with bind.begin_nested():  # a refusal (no privilege, no contrib package) must not abort the migration
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        except sa.exc.DBAPIError:  # refused, or another process installed it at the same moment
            pass
        schema = bind.execute(installed).scalar()
    return None if schema is None else str(schema).strip('"')
