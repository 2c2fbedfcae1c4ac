"""Alembic environment for the scan store.

aiposture runs migrations itself (``Store.migrate``) on the connection it already
holds; there is no alembic.ini to find. ``alembic`` on the command line works too
with ``-x url=...`` for maintainers who write a new revision.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from aiposture.store.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database: alembic -x url=postgresql+psycopg://... upgrade head")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
