"""Connecting to the store and migrating it: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic loads only to migrate (``arrears init``): every other command checks the
# store's revision against the newest migration's, and loading Alembic and every
# migration module for that would cost each command about a third of a second.
MIGRATIONS = Path(__file__).parent / "migrations"
# A migration file's header lines, as script.py.mako writes them: revision = "…" and
# down_revision = "…" (None for the first).
_HEADER = re.compile(r"""^(revision|down_revision) = (?:None|["']([^"']+)["'])\s*$""", re.M)


POOL_SIZE = 12


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # The web app serves from a pool of threads (entrypoints.web.app.THREADS): each keeps its
    # connection rather than opening one per request past the default five.
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(url) if in_memory else create_engine(
        url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE
    )  # fmt: skip
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB: big imports stay in memory
    cursor.execute("PRAGMA mmap_size=17179869184")  # read pages straight from the OS cache
    cursor.execute("PRAGMA temp_store=MEMORY")  # the cycle's scratch tables
    # A cycle day writes thousands of pages (a journal entry per loan accruing): with the
    # default 1,000-page WAL every day's commit copies them all back into the database
    # and syncs it; 10,000 pages (40 MiB) let a few days' rewrites of the same pages
    # (status, balances, the last journal page of each loan) be copied back once.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create the schema or bring it up to ``revision``; existing data is kept."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at; None before the first migration. Read as Alembic's
    MigrationContext reads it: the one row of ``alembic_version``, if that table is there."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        raise RuntimeError(f"the store is at several revisions: {sorted(r[0] for r in rows)}")
    return rows[0][0] if rows else None


@cache
def head_revision() -> str | None:
    """The newest migration's revision: the one no other revises, read from the files'
    header lines. A history that does not read as one line (a merge, a header written
    otherwise) is left to Alembic. tests/integration/test_schema_revision.py holds the
    answer equal to Alembic's."""
    revises: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        header = dict(_HEADER.findall(path.read_text(encoding="utf-8")))
        if "revision" not in header or "down_revision" not in header:
            return _alembic_head_revision()
        revises[header["revision"]] = header["down_revision"] or None
    heads = set(revises) - set(revises.values())
    if len(heads) != 1 or len(set(revises.values())) != len(revises):
        return _alembic_head_revision()
    return heads.pop()


def _alembic_head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
