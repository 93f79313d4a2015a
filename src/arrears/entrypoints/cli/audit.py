"""``arrears audit``: verify the audit log's hash chain, export entries for a regulator."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

from arrears.domain.audit import ChainBreak, ChainCheck
from arrears.entrypoints.cli.output import (
    app_of,
    console,
    errors,
    parse_date,
    print_json,
    progress_bar,
)
from arrears.services import audit

app = typer.Typer(
    help="The audit log: every gate decision, hash-chained. Verify it; export it.",
    no_args_is_help=True,
)


class Shown(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("verify")
def verify(
    ctx: typer.Context,
    format: Shown = typer.Option(Shown.TEXT, "--format", help="text or json."),
) -> None:
    """Recompute the hash chain from the first entry to the head. Exit code 1 and the
    first bad entry (seq, kind, subject, reason) if an entry was edited, removed,
    moved or slipped in."""
    app = app_of(ctx)
    with progress_bar("audit verify", audit.count_entries(app.uow_factory)) as bar:
        check = audit.verify(app.uow_factory, bar)
    if format is Shown.JSON:
        print_json(check_record(check))
    elif check.broken is None:
        head = "" if check.head is None else f"; head {check.head.entry_hash}"
        console.print(f"{_entries(check.checked)}, chain intact{head}", soft_wrap=True)
    else:  # the entry's kind and subject are data: printed as they are, never as markup
        named = _named(check.broken)
        errors.print(
            f"audit chain broken at {named}", markup=False, highlight=False, soft_wrap=True
        )
        errors.print(f"{_entries(check.checked)} before it intact", highlight=False)
    if check.broken is not None:
        raise typer.Exit(1)


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _named(broken: ChainBreak) -> str:
    where = "the head" if broken.seq is None else f"seq {broken.seq}"
    entry = broken.entry
    about = "" if entry is None else f" ({entry.kind} {entry.subject})"
    return f"{where}{about}: {broken.reason}: {broken.detail}"


def check_record(check: ChainCheck) -> dict[str, Any]:
    broken = check.broken
    return {
        "intact": check.intact,
        "checked": check.checked,
        "head": None
        if check.head is None
        else {"seq": check.head.seq, "entry_hash": check.head.entry_hash},
        "broken": None
        if broken is None
        else {
            "seq": broken.seq,
            "kind": None if broken.entry is None else broken.entry.kind,
            "subject": None if broken.entry is None else broken.entry.subject,
            "reason": str(broken.reason),
            "detail": broken.detail,
        },
    }


@app.command("export")
def export(
    ctx: typer.Context,
    first: str = typer.Option(..., "--from", metavar="YYYY-MM-DD", help="The first day."),
    last: str = typer.Option(..., "--to", metavar="YYYY-MM-DD", help="The last day (included)."),
    format: audit.ExportFormat = typer.Option(
        audit.ExportFormat.CSV, "--format", help="csv or jsonl (one JSON object a line)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", dir_okay=False, help="Write to this file (default: stdout)."
    ),
) -> None:
    """The entries recorded on these days (in the portfolio's time zone), in seq order,
    with their hashes, so that the chain can be recomputed over them (docs/audit.md)."""
    app = app_of(ctx)
    first_day, last_day = parse_date(first, "--from"), parse_date(last, "--to")
    assert first_day is not None and last_day is not None
    zone = ZoneInfo(app.settings.timezone)
    pieces = audit.export(app.uow_factory, first_day, last_day, zone, format)
    if output is None:
        for piece in pieces:
            sys.stdout.write(piece)
        return
    with output.open("w", encoding="utf-8", newline="") as stream:
        for piece in pieces:
            stream.write(piece)
    errors.print(
        f"audit entries of {first_day} to {last_day} written to {output}",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
