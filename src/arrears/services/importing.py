"""Importing loans and payments from the core lending system: checked whole, written whole.

One streaming pass, in one transaction: each chunk of rows is checked (against
itself and the store) and, while no row has failed, written. Every row is
checked and every finding collected; if any was found the transaction is rolled
back and nothing is written — unless the caller chose to skip invalid rows, in
which case the good rows are kept and the bad ones handed back. Re-importing a file changes nothing: identical rows already stored are skipped;
a known id with other content is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar

from arrears.domain.calendar import calendar_for
from arrears.domain.findings import Finding, FindingCode
from arrears.domain.money import exponent_of
from arrears.domain.records import LoanRecord, PaymentRecord, loan_identity
from arrears.domain.schedule import build_schedule
from arrears.services.journal_sync import sync_journals
from arrears.services.ports import Ledger, ParsedRowLike, UnitOfWork

T = TypeVar("T")
CHUNK = 5000
RATE_DECIMALS = 4  # rates are stored as integer parts per million (percent × 10 000)

RowSource = Callable[[], Iterator[ParsedRowLike[Any]]]
Rejected = Callable[[ParsedRowLike[Any], list[Finding]], None]
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: int = 0
    findings: list[Finding] = field(default_factory=list)
    journal_entries: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A record made in code (not read from a file), as the import takes its rows: no
    cells, no findings."""

    line: int
    raw: dict[str, str]
    record: Any
    findings: tuple[Finding, ...] = ()


def record_rows(records: Sequence[Any]) -> RowSource:
    """Records already made as an import's rows, numbered from 1: what a service that
    imports what it made itself (a payment posted, the simulator's book) hands the import.

    >>> [(row.line, row.record) for row in record_rows(["a", "b"])()]
    [(1, 'a'), (2, 'b')]
    """

    def open_rows() -> Iterator[RecordRow]:
        for line, record in enumerate(records, start=1):
            yield RecordRow(line, {}, record)

    return open_rows


def _chunks(rows: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class _Verdicts:
    """Per chunk: findings by line, and the ids already stored identically."""

    findings: dict[int, list[Finding]] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)

    def add(self, line: int, finding: Finding) -> None:
        self.findings.setdefault(line, []).append(finding)


def _run_import(
    uow_factory: Callable[[], UnitOfWork],
    open_rows: RowSource,
    check: Callable[[Ledger, list[ParsedRowLike[Any]]], _Verdicts],
    write: Callable[[Ledger, list[ParsedRowLike[Any]], _Verdicts], int],
    after_write: Callable[[Ledger], int] | None,
    *,
    skip_invalid: bool,
    on_reject: Rejected | None,
    progress: Progress | None,
) -> ImportReport:
    report = ImportReport()
    with uow_factory() as uow:
        for chunk in _chunks(open_rows()):
            verdicts = check(uow.ledger, chunk)
            report.rows += len(chunk)
            report.unchanged += len(verdicts.unchanged)
            for row in chunk:
                found = verdicts.findings.get(row.line)
                if found:
                    report.findings.extend(found)
                    report.rejected += 1
                    if on_reject and skip_invalid:
                        on_reject(row, found)
            if skip_invalid or not report.findings:
                report.written += write(uow.ledger, chunk, verdicts)
            if progress:
                progress(len(chunk))
        if report.findings and not skip_invalid:
            report.written = 0
            return report  # rolled back: nothing of the file is kept
        if after_write:
            report.journal_entries = after_write(uow.ledger)
        uow.commit()
    return report


def _good(chunk: list[ParsedRowLike[T]], verdicts: _Verdicts, key: Callable[[T], str]) -> list[T]:
    """Rows to write: valid, not already stored, each id once (the file may repeat a row)."""
    seen: set[str] = set()
    good = []
    for row in chunk:
        record = row.record
        if record is None or row.line in verdicts.findings:
            continue
        ident = key(record)
        if ident in verdicts.unchanged or ident in seen:
            continue
        seen.add(ident)
        good.append(record)
    return good


# -- loans ---------------------------------------------------------------------------
def import_loans(
    uow_factory: Callable[[], UnitOfWork],
    open_rows: RowSource,
    now: datetime,
    *,
    skip_invalid: bool = False,
    on_reject: Rejected | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a loans file: loans, borrowers, schedules and disbursement entries."""

    def write(ledger: Ledger, chunk: list[ParsedRowLike[Any]], verdicts: _Verdicts) -> int:
        records: list[LoanRecord] = _good(chunk, verdicts, lambda r: r.loan_id)
        calendars = [ledger.product_calendar(r.product) for r in records]
        schedules = [
            build_schedule(
                r.method,
                r.principal_minor,
                r.annual_rate_percent,
                r.term_months,
                r.rounding,
                r.start_date,
                r.first_due_date,
                calendar_for(cal),
            )
            for r, cal in zip(records, calendars, strict=True)
        ]
        ledger.insert_loans(records, schedules, calendars, now)
        return len(records)

    return _run_import(
        uow_factory, open_rows, _check_loans, write, None,
        skip_invalid=skip_invalid, on_reject=on_reject, progress=progress,
    )  # fmt: skip


def rate_findings(record: LoanRecord, line: int) -> list[Finding]:
    """Rates are stored exactly in parts per million: at most 4 decimals of a percent."""
    exponent = record.annual_rate_percent.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_DECIMALS:
        message = f"annual_rate has more than {RATE_DECIMALS} decimals"
        return [Finding(FindingCode.BAD_NUMBER, message, line=line, column="annual_rate")]
    return []


def _check_loans(ledger: Ledger, chunk: list[ParsedRowLike[LoanRecord]]) -> _Verdicts:
    verdicts = _Verdicts()
    stored = ledger.loan_fingerprints([r.record.loan_id for r in chunk if r.record])
    for row in chunk:
        for finding in row.findings:
            verdicts.add(row.line, finding)
        record = row.record
        if record is None or row.findings:
            continue
        for finding in rate_findings(record, row.line):
            verdicts.add(row.line, finding)
        known = stored.get(record.loan_id)
        if known is None:
            continue
        if known == loan_identity(record):
            verdicts.unchanged.add(record.loan_id)
        else:
            verdicts.add(row.line, Finding(
                FindingCode.CONFLICTING_ID,
                f"loan {record.loan_id} is already stored with other terms",
                line=row.line, column="loan_id", subject=record.loan_id,
            ))  # fmt: skip
    return verdicts


# -- payments ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _PaymentRow:
    payment_id: str
    loan_id: str
    paid_on: date
    amount_minor: int
    currency: str
    channel: str | None


def import_payments(
    uow_factory: Callable[[], UnitOfWork],
    open_rows: RowSource,
    now: datetime,
    *,
    skip_invalid: bool = False,
    on_reject: Rejected | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a payments file, then bring the journal of every touched loan up to date."""
    touched: dict[str, date] = {}

    def write(ledger: Ledger, chunk: list[ParsedRowLike[Any]], verdicts: _Verdicts) -> int:
        records: list[PaymentRecord] = _good(chunk, verdicts, lambda r: r.payment_id)
        facts = ledger.loan_facts([r.loan_id for r in records])
        rows = [_payment_row(r, facts[r.loan_id][0]) for r in records]
        ledger.insert_payments(
            [
                (p.payment_id, p.loan_id, p.paid_on, p.amount_minor, p.currency, p.channel)
                for p in rows
            ],
            now,
        )
        for p in rows:
            touched[p.loan_id] = max(touched.get(p.loan_id, p.paid_on), p.paid_on)
        return len(rows)

    def after_write(ledger: Ledger) -> int:
        return sum(
            sync_journals(ledger, ids, now, touched) for ids in _chunks(sorted(touched), 1000)
        )

    return _run_import(
        uow_factory, open_rows, _check_payments, write, after_write,
        skip_invalid=skip_invalid, on_reject=on_reject, progress=progress,
    )  # fmt: skip


def _payment_row(record: PaymentRecord, currency: str) -> _PaymentRow:
    amount_minor = int(record.amount.scaleb(exponent_of(currency)))
    return _PaymentRow(
        record.payment_id, record.loan_id, record.paid_on, amount_minor, currency, record.channel
    )


def _check_payments(ledger: Ledger, chunk: list[ParsedRowLike[PaymentRecord]]) -> _Verdicts:
    verdicts = _Verdicts()
    records = [r.record for r in chunk if r.record]
    facts = ledger.loan_facts(list({r.loan_id for r in records}))
    stored = ledger.payment_fingerprints([r.payment_id for r in records])
    for row in chunk:
        for finding in row.findings:
            verdicts.add(row.line, finding)
        record = row.record
        if record is None or row.findings:
            continue
        for finding in _payment_findings(record, row.line, facts, stored):
            verdicts.add(row.line, finding)
        if row.line not in verdicts.findings and record.payment_id in stored:
            verdicts.unchanged.add(record.payment_id)
    return verdicts


def _payment_findings(
    record: PaymentRecord,
    line: int,
    facts: dict[str, tuple[str, date]],
    stored: dict[str, tuple[str, date, int]],
) -> list[Finding]:
    def finding(code: FindingCode, column: str, message: str) -> Finding:
        return Finding(code, message, line=line, column=column, subject=record.payment_id)

    if record.loan_id not in facts:
        return [finding(FindingCode.UNKNOWN_LOAN, "loan_id", f"no loan {record.loan_id} is stored")]
    currency, start_date = facts[record.loan_id]
    found = []
    if record.currency and record.currency != currency:
        found.append(finding(
            FindingCode.CURRENCY_MISMATCH, "currency",
            f"loan {record.loan_id} is in {currency}, not {record.currency}",
        ))  # fmt: skip
    scaled = record.amount.scaleb(exponent_of(currency))
    if scaled != scaled.to_integral_value():
        found.append(finding(
            FindingCode.BAD_AMOUNT, "amount", f"{record.amount} has more decimals than {currency} allows"
        ))  # fmt: skip
    if record.paid_on < start_date:
        found.append(finding(
            FindingCode.OUT_OF_RANGE, "paid_on",
            f"paid on {record.paid_on}, before the loan started on {start_date}",
        ))  # fmt: skip
    if found or record.payment_id not in stored:
        return found
    amount_minor = int(scaled)
    if stored[record.payment_id] != (record.loan_id, record.paid_on, amount_minor):
        found.append(finding(
            FindingCode.CONFLICTING_ID, "payment_id",
            f"payment {record.payment_id} is already stored with another loan, date or amount",
        ))  # fmt: skip
    return found
