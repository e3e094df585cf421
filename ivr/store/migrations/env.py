"""Alembic environment: migrations run on the connection `ivr.store.Store.migrate` hands in."""

from alembic import context

from ivr.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
