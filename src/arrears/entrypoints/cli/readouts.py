"""Read-outs: ``schedule``, ``status``, ``portfolio`` and ``export``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.entrypoints.cli.output import (
    Format,
    app_of,
    console,
    money,
    parse_date,
    print_json,
    print_table,
    progress_bar,
    write_csv,
)

if TYPE_CHECKING:
    from arrears.domain.loan_state import LoanState
    from arrears.domain.schedule import Installment
    from arrears.services import queries

SCHEDULE_COLUMNS = [
    "seq",
    "due_date",
    "principal",
    "interest",
    "installment",
    "remaining_principal",
]
STATUS_KEYS = [
    "loan_id", "as_of", "dpd", "bucket", "overdue_principal", "overdue_interest", "penalty",
    "fees", "total_overdue", "outstanding_principal", "payoff_amount",
]  # fmt: skip
AS_OF = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="The date (default: today).")

export_app = typer.Typer(
    help="Export every loan's schedule or status as CSV.", no_args_is_help=True
)


def schedule_row(installment: Installment, currency: str) -> list[Any]:
    i = installment
    return [
        i.seq, i.due_date.isoformat(), money(i.principal_minor, currency),
        money(i.interest_minor, currency), money(i.installment_minor, currency),
        money(i.remaining_principal_minor, currency),
    ]  # fmt: skip


def status_record(state: LoanState) -> dict[str, Any]:
    c = state.currency
    return {
        "loan_id": state.loan_id,
        "as_of": state.as_of.isoformat(),
        "dpd": state.dpd,
        "bucket": state.bucket,
        "overdue_principal": money(state.overdue_principal_minor, c),
        "overdue_interest": money(state.overdue_interest_minor, c),
        "penalty": money(state.penalty_minor, c),
        "fees": money(state.fees_minor, c),
        "total_overdue": money(state.total_overdue_minor, c),
        "outstanding_principal": money(state.outstanding_principal_minor, c),
        "payoff_amount": money(state.payoff_minor, c),
        "currency": c,
        "credit": money(state.credit_minor, c),
        "oldest_unpaid_due_date": (
            state.oldest_unpaid_due_date.isoformat() if state.oldest_unpaid_due_date else None
        ),
    }


def _as_of(ctx: typer.Context, value: str | None) -> date:
    return parse_date(value, "--as-of") or app_of(ctx, ready=False).today()


def schedule(
    ctx: typer.Context,
    loan_id: str,
    format: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json."),
) -> None:
    """A loan's repayment schedule."""
    from arrears.services import queries

    terms, installments = queries.loan_schedule(app_of(ctx).uow_factory, loan_id)
    rows = [schedule_row(i, terms.currency) for i in installments]
    if format is Format.JSON:
        print_json([dict(zip(SCHEDULE_COLUMNS, row, strict=True)) for row in rows])
    elif format is Format.CSV:
        write_csv(sys.stdout, SCHEDULE_COLUMNS, iter(rows))
    else:
        title = f"{loan_id}: {money(terms.principal_minor, terms.currency)} {terms.currency}, {terms.method}"
        print_table(title, SCHEDULE_COLUMNS, rows)


def status(
    ctx: typer.Context,
    loan_id: str,
    as_of: str | None = AS_OF,
    format: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """A loan's delinquency and amounts as of a date: DPD, bucket, overdue, penalty, payoff."""
    from arrears.services import queries

    app = app_of(ctx)
    state = queries.loan_status(app.uow_factory, loan_id, _as_of(ctx, as_of))
    record = status_record(state)
    if format is Format.JSON:
        print_json({key: record[key] for key in [*STATUS_KEYS, "currency", "credit"]})
        return
    print_table(f"{loan_id} as of {record['as_of']} ({state.currency})", ["field", "value"],
                [(key, record[key]) for key in [*STATUS_KEYS[2:], "credit"]])  # fmt: skip


def portfolio(
    ctx: typer.Context,
    as_of: str | None = AS_OF,
    format: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Counts and amounts by bucket, per currency, as of a date."""
    from arrears.services import queries

    app = app_of(ctx)
    day = _as_of(ctx, as_of)
    total = queries.count_loans(app.uow_factory)
    with progress_bar("portfolio", total) as bar:
        summary = queries.portfolio(app.uow_factory, day, DEFAULT_BUCKETS.labels, bar)
    print_portfolio(summary, format)


def print_portfolio(summary: queries.PortfolioSummary, format: Format = Format.TABLE) -> None:
    data = {
        currency: {
            label: {
                "loans": t.loans,
                "outstanding_principal": money(t.outstanding_principal_minor, currency),
                "total_overdue": money(t.total_overdue_minor, currency),
            }
            for label, t in buckets.items()
        }
        for currency, buckets in summary.by_currency.items()
    }
    if format is Format.JSON:
        print_json({"as_of": summary.as_of.isoformat(), "by_currency": data})
        return
    if not data:
        console.print("no loans")
    for currency, buckets in data.items():
        rows = [
            (label, v["loans"], v["outstanding_principal"], v["total_overdue"])
            for label, v in buckets.items()
        ]
        count = sum(v["loans"] for v in buckets.values())
        rows.append(("total", count, *_totals(summary, currency)))
        print_table(f"Portfolio by bucket as of {summary.as_of} ({currency})",
                    ["bucket", "loans", "outstanding_principal", "total_overdue"], rows)  # fmt: skip


def _totals(summary: queries.PortfolioSummary, currency: str) -> tuple[str, str]:
    buckets = summary.by_currency[currency].values()
    return (
        money(sum(t.outstanding_principal_minor for t in buckets), currency),
        money(sum(t.total_overdue_minor for t in buckets), currency),
    )


OUT = typer.Option(None, "--out", help="Write to this file instead of stdout.")


@export_app.command("schedules")
def export_schedules(ctx: typer.Context, out: Path | None = OUT) -> None:
    """Every loan's schedule: loan_id plus the columns of `arrears schedule`."""
    from arrears.services import queries

    app = app_of(ctx)

    def rows() -> Iterator[list[Any]]:
        for loan_id, currency, installments in queries.iter_schedules(app.uow_factory):
            for installment in installments:
                yield [loan_id, *schedule_row(installment, currency)]

    _export(out, ["loan_id", *SCHEDULE_COLUMNS], rows())


@export_app.command("status")
def export_status(ctx: typer.Context, as_of: str | None = AS_OF, out: Path | None = OUT) -> None:
    """Every loan's status as of a date, with the keys of `arrears status`."""
    from arrears.services import queries

    app = app_of(ctx)
    day = _as_of(ctx, as_of)
    total = queries.count_loans(app.uow_factory)
    with progress_bar("export status", total) as bar:
        states = queries.iter_states(app.uow_factory, day, bar)
        _export(out, STATUS_KEYS, ([status_record(s)[k] for k in STATUS_KEYS] for s in states))


def _export(out: Path | None, columns: list[str], rows: Iterator[list[Any]]) -> None:
    with ExitStack() as stack:
        stream = (
            stack.enter_context(out.open("w", newline="", encoding="utf-8")) if out else sys.stdout
        )
        count = write_csv(stream, columns, rows)
    if out:
        console.print(f"wrote {count} rows to {out}")


def register(app: typer.Typer) -> None:
    app.command()(schedule)
    app.command()(status)
    app.command()(portfolio)
