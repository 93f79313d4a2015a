"""Hold the cycle's stored status equal to the per-loan reference, loan by loan.

The set-based cycle must give exactly what ``loan_state`` gives for every loan
on the cycle's last day. This check replays every loan (slow: it is the
reference path) and lists each loan whose stored rows differ, with the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from arrears.domain.daily_status import StatusRow, status_rows
from arrears.domain.loan_state import loan_state
from arrears.domain.strategy import arm_slot
from arrears.services.ports import UnitOfWork

Mismatch = tuple[str, str]  # (loan id, what differs)


def check_status(uow_factory: Callable[[], UnitOfWork], day: date | None = None) -> list[Mismatch]:
    """Every loan whose stored status or open installments differ from the reference as of
    ``day`` (default: the cycle's last day). An empty list: the cycle is exact."""
    found: list[Mismatch] = []
    with uow_factory() as uow:
        day = day or uow.cycle.last_day()
        if day is None:
            return []
        ledger = uow.ledger
        for ids in ledger.loan_ids():
            statuses, dues = uow.cycle.stored_status(ids)
            terms = ledger.loan_terms(ids)
            schedules = ledger.installments(ids)
            payments = ledger.standing_payments(ids)
            arrangements = ledger.arrangement_terms(ids)
            for loan_id in ids:
                loan = terms[loan_id]
                rules = ledger.product_rules(loan.product)
                schedule = schedules.get(loan_id, ())
                state = loan_state(
                    loan, rules, payments.get(loan_id, []), day, schedule,
                    arrangements.get(loan_id, ()),
                )  # fmt: skip
                want, want_dues = status_rows(loan, rules, schedule, state, arm_slot(loan_id))
                have = statuses.get(loan_id)
                if have is None:
                    found.append((loan_id, "no status row"))
                    continue
                differing = _differing(have._replace(status_day=want.status_day), want)
                if differing:
                    found.append((loan_id, differing))
                if dues.get(loan_id, []) != want_dues:
                    found.append((loan_id, f"open installments {dues.get(loan_id)} != {want_dues}"))
    return found


def _differing(have: StatusRow, want: StatusRow) -> str:
    return ", ".join(
        f"{name} {mine} != {wanted}"
        for name, mine, wanted in zip(StatusRow._fields, have, want, strict=True)
        if mine != wanted
    )
