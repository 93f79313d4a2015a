"""``arrears import loans|payments FILE``: all-or-nothing imports with every bad row named."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer

from arrears.adapters.csv_formats import RejectsWriter, read_loans, read_payments
from arrears.domain.findings import Finding
from arrears.entrypoints.cli.output import app_of, console, errors, progress_bar
from arrears.services.importing import ImportReport, import_loans, import_payments

app = typer.Typer(
    help="Import loans and payments from CSV files (see docs/import.md).", no_args_is_help=True
)

FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file.")
SKIP = typer.Option(
    None, "--skip-invalid", metavar="REJECTS.csv",
    help="Write the good rows and put each bad one, with its reason, into this file.",
)  # fmt: skip


def _count_rows(path: Path) -> int:
    with path.open("rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)


def _run(
    ctx: typer.Context,
    path: Path,
    rejects: Path | None,
    what: str,
    reader: Callable,
    service: Callable,
) -> None:  # type: ignore[type-arg]
    app = app_of(ctx)

    def open_rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from reader(stream)

    with ExitStack() as stack:
        on_reject = None
        if rejects is not None:
            out = stack.enter_context(rejects.open("w", newline="", encoding="utf-8"))
            on_reject = _reject_writer(out)
        total = _count_rows(path)
        bar = stack.enter_context(progress_bar(f"import {what}", total))
        report = service(app.uow_factory, open_rows, app.now(), skip_invalid=rejects is not None,
                         on_reject=on_reject, progress=bar)  # fmt: skip
    _report(report, what, rejects)


def _reject_writer(out: Any) -> Callable[[Any, list[Finding]], None]:
    """Rejects go to ``out`` as they are found; the header is the file's own, as read."""
    writer: RejectsWriter | None = None

    def write(row: Any, findings: list[Finding]) -> None:
        nonlocal writer
        if writer is None:
            writer = RejectsWriter(out, list(row.raw))
        writer.add(row, findings)

    return write


def _report(report: ImportReport, what: str, rejects: Path | None) -> None:
    if report.findings and rejects is None:
        for finding in report.findings:
            errors.print(str(finding), highlight=False, markup=False)
        errors.print(
            f"[red]{report.rejected} of {report.rows} rows are invalid; nothing was imported.[/red]"
            " Fix them, or use --skip-invalid REJECTS.csv to import the rest."
        )
        raise typer.Exit(2)
    console.print(
        f"{what}: {report.rows} rows read, {report.written} written, "
        f"{report.unchanged} already stored, {report.rejected} rejected"
        + (f" (see {rejects})" if report.rejected and rejects else "")
        + (f", {report.journal_entries} journal entries posted" if report.journal_entries else "")
    )


@app.command("loans")
def loans(ctx: typer.Context, file: Path = FILE, skip_invalid: Path | None = SKIP) -> None:
    """Import loans: the file is checked whole; any bad row and nothing is written."""
    _run(ctx, file, skip_invalid, "loans", read_loans, import_loans)


@app.command("payments")
def payments(ctx: typer.Context, file: Path = FILE, skip_invalid: Path | None = SKIP) -> None:
    """Import payments (by payment id: importing again changes nothing)."""
    _run(ctx, file, skip_invalid, "payments", read_payments, import_payments)
