"""A loan's daily status, as the cycle stores it: one row per loan, one per open installment.

These rows are what the set-based cycle advances day by day in SQL. This module
derives them from the per-loan reference (``loan_state``), so a loan can be
(re)built from scratch whenever its history changes, and so a test can hold the
cycle's tables equal to the reference for every loan on every day.

An *open* installment has fallen due (due on or before the day) and is not fully
paid. Days are day numbers (see ``calendar.day_number``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from arrears.domain.allocation import Component
from arrears.domain.arrangements import ArrangementStatus
from arrears.domain.calendar import day_number
from arrears.domain.loan_state import InstallmentState, LoanState, daily_penalty_rate
from arrears.domain.schedule import Installment
from arrears.domain.terms import LoanTerms, ProductRules


class DueRow(NamedTuple):
    loan_id: str
    seq: int
    due_day: int
    principal_minor: int
    interest_minor: int
    penalty_minor: int
    fee_minor: int
    paid_principal_minor: int
    paid_interest_minor: int
    paid_penalty_minor: int
    paid_fee_minor: int


class StatusRow(NamedTuple):
    loan_id: str
    product: str
    rounding: str
    status_day: int
    dpd: int
    bucket: str
    open_due_day: int | None
    next_seq: int | None
    next_due_day: int | None
    overdue_principal_minor: int
    overdue_interest_minor: int
    penalty_minor: int
    fees_minor: int
    outstanding_principal_minor: int
    credit_minor: int
    fees_charged_minor: int
    penalty_rate_num: int
    penalty_rate_den: int
    adjusted: int
    arm_slot: int


def status_rows(
    terms: LoanTerms,
    rules: ProductRules,
    schedule: Sequence[Installment],
    state: LoanState,
    arm_slot: int,
) -> tuple[StatusRow, list[DueRow]]:
    """The status row and open-installment rows of a loan whose state is ``state``."""
    as_of = state.as_of
    dues = [_due_row(terms.loan_id, i) for i in state.installments if i.due_date <= as_of]
    open_dues = sorted((d for d in dues if _unpaid(d) > 0), key=lambda d: d.seq)
    beyond_tolerance = [d.due_day for d in open_dues if _unpaid(d) > rules.tolerance_minor]
    later = [i for i in state.installments if i.due_date > as_of]
    numerator, denominator = daily_penalty_rate(terms, rules)
    row = StatusRow(
        loan_id=terms.loan_id,
        product=terms.product,
        rounding=str(terms.rounding),
        status_day=day_number(as_of),
        dpd=state.dpd,
        bucket=state.bucket,
        open_due_day=min(beyond_tolerance) if beyond_tolerance else None,
        next_seq=later[0].seq if later else None,
        next_due_day=day_number(later[0].due_date) if later else None,
        overdue_principal_minor=state.overdue_principal_minor,
        overdue_interest_minor=state.overdue_interest_minor,
        penalty_minor=state.penalty_minor,
        fees_minor=state.fees_minor,
        outstanding_principal_minor=state.outstanding_principal_minor,
        credit_minor=state.credit_minor,
        fees_charged_minor=state.fees_charged_minor,
        penalty_rate_num=numerator,
        penalty_rate_den=denominator,
        adjusted=int(_arranged(state) or _adjusted(schedule, as_of, state)),
        arm_slot=arm_slot,
    )
    return row, open_dues


def _due_row(loan_id: str, installment: InstallmentState) -> DueRow:
    owed, paid = installment.owed, installment.paid
    return DueRow(
        loan_id,
        installment.seq,
        day_number(installment.due_date),
        owed[Component.PRINCIPAL],
        owed[Component.INTEREST],
        owed[Component.PENALTY],
        owed[Component.FEE],
        paid[Component.PRINCIPAL],
        paid[Component.INTEREST],
        paid[Component.PENALTY],
        paid[Component.FEE],
    )


def _unpaid(row: DueRow) -> int:
    return (
        row.principal_minor + row.interest_minor + row.penalty_minor + row.fee_minor
        - row.paid_principal_minor - row.paid_interest_minor
        - row.paid_penalty_minor - row.paid_fee_minor
    )  # fmt: skip


def _arranged(state: LoanState) -> bool:
    """An arrangement in force: its moments (payments, instalments falling due) take the
    per-loan reference, never the set-based steps."""
    return any(a.status is ArrangementStatus.ACTIVE for a in state.arrangements)


def _adjusted(schedule: Sequence[Installment], as_of: date, state: LoanState) -> bool:
    """Whether installments not yet due differ from the stored schedule (a prepayment
    re-amortised them, or an early payoff settled them): the cycle then cannot take
    them from the schedule table when they fall due."""
    planned = {i.seq: (i.due_date, i.principal_minor, i.interest_minor) for i in schedule}
    for installment in state.installments:
        if installment.due_date <= as_of:
            continue
        owed, paid = installment.owed, installment.paid
        if any(paid.values()):
            return True
        now = (installment.due_date, owed[Component.PRINCIPAL], owed[Component.INTEREST])
        if planned.get(installment.seq) != now:
            return True
    return False
