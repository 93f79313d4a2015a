"""``arrears import loans|payments FILE``: all-or-nothing imports with every bad row named."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from arrears.domain.findings import Finding
from arrears.entrypoints.batch.memory import collector_paused
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import app_of, console, errors, progress_bar

if TYPE_CHECKING:
    from arrears.adapters.csv_formats import RejectsWriter
    from arrears.services.importing import ImportReport

app = typer.Typer(
    help="Import loans and payments from CSV files (see docs/import.md).", no_args_is_help=True
)

FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file.")
SKIP = typer.Option(
    None, "--skip-invalid", metavar="REJECTS.csv",
    help="Write the good rows and put each bad one, with its reason, into this file.",
)  # fmt: skip


def _run(
    ctx: typer.Context,
    path: Path,
    rejects: Path | None,
    what: str,
    reader: Callable[..., Any],
    service: Callable[..., ImportReport],
    readers: int = 1,
) -> None:
    from arrears.entrypoints.batch.parallel_import import count_lines, import_loans_parallel

    app = app_of(ctx)

    def open_rows() -> Iterator[Any]:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            yield from reader(stream)

    with ExitStack() as stack:
        stack.enter_context(collector_paused())
        on_reject = None
        if rejects is not None:
            out = stack.enter_context(rejects.open("w", newline="", encoding="utf-8"))
            on_reject = _reject_writer(out)
        total = count_lines(path)
        bar = stack.enter_context(progress_bar(f"import {what}", total))
        options = {"skip_invalid": rejects is not None, "on_reject": on_reject, "progress": bar}
        if _parallel_readers(app, readers, total) > 1:
            readers = _parallel_readers(app, readers, total)
            report = import_loans_parallel(app, path, app.now(), readers=readers, **options)
        else:
            report = service(app.uow_factory, open_rows, app.now(), **options)
    _report(report, what, rejects)


PARALLEL_FROM_ROWS = 20_000  # below this, starting reader processes costs more than it saves


def _parallel_readers(app: App, readers: int, rows: int) -> int:
    """How many reader processes: as asked, or (0) one per core for big files on SQLite."""
    if app.engine.dialect.name != "sqlite":
        return 1
    if readers == 0:
        return min(os.cpu_count() or 1, 4) if rows >= PARALLEL_FROM_ROWS else 1
    return readers


def _reject_writer(out: Any) -> Callable[[Any, list[Finding]], None]:
    """Rejects go to ``out`` as they are found; the header is the file's own, as read."""
    from arrears.adapters.csv_formats import RejectsWriter

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
def loans(
    ctx: typer.Context,
    file: Path = FILE,
    skip_invalid: Path | None = SKIP,
    readers: int = typer.Option(
        0,
        "--readers",
        min=0,
        max=16,
        help="Reader processes on SQLite (0: one per core for files of 20,000 rows or more).",
    ),
) -> None:
    """Import loans: the file is checked whole; any bad row and nothing is written."""
    from arrears.adapters.csv_formats import read_loans
    from arrears.services.importing import import_loans

    _run(ctx, file, skip_invalid, "loans", read_loans, import_loans, readers)


@app.command("payments")
def payments(ctx: typer.Context, file: Path = FILE, skip_invalid: Path | None = SKIP) -> None:
    """Import payments (by payment id: importing again changes nothing)."""
    from arrears.adapters.csv_formats import read_payments
    from arrears.services.importing import import_payments

    _run(ctx, file, skip_invalid, "payments", read_payments, import_payments)
