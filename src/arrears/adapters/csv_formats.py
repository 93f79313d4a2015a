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
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, Generic, TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.domain.findings import Finding, FindingCode
from arrears.domain.money import CURRENCY_EXPONENTS, Rounding, parse_major
from arrears.domain.records import (
    LOAN_COLUMNS,
    LOAN_COLUMNS_REQUIRED,
    PAYMENT_COLUMNS,
    PAYMENT_COLUMNS_REQUIRED,
    LoanRecord,
    PaymentRecord,
)
from arrears.domain.schedule import RepaymentMethod

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

MAX_TERM_MONTHS = 480
MAX_RATE_PERCENT = Decimal(100)
# Payments carry major units until the service knows the loan's currency (at most 2
# decimals today); 4 leaves room without letting arbitrary precision through.
PAYMENT_MAX_DECIMALS = 4
LANGUAGES = frozenset({"zh-CN", "en"})
# Amounts end up in BIGINT *_minor columns; refuse what cannot fit rather than fail in the store.
_MAX_MINOR = 2**63 - 1
_METHODS = {m.value: m for m in RepaymentMethod}
_ROUNDINGS = {r.value: r for r in Rounding}
# The hot path. A portfolio repeats a few rates, terms and disbursement dates, so a
# cell seen before (and valid) is one dict lookup; the full check runs on a miss.
# Bounded: past the limit, new cells are checked every time and not remembered.
_REMEMBER_LIMIT = 10_000
_MONTHS_BY_TEXT = {str(months): months for months in range(1, MAX_TERM_MONTHS + 1)}
_DATE_BY_TEXT: dict[str, date] = {}
_RATE_BY_TEXT: dict[str, Decimal] = {}


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


# --- cells: each check takes stripped text, returns its value, or notes a finding and
# returns None, so a row reports every bad cell. Straight-line code, not a table of
# parsers: a million-row file spends its time here.


def _check_loan_cells(cells: Sequence[str], line: int) -> tuple[LoanRecord | None, list[Finding]]:
    """Turn the stripped cells of one loans row, in ``LOAN_COLUMNS`` order, into a record."""
    (
        loan_id,
        borrower_id,
        currency,
        principal,
        annual_rate,
        term_months,
        start_date,
        method,
        rounding,
        first_due_date,
        product,
        borrower_name,
        phone,
        email,
        timezone,
        language,
    ) = cells
    bad: list[Finding] = []
    if not loan_id:
        _required(bad, line, "loan_id")
    if not borrower_id:
        _required(bad, line, "borrower_id")
    # `known or check(...)`: a miss (or a falsy value such as a 0 % rate) runs the full
    # check, which returns the value or notes the finding.
    known_currency = currency if currency in CURRENCY_EXPONENTS else _currency(currency, line, bad)
    principal_minor = _principal(principal, known_currency, line, bad)
    rate = _RATE_BY_TEXT.get(annual_rate) or _rate_percent(annual_rate, line, bad)
    months = _MONTHS_BY_TEXT.get(term_months) or _term_months(term_months, line, bad)
    start = _DATE_BY_TEXT.get(start_date) or _date(start_date, "start_date", line, bad)
    repayment = _METHODS.get(method) or _choice(method, _METHODS, "repayment_method", line, bad)
    policy = _ROUNDINGS.get(rounding) or _choice(rounding, _ROUNDINGS, "rounding", line, bad)
    first_due = (
        _DATE_BY_TEXT.get(first_due_date) or _date(first_due_date, "first_due_date", line, bad)
        if first_due_date
        else None
    )
    if first_due and start and first_due <= start:
        message = f"must be after start_date {start}, got {first_due}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "first_due_date"))
    if timezone and not _is_zone(timezone):
        message = f"unknown time zone {timezone!r} (write an IANA name like Asia/Shanghai)"
        bad.append(Finding(FindingCode.BAD_CHOICE, message, line, "timezone"))
    if language and language not in LANGUAGES:
        message = f"{language!r} is not one of: {', '.join(sorted(LANGUAGES))}"
        bad.append(Finding(FindingCode.BAD_CHOICE, message, line, "language"))
    # Every None below comes with a finding; the test narrows the types as well.
    if (
        bad
        or principal_minor is None
        or rate is None
        or months is None
        or start is None
        or repayment is None
        or policy is None
    ):
        return None, bad
    record = LoanRecord(
        loan_id,
        borrower_id,
        currency,
        principal_minor,
        rate,
        months,
        start,
        repayment,
        policy,
        first_due,
        product or "default",
        borrower_name or None,
        phone or None,
        email or None,
        timezone or None,
        language or None,
    )
    return record, bad


def _check_payment_cells(
    cells: Sequence[str], line: int
) -> tuple[PaymentRecord | None, list[Finding]]:
    """Turn the stripped cells of one payments row, in ``PAYMENT_COLUMNS`` order, into a record."""
    payment_id, loan_id, paid_on, amount, currency, channel = cells
    bad: list[Finding] = []
    if not payment_id:
        _required(bad, line, "payment_id")
    if not loan_id:
        _required(bad, line, "loan_id")
    paid = _DATE_BY_TEXT.get(paid_on) or _date(paid_on, "paid_on", line, bad)
    value = _payment_amount(amount, line, bad)
    if currency and currency not in CURRENCY_EXPONENTS:
        _currency(currency, line, bad)
    if bad or paid is None or value is None:
        return None, bad
    record = PaymentRecord(payment_id, loan_id, paid, value, currency or None, channel or None)
    return record, bad


def _required(bad: list[Finding], line: int, column: str) -> None:
    bad.append(Finding(FindingCode.REQUIRED, "a value is required", line, column))


def _split_decimal(text: str) -> tuple[bool, str] | None:
    """``(negative, fraction digits)`` of a plain decimal like ``-12.50``, else None.

    Stricter than ``Decimal()``, which also takes ``1e3``, ``1_000``, ``NaN`` and
    non-ASCII digits: an import file must say exactly one thing.
    """
    negative = text[:1] == "-"
    whole, dot, fraction = (text[1:] if negative else text).partition(".")
    if text.isascii() and whole.isdigit() and (not dot or fraction.isdigit()):
        return negative, fraction
    return None


def _is_amount(
    text: str, max_decimals: int | None, unit: str, column: str, line: int, bad: list[Finding]
) -> bool:
    """Is ``text`` a positive amount with at most ``max_decimals`` decimals (None: any)?

    Checked on the text alone; the caller makes the one exact conversion it needs.
    """
    if not text:
        _required(bad, line, column)
        return False
    parts = _split_decimal(text)
    if parts is None:
        message = f"not an amount: {text!r} (write digits and a point, like 28000.00)"
        bad.append(Finding(FindingCode.BAD_AMOUNT, message, line, column))
        return False
    negative, fraction = parts
    if max_decimals is not None and len(fraction) > max_decimals:
        message = f"{text!r} has {len(fraction)} decimals, {unit} allows at most {max_decimals}"
        bad.append(Finding(FindingCode.BAD_AMOUNT, message, line, column))
        return False
    if negative or not text.strip("0."):
        message = f"must be more than 0, got {text}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, column))
        return False
    return True


def _principal(text: str, currency: str | None, line: int, bad: list[Finding]) -> int | None:
    # Decimals count as written: "500000.00" JPY is refused rather than read as 500000,
    # so a file exported in another currency's format is caught, not guessed at.
    whole, dot, fraction = text.partition(".")
    plain = text.isascii() and whole.isdigit() and (fraction.isdigit() or not dot)
    if currency and plain and len(fraction) <= CURRENCY_EXPONENTS[currency]:
        minor = parse_major(text, currency)
        if 0 < minor <= _MAX_MINOR:
            return minor
    # Something is off; the full check says what. With an unknown currency only the
    # form and the sign can be checked.
    exponent = CURRENCY_EXPONENTS[currency] if currency else None
    if _is_amount(text, exponent, currency or "", "principal", line, bad) and currency:
        message = f"{text} {currency} is too large"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "principal"))
    return None


def _payment_amount(text: str, line: int, bad: list[Finding]) -> Decimal | None:
    unit = "a payment amount"
    if not _is_amount(text, PAYMENT_MAX_DECIMALS, unit, "amount", line, bad):
        return None
    value = Decimal(text)
    if value.scaleb(PAYMENT_MAX_DECIMALS) > _MAX_MINOR:
        bad.append(Finding(FindingCode.OUT_OF_RANGE, f"{text} is too large", line, "amount"))
        return None
    return value


def _rate_percent(text: str, line: int, bad: list[Finding]) -> Decimal | None:
    if not text:
        _required(bad, line, "annual_rate")
        return None
    parts = _split_decimal(text)
    if parts is None:
        message = f"not a rate: {text!r} (write the yearly percent as a number: 14.07 for 14.07%)"
        bad.append(Finding(FindingCode.BAD_NUMBER, message, line, "annual_rate"))
        return None
    value = Decimal(text)
    if parts[0] or value > MAX_RATE_PERCENT:  # parts[0]: a minus sign, even on "-0"
        message = f"must be from 0 to 100 (percent), got {text}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "annual_rate"))
        return None
    return _remember(_RATE_BY_TEXT, text, value)


def _remember(known: dict[str, T], text: str, value: T) -> T:
    if len(known) < _REMEMBER_LIMIT:
        known[text] = value
    return value


def _term_months(text: str, line: int, bad: list[Finding]) -> int | None:
    if not text:
        _required(bad, line, "term_months")
        return None
    parts = _split_decimal(text)
    if parts is None or "." in text:
        message = f"not a whole number of months: {text!r}"
        bad.append(Finding(FindingCode.BAD_NUMBER, message, line, "term_months"))
        return None
    months = int(text)
    if not 1 <= months <= MAX_TERM_MONTHS:
        message = f"must be from 1 to {MAX_TERM_MONTHS}, got {months}"
        bad.append(Finding(FindingCode.OUT_OF_RANGE, message, line, "term_months"))
        return None
    return months


def _date(text: str, column: str, line: int, bad: list[Finding]) -> date | None:
    if not text:
        _required(bad, line, column)
        return None
    # date.fromisoformat also takes 20260105 and 2026-W02-1 (3.11); insist on YYYY-MM-DD.
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return _remember(_DATE_BY_TEXT, text, date.fromisoformat(text))
        except ValueError:
            if text.replace("-", "").isdigit():  # the form is right: 2026-02-30, 2026-13-01
                message = f"no such date: {text!r}"
                bad.append(Finding(FindingCode.BAD_DATE, message, line, column))
                return None
    message = f"not a date: {text!r} (write YYYY-MM-DD)"
    bad.append(Finding(FindingCode.BAD_DATE, message, line, column))
    return None


def _currency(text: str, line: int, bad: list[Finding]) -> str | None:
    if text in CURRENCY_EXPONENTS:
        return text
    if not text:
        _required(bad, line, "currency")
        return None
    message = f"unknown currency {text!r} (known: {', '.join(sorted(CURRENCY_EXPONENTS))})"
    bad.append(Finding(FindingCode.BAD_CURRENCY, message, line, "currency"))
    return None


def _choice(
    text: str, choices: dict[str, T], column: str, line: int, bad: list[Finding]
) -> T | None:
    choice = choices.get(text)
    if choice is not None:
        return choice
    if not text:
        _required(bad, line, column)
        return None
    message = f"{text!r} is not one of: {', '.join(choices)}"
    bad.append(Finding(FindingCode.BAD_CHOICE, message, line, column))
    return None


@lru_cache(maxsize=1024)
def _is_zone(name: str) -> bool:
    if name == "localtime":  # a link to the host's zone on some systems, not an IANA name
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format(Generic[T]):
    what: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str
    check: Callable[[Sequence[str], int], tuple[T | None, list[Finding]]]


_LOANS = _Format("loans", LOAN_COLUMNS, LOAN_COLUMNS_REQUIRED, "loan_id", _check_loan_cells)
_PAYMENTS = _Format(
    "payments", PAYMENT_COLUMNS, PAYMENT_COLUMNS_REQUIRED, "payment_id", _check_payment_cells
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
