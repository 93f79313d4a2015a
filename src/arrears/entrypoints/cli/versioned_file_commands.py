"""What ``arrears strategy`` and ``arrears arrange policy`` share (services.versioned_files):
reading a file named on the command line and reporting every problem in it with its line
(exit 2), the author it is loaded as, the options of ``show`` and ``list``, and the
columns every stored file has. Each command keeps what is its own: what a valid file
is said to hold, where a file is active, and how it is shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer

from arrears.domain.findings import Finding
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import errors, print_json, print_table

if TYPE_CHECKING:
    from arrears.services.versioned_files import FileSummary

INVALID_FILE = 2  # exit code for a file with problems, or not UTF-8 text: bad input

Parsed = TypeVar("Parsed")
Stored = TypeVar("Stored")


class ShowFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FileArgument = typer.Argument(..., exists=True, dir_okay=False, readable=True)
FormatOption = typer.Option(ShowFormat.TABLE, "--format", help="table or json.")
VersionOption = typer.Option(None, "--version", min=1, help="Default: the latest.")
AuthorOption = typer.Option(None, "--author", help="Who wrote it (default: $USER, else 'unknown').")


def checked(file: Path, parse: Callable[[str], tuple[Parsed | None, list[Finding]]]) -> Parsed:
    """What ``file`` holds; else every problem is printed and the command exits 2."""
    parsed, findings = parse(_read(file))
    if parsed is None:
        _report(file, findings)
    return parsed


def loaded(file: Path, author: str | None, load: Callable[[str, str], Any]) -> Any:
    """``load(text, author)`` of ``file``, by ``author`` (default: $USER, else 'unknown');
    a file with problems prints every one and exits 2, nothing stored."""
    from arrears.services.versioned_files import InvalidFile

    who = author or os.environ.get("USER") or "unknown"
    text = _read(file)
    try:
        return load(text, who)
    except InvalidFile as error:
        _report(file, error.findings)


def zone_of(app: App) -> ZoneInfo:
    return ZoneInfo(app.settings.timezone)


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def print_stored(
    output: ShowFormat,
    zone: ZoneInfo,
    stored: Stored,
    as_json: Callable[[Stored, ZoneInfo], Any],
    as_text: Callable[[Stored, ZoneInfo], None],
) -> None:
    """A stored file as ``show`` prints it: JSON for a machine, else as text."""
    if output is ShowFormat.JSON:
        print_json(as_json(stored, zone))
    else:
        as_text(stored, zone)


def print_summaries(
    output: ShowFormat,
    zone: ZoneInfo,
    own: tuple[str, str],
    rows: Sequence[tuple[FileSummary, Any, str]],
) -> None:
    """Each stored file at its latest version: name, version, author, loaded_at and a
    column of the command's own, ``own`` = (JSON key, table header); each row is (the
    file, its own value in JSON, in the table)."""
    records = [
        ({"name": s.name, "version": s.latest_version, "author": s.author,
          "loaded_at": when(s.loaded_at, zone)}, value, cell)
        for s, value, cell in rows
    ]  # fmt: skip
    if output is ShowFormat.JSON:
        print_json([record | {own[0]: value} for record, value, _ in records])
        return
    header = ["name", "version", "author", "loaded_at", own[1]]
    print_table(None, header, [[*record.values(), cell] for record, _, cell in records])


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        errors.print(f"{file}: not UTF-8 text ({error.reason})", markup=False, highlight=False)
        raise typer.Exit(INVALID_FILE) from None


def _report(file: Path, findings: Sequence[Finding]) -> NoReturn:
    for finding in findings:
        errors.print(f"{file}: {finding}", markup=False, highlight=False, soft_wrap=True)
    errors.print(f"{file}: {len(findings)} problem(s); nothing was stored", highlight=False)
    raise typer.Exit(INVALID_FILE)
