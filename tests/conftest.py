"""Test fixtures: a migrated, empty database per test, on SQLite or PostgreSQL.

The suite runs on SQLite by default; with ``ARREARS_DATABASE_URL`` set to a
PostgreSQL URL it runs every database test there instead, each pytest-xdist
worker in its own schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from arrears.adapters.store.database import make_engine, migrate
from arrears.adapters.store.tables import metadata
from arrears.entrypoints.bootstrap import App
from arrears.settings import load_settings

POSTGRES_URL = os.environ.get("ARREARS_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def _worker(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_url(schema: str) -> str:
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


def _session_tag() -> str:
    """Tells test sessions running at once apart (their workers share the run id)."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"p{os.getpid()}"
    return run_id[:10].lower()


@pytest.fixture(scope="session")
def _template(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """Migrate once per worker: a SQLite file to copy, or a PostgreSQL schema to truncate
    (one per session and worker, dropped at the end, so sessions may run side by side)."""
    if ON_POSTGRES:
        schema = f"arrears_test_{_session_tag()}_{_worker(pytestconfig)}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = _postgres_url(schema)
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    yield str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """A URL to a migrated database with no rows."""
    if ON_POSTGRES:
        engine = make_engine(_template)
        names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} CASCADE"))
        engine.dispose()
        yield _template
        return
    path = tmp_path / "arrears.db"
    shutil.copyfile(_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[App]:
    """The composition root on a fresh database; afterwards every journal entry must balance
    and every cached balance equal its postings (tests that corrupt the ledger on purpose
    are marked ``corrupts_ledger``)."""
    application = App(load_settings(database_url))
    yield application
    if request.node.get_closest_marker("corrupts_ledger") is None:
        with application.uow() as uow:
            assert uow.ledger.unbalanced_entries() == []
            assert uow.ledger.balance_mismatches() == []
    application.engine.dispose()


@pytest.fixture
def engine(app: App) -> Engine:
    return app.engine


@pytest.fixture
def fresh_database_url(tmp_path: Path, pytestconfig: pytest.Config) -> Iterator[str]:
    """A URL to an empty database with no schema at all (for migration tests)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    schema = f"arrears_fresh_{_session_tag()}_{_worker(pytestconfig)}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield _postgres_url(schema)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def app_factory(_template: str, tmp_path: Path) -> Iterator[Callable[[], App]]:
    """Fresh, migrated, empty databases on demand: one per hypothesis example."""
    made: list[App] = []

    def make() -> App:
        if ON_POSTGRES:
            for application in made:
                application.engine.dispose()
            engine = make_engine(_template)
            names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {names} CASCADE"))
            engine.dispose()
            url = _template
        else:
            path = tmp_path / f"arrears-{len(made)}.db"
            shutil.copyfile(_template, path)
            url = f"sqlite:///{path}"
        application = App(load_settings(url))
        made.append(application)
        return application

    yield make
    for application in made:
        application.engine.dispose()
