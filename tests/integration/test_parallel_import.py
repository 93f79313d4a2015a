"""The parallel loans import (stage and merge) leaves exactly what the row-by-row import does."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.entrypoints.batch.parallel_import import import_loans_parallel
from arrears.entrypoints.bootstrap import App
from arrears.services import ledger_check
from arrears.services.synthetic_portfolio import LOAN_HEADERS, iter_loan_rows
from arrears.settings import load_settings
from tests.conftest import ON_POSTGRES
from tests.helpers import NOW, import_loans_file

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the parallel import merges into SQLite")

TABLES = {
    "borrower": "borrower_id",
    "loan": "loan_id",
    "installment": "loan_id, seq",
    "journal_entry": "loan_id, entry_seq",
    "journal_posting": "loan_id, entry_seq, account",
    "loan_balance": "loan_id, account",
}


def _write_loans(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, LOAN_HEADERS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _portfolio(count: int) -> list[dict[str, str]]:
    return list(iter_loan_rows(count, date(2026, 11, 29), seed=3, term_months=None))


def _app(folder: Path, name: str) -> App:
    app = App(load_settings(f"sqlite:///{folder / name}"))
    app.init()
    return app


def _contents(app: App) -> dict[str, list[tuple[object, ...]]]:
    with app.engine.connect() as connection:
        return {
            table: [
                tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
            ]
            for table, key in TABLES.items()
        }


def test_both_paths_store_the_same_rows_and_the_ledger_balances(tmp_path: Path) -> None:
    rows = _portfolio(2500)
    rows.insert(1800, dict(rows[10]))  # an identical repeat, read by the other reader
    loans = _write_loans(tmp_path / "loans.csv", rows)
    one_by_one, parallel = _app(tmp_path, "a.db"), _app(tmp_path, "b.db")

    report_a = import_loans_file(one_by_one, loans)
    report_b = import_loans_parallel(parallel, loans, NOW, readers=2)

    assert (report_b.written, report_b.rejected, report_b.findings) == (2500, 0, [])
    assert report_a.written == report_b.written
    assert _contents(parallel) == _contents(one_by_one)
    assert ledger_check.check_ledger(parallel.uow_factory) == []


def test_a_bad_file_reports_the_same_findings_and_writes_nothing(tmp_path: Path) -> None:
    rows = _portfolio(2200)
    rows[5]["principal"] = "abc"
    rows[1500]["term_months"] = "0"
    rows[2100]["loan_id"] = rows[3]["loan_id"]  # the same id, other content
    loans = _write_loans(tmp_path / "bad.csv", rows)
    one_by_one, parallel = _app(tmp_path, "a.db"), _app(tmp_path, "b.db")

    expected = import_loans_file(one_by_one, loans).findings
    found = import_loans_parallel(parallel, loans, NOW, readers=2).findings

    assert sorted((f.line, f.column, f.code) for f in found) == sorted(
        (f.line, f.column, f.code) for f in expected
    )
    assert {f.line for f in found} == {7, 1502, 2102}
    assert _contents(parallel)["loan"] == []


def test_reimporting_changes_nothing_and_changed_terms_are_refused(tmp_path: Path) -> None:
    rows = _portfolio(1500)
    loans = _write_loans(tmp_path / "loans.csv", rows)
    app = _app(tmp_path, "a.db")
    import_loans_parallel(app, loans, NOW, readers=2)
    before = _contents(app)

    again = import_loans_parallel(app, loans, NOW, readers=2)
    assert (again.written, again.unchanged, again.findings) == (0, 1500, [])
    assert _contents(app) == before

    rows[1200]["principal"] = "99999.00"
    changed = _write_loans(tmp_path / "changed.csv", rows)
    rejected: list[tuple[int, dict[str, str]]] = []
    report = import_loans_parallel(
        app, changed, NOW, readers=2, skip_invalid=True,
        on_reject=lambda row, _found: rejected.append((row.line, row.raw)),
    )  # fmt: skip
    assert [(f.line, f.code) for f in report.findings] == [(1202, "conflicting_id")]
    assert rejected[0][0] == 1202 and rejected[0][1]["principal"] == "99999.00"
    assert _contents(app) == before
