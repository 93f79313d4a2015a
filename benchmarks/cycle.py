"""Daily-cycle benchmark: N 12-month loans, one cycle day and a 30-day catch-up.

    python benchmarks/cycle.py --loans 1000000            # the target: one day ≤ 10 s on SQLite
    python benchmarks/cycle.py --loans 2000 --db URL      # small, as CI runs it

The portfolio is the synthetic lender's prime book (on-time, late, partial,
defaulting and early-payoff borrowers, about 8 % late on any day) with every payment up to 2026-11-29 imported first. The
cycle then starts 31 days earlier: its first day builds every loan's status
from its history (timed on its own), then one day and a 30-day catch-up are
timed, with the payments of those days arriving as they fall (the loans they
touch are rebuilt from the per-loan reference, the rest advance set-based).
Prints loans/s and the seconds of each step. Not a timed test: it reports.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from arrears.adapters.csv_formats import read_loans, read_payments
from arrears.adapters.store.database import make_engine
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.batch.parallel_import import import_loans_parallel
from arrears.entrypoints.bootstrap import App
from arrears.services import importing, strategies
from arrears.services.cycle import DayReport, run_cycle
from arrears.services.synthetic_portfolio import write_portfolio_csv
from arrears.settings import load_settings

AS_OF = date(2026, 11, 29)
START = AS_OF - timedelta(days=31)
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def rows_of(path: Path, reader: Any) -> Any:
    def open_rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from reader(stream)

    return open_rows


def build(app: App, folder: Path, count: int, seed: int) -> int:
    loans_csv, payments_csv = folder / "loans.csv", folder / "payments.csv"
    with (
        loans_csv.open("w", newline="", encoding="utf-8") as loans,
        payments_csv.open("w", newline="", encoding="utf-8") as payments,
    ):
        _, payment_count = write_portfolio_csv(
            loans, payments, count, AS_OF, seed=seed, term_months=12, mix="prime"
        )
    with collector_paused():
        if app.engine.dialect.name == "sqlite":
            report = import_loans_parallel(app, loans_csv, NOW, readers=2)
        else:
            report = importing.import_loans(app.uow_factory, rows_of(loans_csv, read_loans), NOW)
        assert report.clean, report.findings[:5]
        paid = importing.import_payments(app.uow_factory, rows_of(payments_csv, read_payments), NOW)
        assert paid.clean, paid.findings[:5]
    return payment_count


def cycle(app: App, day: date, catch_up: bool = False) -> tuple[float, list[DayReport]]:
    started = time.perf_counter()
    with collector_paused():
        reports = run_cycle(app.uow_factory, day, lambda: NOW, catch_up=catch_up)
    return time.perf_counter() - started, reports


def steps(reports: list[DayReport]) -> str:
    total: Counter[str] = Counter()
    for report in reports:
        for name, seconds in report.summary["step_seconds"].items():  # type: ignore[union-attr]
            total[name] += seconds
    return ", ".join(f"{name} {seconds / len(reports):.2f}" for name, seconds in total.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temp folder)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="arrears-cycle-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    schema = None
    if url.startswith("postgresql"):  # a schema of its own, dropped at the end
        schema = f"arrears_bench_{os.getpid()}"
        _schema(url, f"CREATE SCHEMA {schema}")
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    app = App(load_settings(url))
    app.init()
    strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    started = time.perf_counter()
    payments = build(app, folder, args.loans, args.seed)
    print(f"portfolio: {args.loans:,} loans, {payments:,} payments imported"
          f" in {time.perf_counter() - started:.1f} s ({app.engine.dialect.name})")  # fmt: skip

    seconds, reports = cycle(app, START)
    summary = reports[0].summary
    print(f"first day {START} (builds every loan): {seconds:.1f} s,"
          f" {args.loans / seconds:,.0f} loans/s")  # fmt: skip
    buckets = summary["buckets"]
    assert isinstance(buckets, dict)
    late = sum(v for k, v in buckets.items() if k != "M0")
    print(f"  buckets {buckets}; delinquent {late / args.loans:.1%}")

    seconds, reports = cycle(app, START + timedelta(days=1))
    summary = reports[0].summary
    print(f"one day {START + timedelta(days=1)}: {seconds:.2f} s,"
          f" {args.loans / seconds:,.0f} loans/s; rebuilt {summary['rebuilt']:,},"
          f" 罚息 on {summary['loans_accruing_penalty']:,} loans,"
          f" {summary['journal_entries']:,} journal entries,"
          f" {sum(summary['actions'].values()):,} actions")  # type: ignore[union-attr]  # fmt: skip
    print(f"  steps (s): {steps(reports)}")

    seconds, reports = cycle(app, AS_OF, catch_up=True)
    rebuilt = sum(int(r.summary["rebuilt"]) for r in reports)  # type: ignore[call-overload]
    print(f"catch-up {len(reports)} days to {AS_OF}: {seconds:.1f} s,"
          f" {seconds / len(reports):.2f} s/day, {args.loans * len(reports) / seconds:,.0f}"
          f" loan-days/s; rebuilt {rebuilt / len(reports):,.0f} loans/day")  # fmt: skip
    print(f"  steps (s/day): {steps(reports)}")
    sys.stdout.flush()
    app.engine.dispose()
    if schema:
        _schema(args.db, f"DROP SCHEMA {schema} CASCADE")


def _schema(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


if __name__ == "__main__":
    main()
