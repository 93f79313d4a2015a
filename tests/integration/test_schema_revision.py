"""The store's revision, read without Alembic on every command, is Alembic's answer."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from arrears.adapters.store.database import (
    MIGRATIONS,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)
from arrears.entrypoints.bootstrap import App


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_a_migrated_store_is_at_the_revision_alembic_reads(app: App) -> None:
    with app.engine.connect() as connection:
        alembic_says = MigrationContext.configure(connection).get_current_revision()
    assert alembic_says is not None
    assert current_revision(app.engine) == alembic_says == head_revision()


def test_a_store_never_migrated_has_no_revision_and_one_migrated_has_the_head(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    try:
        assert current_revision(engine) is None
        migrate(engine, "0001_ledger")
        assert current_revision(engine) == "0001_ledger"
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
