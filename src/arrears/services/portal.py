"""What a borrower sees of their own loans: what is owed and why — the amounts, the
schedule, each line of 罚息 and the payments received.

Every read takes the borrower's id and answers only for their own loans: another's loan
is ``NotFound``, exactly as a loan that does not exist, so that loan ids cannot be probed.
The pages and the API (``/api/v1``) call these same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from arrears.domain.allocation import Component
from arrears.domain.arrangements import ArrangementTerms
from arrears.domain.loan_state import InstallmentState, LoanState, loan_state
from arrears.domain.penalty_lines import PenaltyLine, penalty_lines
from arrears.services import arrangement_views
from arrears.services.errors import NotFound
from arrears.services.ports import UnitOfWork

# The region whose rights and guides a loan's borrower reads, by the loan's currency.
REGION_OF_CURRENCY = {"CNY": "cn", "USD": "us"}


@dataclass(frozen=True, slots=True)
class LoanSummary:
    """One loan at a glance, in minor units of ``currency`` as of ``as_of``."""

    loan_id: str
    currency: str
    as_of: date
    days_past_due: int
    bucket: str
    overdue_minor: int  # due and unpaid: principal, interest, 罚息 and fees
    payoff_minor: int  # what closes the loan today
    outstanding_principal_minor: int
    next_due_date: date | None  # the next instalment not yet due
    next_due_minor: int
    region: str  # "cn" or "us": which rights apply


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    penalty_minor: int  # 罚息 accrued on it so far
    fee_minor: int
    paid_minor: int
    unpaid_minor: int
    status: str  # paid | overdue | due_today | upcoming


@dataclass(frozen=True, slots=True)
class PaymentLine:
    payment_id: str
    paid_on: date
    amount_minor: int
    allocated: dict[str, int]  # component → minor units ("credit": held beyond what was due)


@dataclass(frozen=True, slots=True)
class LoanDetail:
    summary: LoanSummary
    overdue_principal_minor: int
    overdue_interest_minor: int
    penalty_minor: int  # 罚息 unpaid
    fees_minor: int
    penalty_accrued_minor: int  # all 罚息 ever charged (the lines add up to it, less waivers)
    schedule: tuple[ScheduleLine, ...]
    penalty_lines: tuple[PenaltyLine, ...]
    payments: tuple[PaymentLine, ...]
    commitments: tuple[Commitment, ...] = ()  # promises and arrangements, newest first


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise to pay or an arrangement on the loan, as the borrower reads it: what it
    is, where it stands, how much by when."""

    arrangement_id: str
    kind: str  # promise, plan, extension, settlement, pause, reage
    status: str  # open/active, kept, broken, pending, …
    total_minor: int
    paid_minor: int
    made_on: date
    due_dates: tuple[date, ...]


def region_of(currency: str, default: str = "cn") -> str:
    return REGION_OF_CURRENCY.get(currency, default)


def borrower_today(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, now: datetime, portfolio_zone: str
) -> date:
    """Today where the borrower lives (their zone from the loan file), else the portfolio's."""
    with uow_factory() as uow:
        found = uow.portal.borrower(borrower_id)
    for zone in (found.timezone if found else None, portfolio_zone):
        if zone:
            try:
                return now.astimezone(ZoneInfo(zone)).date()
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return now.date()


def my_loans(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, as_of: date
) -> list[LoanSummary]:
    """The borrower's loans, oldest first."""
    with uow_factory() as uow:
        return [
            _summary(_state(uow, loan_id, as_of)) for loan_id in uow.portal.loans_of(borrower_id)
        ]


def my_loan(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, loan_id: str, as_of: date
) -> LoanDetail:
    """One of the borrower's loans in full; another's is ``NotFound``."""
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
        terms = uow.ledger.loan_terms([loan_id])[loan_id]
        rules = uow.ledger.product_rules(terms.product)
        schedule = uow.ledger.installments([loan_id])[loan_id]
        payments = uow.ledger.standing_payments([loan_id]).get(loan_id, [])
        arrangements: tuple[ArrangementTerms, ...] = uow.ledger.arrangement_terms([loan_id]).get(
            loan_id, ()
        )
    state = loan_state(terms, rules, payments, as_of, schedule, arrangements)
    lines = penalty_lines(terms, rules, payments, as_of, schedule, arrangements)
    return LoanDetail(
        commitments=commitments(uow_factory, loan_id),
        summary=_summary(state),
        overdue_principal_minor=state.overdue_principal_minor,
        overdue_interest_minor=state.overdue_interest_minor,
        penalty_minor=state.penalty_minor,
        fees_minor=state.fees_minor,
        penalty_accrued_minor=state.penalty_accrued_minor,
        schedule=tuple(_schedule_line(i, as_of) for i in state.installments),
        penalty_lines=tuple(lines),
        payments=tuple(
            PaymentLine(p.payment_id, p.paid_on, p.amount_minor,
                        dict(state.payment_allocations.get(p.payment_id, {})))
            for p in sorted(payments, key=lambda p: (p.paid_on, p.payment_id))
            if p.paid_on <= as_of
        ),
    )  # fmt: skip


def commitments(uow_factory: Callable[[], UnitOfWork], loan_id: str) -> tuple[Commitment, ...]:
    """The loan's promises and arrangements, newest first, each with its due dates."""
    records = arrangement_views.list_arrangements(uow_factory, loan_id)
    with uow_factory() as uow:
        views = [arrangement_views.view_of(uow, r.arrangement_id) for r in reversed(records)]
    return tuple(
        Commitment(v.record.arrangement_id, v.record.kind, v.record.status, v.record.total_minor,
                   v.record.paid_minor, v.record.quoted_on,
                   tuple(i.due_date for i in v.instalments))
        for v in views if v is not None
    )  # fmt: skip


def require_own_loan(uow: UnitOfWork, borrower_id: str, loan_id: str) -> str:
    """The loan exists and is the borrower's; else ``NotFound`` (never "forbidden": that
    would tell them another's loan exists)."""
    parties = uow.contacts.loan_parties(loan_id)
    if parties is None or parties[0] != borrower_id:
        raise NotFound(
            f"no loan {loan_id} of yours is stored", code="loan.not_yours", loan_id=loan_id
        )
    return loan_id


def _state(uow: UnitOfWork, loan_id: str, as_of: date) -> LoanState:
    terms = uow.ledger.loan_terms([loan_id])[loan_id]
    return loan_state(
        terms,
        uow.ledger.product_rules(terms.product),
        uow.ledger.standing_payments([loan_id]).get(loan_id, []),
        as_of,
        uow.ledger.installments([loan_id])[loan_id],
        uow.ledger.arrangement_terms([loan_id]).get(loan_id, ()),
    )


def _summary(state: LoanState) -> LoanSummary:
    upcoming = [i for i in state.installments if i.due_date > state.as_of and i.unpaid_minor > 0]
    following = min(upcoming, key=lambda i: (i.due_date, i.seq), default=None)
    return LoanSummary(
        loan_id=state.loan_id,
        currency=state.currency,
        as_of=state.as_of,
        days_past_due=state.dpd,
        bucket=state.bucket,
        overdue_minor=state.total_overdue_minor,
        payoff_minor=state.payoff_minor,
        outstanding_principal_minor=state.outstanding_principal_minor,
        next_due_date=following.due_date if following else None,
        next_due_minor=following.unpaid_minor if following else 0,
        region=region_of(state.currency),
    )


def _schedule_line(instalment: InstallmentState, as_of: date) -> ScheduleLine:
    owed, paid = instalment.owed, instalment.paid
    unpaid = instalment.unpaid_minor
    if unpaid <= 0:
        status = "paid"
    elif instalment.due_date < as_of:
        status = "overdue"
    elif instalment.due_date == as_of:
        status = "due_today"
    else:
        status = "upcoming"
    return ScheduleLine(
        seq=instalment.seq,
        due_date=instalment.due_date,
        principal_minor=owed.get(Component.PRINCIPAL, 0),
        interest_minor=owed.get(Component.INTEREST, 0),
        penalty_minor=owed.get(Component.PENALTY, 0),
        fee_minor=owed.get(Component.FEE, 0),
        paid_minor=sum(paid.values()),
        unpaid_minor=max(unpaid, 0),
        status=status,
    )
