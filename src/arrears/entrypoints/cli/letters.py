"""``arrears letters``: letters as PDF — the mailing list, the files and manifest for the
mail house, marking letters mailed, and a preview of any kind for any loan.

Letters are printed into the store by the dispatcher when the gate permits a strategy's
``letter`` step (docs/letters.md); this group is the mail room's side. The workflow:
``letters export --unmailed --out DIR`` (PDFs and ``manifest.csv``), hand DIR to the
mail house, then ``letters mark-mailed ID...`` for what it confirms mailed.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

from arrears.domain.letters import LANGUAGES, ItemizationBasis, LetterKind, StoredDocument
from arrears.domain.money import Money, MoneyError
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import app_of, console, parse_date, print_json, print_table
from arrears.services.errors import InvalidInput, NotFound

app = typer.Typer(
    help="Letters as PDF: list them, export them for the mail house, mark them mailed, preview.",
    no_args_is_help=True,
)

LIST_COLUMNS = [
    "document_id", "loan_id", "kind", "language", "pages", "created_at", "mailed_at", "name",
    "message_id",
]  # fmt: skip
ADDRESS_LINES = 5  # the manifest's address columns; a longer address ends in the last one
MANIFEST_COLUMNS = [
    "document_id", "file", "loan_id", "kind", "language", "pages", "name",
    *(f"address_line_{n}" for n in range(1, ADDRESS_LINES + 1)), "sha256",
]  # fmt: skip


class Shown(StrEnum):
    TABLE = "table"
    JSON = "json"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _zone(app: App) -> tzinfo:
    return ZoneInfo(app.settings.timezone)


def _shown(value: datetime | None, zone: tzinfo) -> str | None:
    return None if value is None else value.astimezone(zone).isoformat(timespec="seconds")


def _record(document: StoredDocument, zone: tzinfo) -> dict[str, Any]:
    lines = document.addressee_lines
    return {
        "document_id": document.document_id,
        "loan_id": document.loan_id,
        "borrower_id": document.borrower_id,
        "kind": document.kind,
        "language": document.language,
        "pages": document.pages,
        "created_at": _shown(document.created_at, zone),
        "mailed_at": _shown(document.mailed_at, zone),
        "name": lines[0] if lines else "",
        "address_lines": list(lines[1:]),
        "message_id": document.message_id,
        "sha256": document.sha256,
    }


@app.command("list")
def list_letters(
    ctx: typer.Context,
    unmailed: bool = typer.Option(False, "--unmailed", help="Only letters not mailed yet."),
    loan_id: str | None = typer.Option(None, "--loan", help="Only this loan's letters."),
    format: Shown = typer.Option(Shown.TABLE, "--format", help="table or json."),
) -> None:
    """List stored letters, oldest first."""
    from arrears.services import letters as letters_service

    application = app_of(ctx)
    found = letters_service.letters(application.uow_factory, unmailed=unmailed, loan_id=loan_id)
    records = [_record(d, _zone(application)) for d in found]
    if format is Shown.JSON:
        print_json(records)
        return
    print_table(
        _count(len(records), "letter"), LIST_COLUMNS,
        [[r[c] if r[c] is not None else "" for c in LIST_COLUMNS] for r in records],
    )  # fmt: skip


@app.command("export")
def export(
    ctx: typer.Context,
    document_ids: list[int] = typer.Argument(None, metavar="[ID]...", help="Letters to export."),
    unmailed: bool = typer.Option(False, "--unmailed", help="Every letter not mailed yet."),
    out: Path = typer.Option(..., "--out", file_okay=False, help="The folder to write to."),
) -> None:
    """Write letters as PDF files, with a manifest for the mail house.

    DIR gets one PDF per letter and manifest.csv (document id, file, loan, name, address
    lines, pages). Exporting does not mark letters mailed: run `arrears letters
    mark-mailed` for those the mail house confirms."""
    from arrears.services import letters as letters_service

    if bool(document_ids) == unmailed:
        raise typer.BadParameter("give letter ids or --unmailed (one of the two)")
    application = app_of(ctx)
    uow_factory = application.uow_factory
    chosen = (
        letters_service.letters(uow_factory, unmailed=True)
        if unmailed
        else letters_service.letters(uow_factory, document_ids=document_ids)
    )
    out.mkdir(parents=True, exist_ok=True)
    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for document, content in letters_service.letter_files(uow_factory, chosen):
            name = f"{document.document_id:08d}-{document.kind}.pdf"
            (out / name).write_bytes(content)
            writer.writerow(_manifest_row(document, name))
    console.print(f"{_count(len(chosen), 'letter')} written to {out} with manifest.csv",
                  highlight=False)  # fmt: skip


def _manifest_row(document: StoredDocument, file_name: str) -> list[Any]:
    lines = list(document.addressee_lines)
    name, address = (lines[0], lines[1:]) if lines else ("", [])
    if len(address) > ADDRESS_LINES:
        address = [*address[: ADDRESS_LINES - 1], ", ".join(address[ADDRESS_LINES - 1 :])]
    address += [""] * (ADDRESS_LINES - len(address))
    return [
        document.document_id, file_name, document.loan_id, document.kind, document.language,
        document.pages, name, *address, document.sha256,
    ]  # fmt: skip


@app.command("mark-mailed")
def mark_mailed(
    ctx: typer.Context,
    document_ids: list[int] = typer.Argument(..., metavar="ID...", help="Letters mailed."),
) -> None:
    """Record that the mail house mailed these letters.

    A letter marked before keeps its first time."""
    from arrears.services import letters as letters_service

    application = app_of(ctx)
    marked = letters_service.mark_mailed(application.uow_factory, document_ids, application.now())
    already = len(set(document_ids)) - marked
    note = f" ({already} already were)" if already else ""
    console.print(f"{_count(marked, 'letter')} marked mailed{note}", highlight=False)


@app.command("preview")
def preview(
    ctx: typer.Context,
    kind: LetterKind = typer.Argument(..., help="The kind of letter."),
    loan_id: str = typer.Option(..., "--loan", help="The loan it is about."),
    language: str | None = typer.Option(
        None, "--lang", help=f"{' or '.join(LANGUAGES)} (default: the borrower's)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="The letter date (default: today)."),
    plan: list[str] = typer.Option(
        [],
        "--plan",
        metavar="DATE=AMOUNT",
        help="A plan confirmation's instalment, e.g. 2026-04-01=500.00; repeatable"
        " (default: the loan's open promises).",
    ),
    basis: ItemizationBasis = typer.Option(
        ItemizationBasis.TRANSACTION, "--itemization", help="A validation notice's reference date."
    ),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="The PDF file to write."),
) -> None:
    """Write one letter as it would print, without storing or sending it."""
    from arrears.adapters.letters import render_letter  # ReportLab loads only when used
    from arrears.entrypoints.channels import return_addresses, sender_of
    from arrears.services import letters as letters_service

    application = app_of(ctx)
    day = parse_date(as_of, "--as-of") or application.today()
    if language is not None and language not in LANGUAGES:
        raise typer.BadParameter(f"one of {', '.join(LANGUAGES)}", param_hint="--lang")
    currency = _currency(application, loan_id)
    rendered = letters_service.preview_letter(
        application.uow_factory, loan_id=loan_id, kind=kind.value, language=language,
        as_of=day, sender=sender_of(application.settings), render=render_letter,
        return_addresses=return_addresses(application.settings),
        plan=[_instalment(p, currency) for p in plan] or None,
        itemization_basis=basis,
    )  # fmt: skip
    out.write_bytes(rendered.content)
    pages = _count(rendered.pages, "page")
    console.print(f"{kind.value} for {loan_id}: {pages} written to {out}", highlight=False)


def _currency(application: App, loan_id: str) -> str:
    with application.uow() as uow:
        terms = uow.ledger.loan_terms([loan_id]).get(loan_id)
    if terms is None:
        raise NotFound(f"no loan {loan_id} is stored")
    return terms.currency


def _instalment(text: str, currency: str) -> tuple[date, Money]:
    day, _, amount = text.partition("=")
    try:
        return date.fromisoformat(day.strip()), Money.of(Decimal(amount.strip()), currency)
    except (ValueError, InvalidOperation, MoneyError):
        raise InvalidInput(
            f"--plan {text!r}: expected DATE=AMOUNT such as 2026-04-01=500.00"
        ) from None
