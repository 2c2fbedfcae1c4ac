"""Scan history (``--store``): every scan's results, resources and errors, for ``history`` and ``diff``.

SQLite by default, PostgreSQL for a shared store; SQLAlchemy 2 with Alembic
migrations. Imported only by commands that use it, so other commands never load
SQLAlchemy.
"""

from aiposture.store.db import Store, StoreError, open_store, resolve_url

__all__ = ["Store", "StoreError", "open_store", "resolve_url"]
