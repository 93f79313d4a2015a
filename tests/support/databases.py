"""A database of a test module's own: built once, then only read by the module's tests.

The ``database_url`` fixture gives every test an empty database (on PostgreSQL by
truncating the worker's schema), so a portfolio that takes long to build would be
built again for each test. A module that builds one and only reads it afterwards
takes ``module_database`` instead: a copy of the migrated SQLite file, or a
PostgreSQL schema of its own, dropped at the end.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from arrears.adapters.store.database import make_engine, migrate
from tests.conftest import ON_POSTGRES, POSTGRES_URL, _postgres_url, _session_tag, _worker


@contextmanager
def module_database(
    name: str, template: str, tmp_path_factory: pytest.TempPathFactory, config: pytest.Config
) -> Iterator[str]:
    """The URL of a migrated, empty database called ``name`` (letters, digits, ``_``);
    ``template`` is the ``_template`` fixture."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp(name) / "arrears.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    schema = f"arrears_{name}_{_session_tag()}_{_worker(config)}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(_postgres_url(schema))
    migrate(engine)
    engine.dispose()
    try:
        yield _postgres_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
