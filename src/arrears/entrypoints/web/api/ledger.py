"""``/api/v1`` for the ledger: a loan's status and schedule, the portfolio, imports of
loans and payments files (CSV bodies, all-or-nothing, every bad row named), payments."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from arrears.adapters.csv_formats import read_loans, read_payments
from arrears.domain.delinquency import DEFAULT_BUCKETS
from arrears.domain.money import format_major
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.web.api.schemas import (
    Day,
    FindingOut,
    ImportOut,
    InstalmentOut,
    LoanStatusOut,
    PaymentIn,
    ScheduleOut,
)
from arrears.entrypoints.web.deps import AppDep, OperationsUser
from arrears.entrypoints.web.security import now
from arrears.services import importing, payments, queries
from arrears.services.errors import InvalidInput

router = APIRouter(tags=["ledger"])

CSV_BODY = Body(media_type="text/csv", description="The CSV file's text (docs/import.md).")


@router.get("/loans/{loan_id}/status", response_model=LoanStatusOut)
def loan_status(
    loan_id: str, app: AppDep, _: OperationsUser, as_of: Day | None = None
) -> LoanStatusOut:
    """A loan's delinquency and amounts as of a date (default: today): DPD, bucket,
    overdue, penalty, payoff — as `arrears status`."""
    return LoanStatusOut.of(queries.loan_status(app.uow_factory, loan_id, as_of or app.today()))


@router.get("/loans/{loan_id}/schedule", response_model=ScheduleOut)
def loan_schedule(loan_id: str, app: AppDep, _: OperationsUser) -> ScheduleOut:
    """A loan's repayment schedule, as `arrears schedule`."""
    terms, installments = queries.loan_schedule(app.uow_factory, loan_id)
    return ScheduleOut(
        loan_id=loan_id, currency=terms.currency,
        principal=format_major(terms.principal_minor, terms.currency),
        repayment_method=str(terms.method),
        instalments=[InstalmentOut.of(i, terms.currency) for i in installments],
    )  # fmt: skip


@router.get("/portfolio")
def portfolio(app: AppDep, _: OperationsUser, as_of: Day | None = None) -> dict[str, Any]:
    """Loans and amounts by bucket and currency as of a date, as `arrears portfolio`."""
    summary = queries.portfolio(app.uow_factory, as_of or app.today(), DEFAULT_BUCKETS.labels)
    return {
        "as_of": summary.as_of.isoformat(),
        "by_currency": {
            currency: [
                {"bucket": bucket, "loans": t.loans,
                 "total_overdue": format_major(t.total_overdue_minor, currency),
                 "outstanding_principal": format_major(t.outstanding_principal_minor, currency)}
                for bucket, t in totals.items()
            ]
            for currency, totals in summary.by_currency.items()
        },
    }  # fmt: skip


@router.post("/imports/loans", response_model=ImportOut)
async def import_loans(
    request: Request, app: AppDep, _: OperationsUser,
    body: Annotated[str, CSV_BODY] = "",
) -> ImportOut:  # fmt: skip
    """Import a loans file. All or nothing: with any bad row nothing is written and the
    answer (422) names every bad row, field and reason."""
    return _imported(importing.import_loans, read_loans, await _text(request), app)


@router.post("/imports/payments", response_model=ImportOut)
async def import_payments(
    request: Request, app: AppDep, _: OperationsUser,
    body: Annotated[str, CSV_BODY] = "",
) -> ImportOut:  # fmt: skip
    """Import a payments file (idempotent by payment id), all or nothing."""
    return _imported(importing.import_payments, read_payments, await _text(request), app)


@router.post("/payments", status_code=201)
def post_payment(payment: PaymentIn, app: AppDep, _: OperationsUser) -> dict[str, Any]:
    """Post one payment; its id is the idempotency key (the same payment again changes
    nothing; the same id with another payload is a 409)."""
    record = PaymentRecord(payment.payment_id, payment.loan_id, payment.paid_on, payment.amount)
    posted = payments.post_payment(app.uow_factory, record, now())
    return {"payment_id": payment.payment_id, "written": posted.written,
            "unchanged": posted.unchanged}  # fmt: skip


async def _text(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text") from None


def _imported(
    service: Callable[..., importing.ImportReport], reader: Callable[..., Iterator[Any]],
    text: str, app: Any,
) -> ImportOut:  # fmt: skip
    if not text.strip():
        raise InvalidInput("the body is empty: send the CSV file's text")

    def rows() -> Iterator[Any]:
        yield from reader(io.StringIO(text, newline=""))

    report = service(app.uow_factory, rows, now())
    out = ImportOut(
        rows=report.rows, written=report.written, unchanged=report.unchanged,
        rejected=report.rejected, journal_entries=report.journal_entries,
        findings=[FindingOut(code=str(f.code), message=f.message, line=f.line,
                             column=f.column, subject=f.subject) for f in report.findings],
    )  # fmt: skip
    if report.findings:
        raise ImportRefused(out)
    return out


class ImportRefused(InvalidInput):
    """Bad rows: nothing was written; the problem lists every finding."""

    def __init__(self, report: ImportOut):
        super().__init__(f"{len(report.findings)} problem(s) in the file; nothing was written")
        self.findings = report.findings
