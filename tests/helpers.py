"""Small builders shared by the integration and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from arrears.adapters.csv_formats import read_loans, read_payments
from arrears.entrypoints.bootstrap import App
from arrears.services import importing

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)

LOANS_HEADER = (
    "loan_id,borrower_id,currency,principal,annual_rate,term_months,start_date,"
    "repayment_method,rounding,product,borrower_name"
)
PAYMENTS_HEADER = "payment_id,loan_id,paid_on,amount"


def write_csv(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def import_loans_file(app: App, path: Path, **options: Any) -> importing.ImportReport:
    def rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from read_loans(stream)

    return importing.import_loans(app.uow_factory, rows, NOW, **options)


def import_payments_file(app: App, path: Path, **options: Any) -> importing.ImportReport:
    def rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from read_payments(stream)

    return importing.import_payments(app.uow_factory, rows, NOW, **options)


# -- setting up for end-to-end tests, in this process --------------------------------------
# An end-to-end test runs the command it is about as a real process. What it only needs
# done first (`arrears init`, the loans imported) runs here instead: the same code, without
# a process that loads the CLI for it; those commands have end-to-end tests of their own.


def initialise(database_url: str) -> str:
    """`arrears init` on the database (the command's own body); returns what it printed."""
    import typer

    from arrears.entrypoints.cli.main import init
    from arrears.entrypoints.cli.output import console
    from arrears.settings import load_settings

    app = App(load_settings(database_url))
    try:
        with console.capture() as printed:
            init(typer.Context(typer.core.TyperCommand("init"), obj=app))
    finally:
        app.engine.dispose()
    return printed.get()


def import_files(database_url: str, loans: Path, payments: Path | None = None) -> None:
    """`arrears import loans` (and `payments`) of the files, at the clock's time as the
    command would; every row must be valid."""
    from arrears.settings import load_settings

    app = App(load_settings(database_url))
    try:
        for path, reader, service in (
            (loans, read_loans, importing.import_loans),
            (payments, read_payments, importing.import_payments),
        ):
            if path is None:
                continue

            def rows(path: Path = path, reader: Any = reader) -> Iterator[Any]:
                with path.open(newline="", encoding="utf-8-sig") as stream:
                    yield from reader(stream)

            report = service(app.uow_factory, rows, app.now())
            assert report.clean, report.findings
    finally:
        app.engine.dispose()
