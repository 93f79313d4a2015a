"""Shared CLI output: formats, money as text, progress bars, the app from the context."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Any, TextIO

import typer
from rich.console import Console

from arrears.domain.money import format_major
from arrears.entrypoints.bootstrap import App

console = Console()
errors = Console(stderr=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def app_of(ctx: typer.Context, *, ready: bool = True) -> App:
    """The composition root the root command built; ``ready`` insists the schema is current."""
    app: App = ctx.obj
    if ready:
        app.require_current_schema()
    return app


def money(minor: int, currency: str) -> str:
    return format_major(minor, currency)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for index, column in enumerate(columns):
        words = any(isinstance(row[index], str) for row in rows)  # text left, numbers right
        left = column in {"loan_id", "bucket", "account"} or words
        table.add_column(column, justify="left" if left else "right")
    for row in rows:
        table.add_row(*[str(v) for v in row])
    console.print(table)


def write_csv(stream: TextIO, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); silent when not a terminal."""
    if not errors.is_terminal:
        yield lambda _n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=errors
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
