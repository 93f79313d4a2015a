"""Ledger benchmark: generate N 12-month loans with payments, import them, time the read-outs.

    python benchmarks/ledger.py --loans 1000000            # the target: ≤ 60 s to import on SQLite
    python benchmarks/ledger.py --loans 2000 --db URL      # small, as CI runs it

Prints loans/s for CSV parsing, schedule generation and the loan import,
payments/s for the payment import (with its journal sync), and the ms for one
loan's as-of status. Not a timed test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from arrears.adapters.csv_formats import read_loans, read_payments
from arrears.domain.calendar import calendar_for
from arrears.domain.schedule import build_schedule
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.batch.parallel_import import import_loans_parallel
from arrears.entrypoints.bootstrap import App
from arrears.services import importing, queries
from arrears.services.synthetic_portfolio import write_portfolio_csv
from arrears.settings import load_settings

AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def generate(folder: Path, count: int, seed: int) -> tuple[Path, Path, int]:
    loans_path, payments_path = folder / "loans.csv", folder / "payments.csv"
    with (
        loans_path.open("w", newline="", encoding="utf-8") as loans,
        payments_path.open("w", newline="", encoding="utf-8") as payments,
    ):
        _, payment_count = write_portfolio_csv(
            loans, payments, count, AS_OF, seed=seed, term_months=12
        )
    return loans_path, payments_path, payment_count


def rows_of(path: Path, reader: Any) -> Any:
    def open_rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from reader(stream)

    return open_rows


def timed(label: str, figures: dict[str, float], work: Any) -> Any:
    started = time.perf_counter()
    result = work()
    figures[label] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temp folder)")
    parser.add_argument("--skip-payments", action="store_true", help="time the loan import only")
    parser.add_argument(
        "--readers", type=int, default=2,
        help="reader processes for the SQLite loan import (1: the row-by-row path)",
    )  # fmt: skip
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="arrears-bench-"))
    app = App(load_settings(args.db or f"sqlite:///{folder / 'bench.db'}"))
    app.init()
    s: dict[str, float] = {}
    loans_csv, payments_csv, payment_count = timed(
        "generate", s, lambda: generate(folder, args.loans, args.seed)
    )

    records = timed("parse", s, lambda: [r.record for r in rows_of(loans_csv, read_loans)()])

    def schedules(records: list[Any]) -> None:
        for r in records:
            build_schedule(r.method, r.principal_minor, r.annual_rate_percent, r.term_months,
                           r.rounding, r.start_date, r.first_due_date, calendar_for(None))  # fmt: skip

    started = time.perf_counter()
    schedules(records)
    s["schedules"] = time.perf_counter() - started
    sample = random.Random(args.seed).sample([r.loan_id for r in records], min(200, len(records)))
    del records

    def import_loans() -> importing.ImportReport:  # as `arrears import loans` does it
        with collector_paused():
            if args.readers > 1 and app.engine.dialect.name == "sqlite":
                return import_loans_parallel(app, loans_csv, NOW, readers=args.readers)
            return importing.import_loans(app.uow_factory, rows_of(loans_csv, read_loans), NOW)

    report = timed("import_loans", s, import_loans)
    assert report.clean and report.written == args.loans, report.findings[:5]
    if not args.skip_payments:

        def import_payments() -> importing.ImportReport:
            with collector_paused():
                rows = rows_of(payments_csv, read_payments)
                return importing.import_payments(app.uow_factory, rows, NOW)

        paid = timed("import_payments", s, import_payments)
        assert paid.clean, paid.findings[:5]

    def statuses() -> None:
        for loan_id in sample:
            queries.loan_status(app.uow_factory, loan_id, AS_OF)

    timed("status", s, statuses)
    n = args.loans
    print(f"arrears ledger benchmark — {n:,} loans of 12 months, {payment_count:,} payments, "
          f"{app.engine.dialect.name}")  # fmt: skip
    lines = [
        ("generate CSV (loans + payments)", s["generate"], f"{n / s['generate']:,.0f} loans/s"),
        ("parse + validate loans CSV", s["parse"], f"{n / s['parse']:,.0f} loans/s"),
        ("schedule generation (pure)", s["schedules"], f"{n / s['schedules']:,.0f} loans/s"),
        (
            "import loans (check + write)",
            s["import_loans"],
            f"{n / s['import_loans']:,.0f} loans/s",
        ),
    ]
    if "import_payments" in s:
        lines.append(("import payments (+ journal)", s["import_payments"],
                      f"{payment_count / s['import_payments']:,.0f} payments/s"))  # fmt: skip
    lines.append(
        ("one loan's as-of status", s["status"], f"{1000 * s['status'] / len(sample):.2f} ms/loan")
    )
    for label, seconds, rate in lines:
        print(f"  {label:<34} {seconds:>9.2f} s   {rate}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
