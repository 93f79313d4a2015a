"""Read-outs: one loan's schedule and status, and the whole portfolio as of a date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from arrears.domain.loan_state import LoanState, loan_state
from arrears.domain.schedule import Installment
from arrears.domain.terms import LoanTerms
from arrears.services.errors import NotFound
from arrears.services.ports import Ledger, UnitOfWork


def loan_schedule(
    uow_factory: Callable[[], UnitOfWork], loan_id: str
) -> tuple[LoanTerms, tuple[Installment, ...]]:
    with uow_factory() as uow:
        terms = uow.ledger.loan_terms([loan_id]).get(loan_id)
        if terms is None:
            raise NotFound(f"no loan {loan_id} is stored")
        return terms, uow.ledger.installments([loan_id])[loan_id]


def loan_status(uow_factory: Callable[[], UnitOfWork], loan_id: str, as_of: date) -> LoanState:
    with uow_factory() as uow:
        states = list(_states(uow.ledger, [loan_id], as_of))
    if not states:
        raise NotFound(f"no loan {loan_id} is stored")
    return states[0]


def _states(ledger: Ledger, loan_ids: list[str], as_of: date) -> Iterator[LoanState]:
    terms = ledger.loan_terms(loan_ids)
    schedules = ledger.installments(loan_ids)
    payments = ledger.standing_payments(loan_ids)
    arrangements = ledger.arrangement_terms(loan_ids)
    for loan_id in loan_ids:
        if loan_id not in terms:
            continue
        loan = terms[loan_id]
        yield loan_state(
            loan,
            ledger.product_rules(loan.product),
            payments.get(loan_id, []),
            as_of,
            schedules[loan_id],
            arrangements.get(loan_id, ()),
        )


def iter_states(
    uow_factory: Callable[[], UnitOfWork],
    as_of: date,
    progress: Callable[[int], None] | None = None,
) -> Iterator[LoanState]:
    """Every loan's state as of a date, loan by loan (the per-loan reference path)."""
    with uow_factory() as uow:
        for ids in uow.ledger.loan_ids():
            yield from _states(uow.ledger, ids, as_of)
            if progress:
                progress(len(ids))


def iter_schedules(
    uow_factory: Callable[[], UnitOfWork],
) -> Iterator[tuple[str, str, tuple[Installment, ...]]]:
    """(loan id, currency, schedule) for every loan, in loan id order."""
    with uow_factory() as uow:
        for ids in uow.ledger.loan_ids():
            schedules = uow.ledger.installments(ids)
            facts = uow.ledger.loan_facts(ids)
            for loan_id in ids:
                yield loan_id, facts[loan_id][0], schedules[loan_id]


def count_loans(uow_factory: Callable[[], UnitOfWork]) -> int:
    with uow_factory() as uow:
        return uow.ledger.count_loans()


@dataclass
class BucketTotals:
    loans: int = 0
    outstanding_principal_minor: int = 0
    total_overdue_minor: int = 0


@dataclass
class PortfolioSummary:
    as_of: date
    by_currency: dict[str, dict[str, BucketTotals]] = field(default_factory=dict)


def portfolio(
    uow_factory: Callable[[], UnitOfWork],
    as_of: date,
    bucket_labels: list[str],
    progress: Callable[[int], None] | None = None,
) -> PortfolioSummary:
    """Loans, outstanding principal and overdue amount by bucket, per currency."""
    summary = PortfolioSummary(as_of)
    for state in iter_states(uow_factory, as_of, progress):
        buckets = summary.by_currency.setdefault(
            state.currency, {label: BucketTotals() for label in bucket_labels}
        )
        totals = buckets.setdefault(state.bucket, BucketTotals())
        totals.loans += 1
        totals.outstanding_principal_minor += state.outstanding_principal_minor
        totals.total_overdue_minor += state.total_overdue_minor
    return summary
