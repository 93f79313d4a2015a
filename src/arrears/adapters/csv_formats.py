"""The CSV file formats for importing loans and payments: text in, records and findings out.

A file is read lazily, one row at a time, so a million-row file needs memory
only for one row plus one hash per id already seen (to catch an id used twice
with different content). Every problem of a row is reported, each with its
physical line (the header is line 1) and column, so a user fixes a file in one
pass. Nothing here touches the store: whether a loan exists, or a payment's
decimals fit its loan's currency, is the import service's business.

The column-by-column rules are documented in docs/import.md.

>>> import io
>>> text = "payment_id,loan_id,paid_on,amount\\nP1,L1,2026-02-05,1550.5\\n"
>>> [(row.line, row.record.amount, row.findings) for row in read_payments(io.StringIO(text))]
[(2, Decimal('1550.5'), ())]
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Generic, TextIO, TypeVar

from arrears.adapters.csv_cells import check_loan_cells, check_payment_cells
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.records import (
    LOAN_COLUMNS,
    LOAN_COLUMNS_REQUIRED,
    PAYMENT_COLUMNS,
    PAYMENT_COLUMNS_REQUIRED,
    LoanRecord,
    PaymentRecord,
)

__all__ = [
    "LOAN_COLUMNS",
    "LOAN_COLUMNS_REQUIRED",
    "PAYMENT_COLUMNS",
    "PAYMENT_COLUMNS_REQUIRED",
    "ParsedRow",
    "read_loans",
    "read_payments",
    "write_rejects",
]

T = TypeVar("T")

# Every column of each format (in records.py), in the order the cell checks below unpack them.


@dataclass(frozen=True, slots=True)
class ParsedRow(Generic[T]):
    """One row of an import file: where it was, what it said, what it became.

    ``record`` is set exactly when ``findings`` is empty. ``raw`` keeps the cells
    as read, keyed by the file's header in the file's order, for the rejects file.
    """

    line: int
    raw: dict[str, str]
    record: T | None
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format(Generic[T]):
    what: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str
    check: Callable[[Sequence[str], int], tuple[T | None, list[Finding]]]


_LOANS = _Format("loans", LOAN_COLUMNS, LOAN_COLUMNS_REQUIRED, "loan_id", check_loan_cells)
_PAYMENTS = _Format(
    "payments", PAYMENT_COLUMNS, PAYMENT_COLUMNS_REQUIRED, "payment_id", check_payment_cells
)


SHARE_BLOCK = 1000  # rows a parallel reader takes in turn, unless told otherwise

Share = tuple[int, int, int]  # (this reader, readers, rows per block)


def read_loans(stream: TextIO, share: Share | None = None) -> Iterator[ParsedRow[LoanRecord]]:
    """Read a loans file row by row. Open it with ``newline=""`` (the csv module's rule).

    A header problem yields one row (line 1, no record) and stops. Blank lines and
    rows of empty cells are skipped. ``share=(k, n, block)`` checks and yields only
    the k-th of every n blocks of ``block`` rows (parallel readers split a file so;
    with ``block`` = rows / n each reader takes one contiguous part); ids are still
    tracked over every row, so each reader finds the same conflicting duplicates.
    """
    return _read(stream, _LOANS, share)


def read_payments(stream: TextIO) -> Iterator[ParsedRow[PaymentRecord]]:
    """Read a payments file row by row; same contract as ``read_loans``."""
    return _read(stream, _PAYMENTS)


def _read(stream: TextIO, fmt: _Format[T], share: Share | None = None) -> Iterator[ParsedRow[T]]:
    reader = csv.reader(stream)
    try:
        first = next(reader, [])
    except (csv.Error, UnicodeDecodeError) as error:
        yield ParsedRow(1, {}, None, (_unreadable(error, 1),))
        return
    if first and first[0].startswith("\ufeff"):  # a UTF-8 BOM read as text (Excel writes one)
        first[0] = first[0][1:]
    header = [name.strip() for name in first]
    header_findings = _header_findings(header, fmt)
    if header_findings:
        if share is None or share[0] == 0:  # one reader reports the header
            yield ParsedRow(1, dict(zip(header, first, strict=True)), None, tuple(header_findings))
        return
    yield from _rows(reader, header, fmt, share)


def _header_findings(header: list[str], fmt: _Format[Any]) -> list[Finding]:
    findings = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            message = f"column {name!r} appears more than once"
            findings.append(Finding(FindingCode.BAD_ROW, message, 1, name))
        elif name not in fmt.columns:
            close = difflib.get_close_matches(name, fmt.columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown column {name!r} in a {fmt.what} file{hint}"
            findings.append(Finding(FindingCode.UNKNOWN_COLUMN, message, 1, name))
        seen.add(name)
    for name in fmt.required:
        if name not in seen:
            message = f"required column {name!r} is missing from the header"
            findings.append(Finding(FindingCode.MISSING_COLUMN, message, 1, name))
    return findings


def _rows(
    reader: Any, header: list[str], fmt: _Format[T], share: Share | None = None
) -> Iterator[ParsedRow[T]]:
    width = len(header)
    position = {name: i for i, name in enumerate(header)}
    # Cells in the format's column order; an absent optional column reads the empty
    # cell appended at index ``width``.
    in_column_order = itemgetter(*(position.get(name, width) for name in fmt.columns))
    id_index, id_column, check = position[fmt.id_column], fmt.id_column, fmt.check
    # Memory stays bounded: one hash per id, never the rows themselves.
    row_hash_by_id: dict[str, int] = {}
    end_of_previous = reader.line_num
    mine, readers, block = share or (0, 1, SHARE_BLOCK)
    index = -1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line, end_of_previous = end_of_previous + 1, reader.line_num
            index += 1
            if (index // block) % readers == mine:
                yield ParsedRow(line, {}, None, (_unreadable(error, line),))
            continue
        except UnicodeDecodeError as error:  # the rest of the file cannot be trusted either
            if ((index + 1) // block) % readers == mine:
                line = end_of_previous + 1
                yield ParsedRow(line, {}, None, (_unreadable(error, line),))
            return
        # A quoted cell may span lines: a row starts right after the previous one ended.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        index += 1
        cells = [cell.strip() for cell in row]
        if (index // block) % readers != mine:
            if len(cells) == width and cells[id_index]:
                cells.append("")
                row_hash_by_id.setdefault(cells[id_index], hash(tuple(cells)))
            continue
        if len(cells) != width or not cells[id_index]:
            if not any(cells):
                continue  # blank lines and all-empty rows (",,,") carry nothing
            if len(cells) != width:
                yield _misshapen(row, header, line)
                continue
        cells.append("")
        record, findings = check(in_column_order(cells), line)
        row_id, row_hash = cells[id_index], hash(tuple(cells))
        if row_id and row_hash_by_id.setdefault(row_id, row_hash) != row_hash:
            # The same row twice is a harmless re-send; the same id saying something
            # else is a contradiction the file's author must settle.
            message = f"{id_column} {row_id!r} appeared earlier in this file with other values"
            findings.append(Finding(FindingCode.CONFLICTING_ID, message, line, id_column))
            record = None
        raw = dict(zip(header, row))  # noqa: B905  (the length was checked above)
        yield ParsedRow(line, raw, record, tuple(findings))


def _unreadable(error: Exception, line: int) -> Finding:
    if isinstance(error, UnicodeDecodeError):
        # Excel on Chinese Windows saves "CSV" as GBK; "CSV UTF-8" is the choice to make.
        message = "the file is not UTF-8 text (in Excel, save as 'CSV UTF-8')"
    else:
        message = f"unreadable CSV: {error}"
    return Finding(FindingCode.BAD_ROW, message, line)


def _misshapen(row: list[str], header: list[str], line: int) -> ParsedRow[Any]:
    raw = dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
    message = f"the row has {len(row)} cells, the header has {len(header)}"
    return ParsedRow(line, raw, None, (Finding(FindingCode.BAD_ROW, message, line),))


# --- rejects -----------------------------------------------------------------------------


class RejectsWriter:
    """Writes rejected rows as CSV, one at a time: the original columns, then ``line`` and
    ``reason`` — all findings of the row joined with ``"; "`` (no message contains one),
    each as ``column: message [code]``. ``header`` is the input file's header
    (``list(row.raw)`` of any row read from it)."""

    def __init__(self, stream: TextIO, header: list[str]) -> None:
        self.header = header
        self.count = 0
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow([*header, "line", "reason"])

    def add(self, parsed: ParsedRow[Any], findings: Iterable[Finding] | None = None) -> None:
        """Write one row; ``findings`` (default: the parser's) may add the store's own."""
        found = parsed.findings if findings is None else findings
        reason = "; ".join(_reason(finding) for finding in found)
        self._writer.writerow(
            [*(parsed.raw.get(name, "") for name in self.header), parsed.line, reason]
        )
        self.count += 1


def write_rejects(stream: TextIO, header: list[str], rejected: Iterable[ParsedRow[Any]]) -> int:
    """Write rejected rows (see ``RejectsWriter``); returns how many were written."""
    writer = RejectsWriter(stream, header)
    for parsed in rejected:
        writer.add(parsed)
    return writer.count


def _reason(finding: Finding) -> str:
    where = f"{finding.column}: " if finding.column else ""
    return f"{where}{finding.message} [{finding.code}]"
