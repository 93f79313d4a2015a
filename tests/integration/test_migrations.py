"""`arrears init` creates or migrates the store; migrating keeps the data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from arrears.adapters.store.database import current_revision, make_engine, migrate
from arrears.adapters.store.tables import metadata
from arrears.entrypoints.bootstrap import App
from arrears.services import ledger_check
from arrears.settings import load_settings


def test_the_migrations_build_exactly_the_schema_the_code_uses(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_init_twice_leaves_the_database_at_the_head(fresh_database_url: str) -> None:
    app = App(load_settings(fresh_database_url))
    assert app.init() == (None, "0010_lookups")
    assert app.init() == ("0010_lookups", "0010_lookups")
    app.engine.dispose()


def test_migrating_an_existing_database_keeps_its_loans_and_payments(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    migrate(engine, "0001_ledger")
    imported_at = datetime(2026, 1, 2, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO borrower (borrower_id, name) VALUES ('B1', '王芳')"))
        connection.execute(
            text(
                "INSERT INTO loan (loan_id, borrower_id, product, currency, principal_minor,"
                " annual_rate_ppm, term_months, start_date, repayment_method, rounding, imported_at)"
                " VALUES ('L1', 'B1', 'default', 'CNY', 300000, 120000, 3, :start,"
                " 'equal_principal', 'half_up', :at)"
            ),
            {"start": date(2026, 1, 1), "at": imported_at},
        )
        for seq, (due, interest) in enumerate(
            [(date(2026, 2, 1), 3000), (date(2026, 3, 1), 2000), (date(2026, 4, 1), 1000)], start=1
        ):
            connection.execute(
                text(
                    "INSERT INTO installment (loan_id, seq, due_date, principal_minor, interest_minor)"
                    " VALUES ('L1', :seq, :due, 100000, :interest)"
                ),
                {"seq": seq, "due": due, "interest": interest},
            )
    engine.dispose()

    app = App(load_settings(fresh_database_url))
    assert app.init() == ("0001_ledger", "0010_lookups")
    with app.engine.connect() as connection:
        name = connection.execute(
            text("SELECT name FROM borrower WHERE borrower_id = 'B1'")
        ).scalar()
        principal = connection.execute(text("SELECT principal_minor FROM loan")).scalar()
        entries = connection.execute(text("SELECT COUNT(*) FROM journal_entry")).scalar()
    assert (name, principal, entries) == ("王芳", 300000, 1)
    assert ledger_check.check_ledger(app.uow_factory) == []
    assert current_revision(app.engine) == "0010_lookups"
    app.engine.dispose()
