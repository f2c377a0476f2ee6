"""Alembic environment: runs on the connection gigbot hands it, or on GIGBOT_DATABASE_URL."""


from alembic import context
from sqlalchemy.engine import Connection

from bot.store.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `gigbot migrate`")
given = config.attributes.get("connection")
if given is None:  # the store knows no settings: `gigbot migrate` reads them and hands over a connection
    raise SystemExit("run migrations with `gigbot migrate`, which reads GIGBOT_DATABASE_URL")
run(given)
