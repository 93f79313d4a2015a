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
