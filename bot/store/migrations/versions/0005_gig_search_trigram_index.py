"""gig search trigram indexes (PostgreSQL): `gig search` finds words anywhere in titles and descriptions

`search` filters with lower(title) LIKE '%word%' (and the same on description), which no b-tree index serves:
without these, a word that few gigs contain reads every open gig. pg_trgm's GIN indexes serve such patterns.
pg_trgm ships with PostgreSQL and is a trusted extension, so the database owner may install it; where it cannot
be installed the indexes are left out and search still works, only slower. SQLite is left as it is.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)
INDEXES = {"ix_gig_title_trgm": "title", "ix_gig_description_trgm": "description"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    if schema is None:
        log.warning("pg_trgm cannot be installed here: gig search works without its indexes, only slower")
        return
    for name, column in INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON gig USING gin (lower({column}) "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


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
