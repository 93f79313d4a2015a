"""The set-based cycle equals the per-loan reference, for every loan, every day.

Random portfolios (terms, product rules, payments arriving ahead of the cycle,
on their day, or backdated, and reversals) run through the cycle day by day; after
each day every loan's stored status and open installments must equal what
``loan_state`` derives, and the journal must balance and equal its derivation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.adapters.product_files import ProductModel
from arrears.domain.allocation import Component, WaterfallMode
from arrears.domain.findings import Finding
from arrears.domain.money import Rounding
from arrears.domain.records import LoanRecord, PaymentRecord
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import Overpayment
from arrears.entrypoints.bootstrap import App
from arrears.services import importing, ledger_check, payments, products
from arrears.services.cycle import run_cycle
from arrears.services.cycle_check import check_status

FIRST_DAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, tzinfo=UTC)
EXAMPLES = settings(  # ARREARS_CYCLE_EXAMPLES=500 for a deeper run
    max_examples=int(os.environ.get("ARREARS_CYCLE_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    raw: dict[str, str]
    record: Any
    findings: tuple[Finding, ...] = ()


def rows(records: list[Any]) -> Callable[[], Iterator[_Row]]:
    return lambda: (_Row(line, {}, record) for line, record in enumerate(records, start=2))


@dataclass(frozen=True, slots=True)
class Arrival:
    record: PaymentRecord
    arrives: int  # the index of the day before whose cycle it is posted; -1: before the first
    reversed_at: int | None  # the day index before whose cycle it bounces


@st.composite
def products_drawn(draw: Any) -> ProductModel:
    return ProductModel(
        grace_days=draw(st.integers(0, 4)),
        tolerance_minor=draw(st.sampled_from([0, 0, 100, 1000])),
        penalty_rate_multiplier=draw(st.sampled_from([Decimal("1"), Decimal("1.5")])),
        penalty_day_basis=draw(st.sampled_from([360, 365])),
        late_fee_minor=draw(st.sampled_from([0, 1500, 5000])),
        late_fee_cap_minor=draw(st.sampled_from([None, 6000])),
        waterfall=draw(st.sampled_from(WaterfallMode)),
        allocation_order=draw(st.permutations(list(Component))),
        overpayment=draw(st.sampled_from(Overpayment)),
    )


@st.composite
def portfolios(draw: Any) -> tuple[ProductModel, list[LoanRecord], list[Arrival], int]:
    days = draw(st.integers(20, 70))
    loans = [
        LoanRecord(
            loan_id=f"L{n}",
            borrower_id=f"B{n}",
            currency="CNY",
            principal_minor=draw(st.integers(10_000, 5_000_000)),
            annual_rate_percent=draw(st.decimals(Decimal("0"), Decimal("36"), places=2)),
            term_months=draw(st.integers(1, 6)),
            start_date=FIRST_DAY + timedelta(days=draw(st.integers(-150, 20))),
            method=draw(st.sampled_from(RepaymentMethod)),
            rounding=draw(st.sampled_from(Rounding)),
            product="p",
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    arrivals = []
    for loan in loans:
        for k in range(draw(st.integers(0, 6))):
            paid_on = loan.start_date + timedelta(days=draw(st.integers(0, 200)))
            amount = Decimal(draw(st.integers(1, loan.principal_minor // 2))) / 100
            arrives = draw(st.integers(-1, days - 1))
            bounce = draw(st.none() | st.integers(max(arrives, 0), days))
            record = PaymentRecord(f"{loan.loan_id}-p{k}", loan.loan_id, paid_on, amount, "CNY")
            arrivals.append(Arrival(record, arrives, bounce))
    return draw(products_drawn()), loans, arrivals, days


def post(app: App, arrivals: list[Arrival], day_index: int) -> None:
    due = [a.record for a in arrivals if a.arrives == day_index]
    if due:
        report = importing.import_payments(app.uow_factory, rows(due), NOW)
        assert report.clean, report.findings
    for arrival in arrivals:
        if arrival.reversed_at == day_index and arrival.arrives <= day_index:
            bounced_on = max(arrival.record.paid_on, FIRST_DAY + timedelta(days=day_index))
            payments.reverse_payment(
                app.uow_factory, arrival.record.payment_id, bounced_on, "bounced", NOW
            )


@EXAMPLES
@given(portfolio=portfolios())
def test_every_loan_equals_the_reference_after_every_day(
    app_factory: Callable[[], App], portfolio: Any
) -> None:
    product, loans, arrivals, days = portfolio
    app = app_factory()
    products.load_products(app.uow_factory, {"p": product}, NOW)
    assert importing.import_loans(app.uow_factory, rows(loans), NOW).clean
    post(app, arrivals, -1)
    for index in range(days):
        day = FIRST_DAY + timedelta(days=index)
        post(app, arrivals, index)
        run_cycle(app.uow_factory, day, lambda: NOW)
        assert check_status(app.uow_factory, day) == [], f"on {day}"
    assert ledger_check.check_ledger(app.uow_factory) == []


def test_new_rules_for_a_product_rebuild_its_loans_from_their_start(
    app_factory: Callable[[], App],
) -> None:
    # Given a loan 40 days late, cycled for ten days under the default rules
    app = app_factory()
    loan = LoanRecord("L1", "B1", "CNY", 1_200_000, Decimal("12"), 3, date(2026, 1, 20),
                      RepaymentMethod.EQUAL_INSTALLMENT, Rounding.HALF_UP, product="p")  # fmt: skip
    assert importing.import_loans(app.uow_factory, rows([loan]), NOW).clean
    for index in range(10):
        run_cycle(app.uow_factory, FIRST_DAY + timedelta(days=index), lambda: NOW)
    # When the product gets a late fee and a grace period
    products.load_products(
        app.uow_factory, {"p": ProductModel(grace_days=2, late_fee_minor=5000)}, NOW
    )
    run_cycle(app.uow_factory, FIRST_DAY + timedelta(days=10), lambda: NOW)
    # Then the loan is rebuilt under the new rules: the fee is there, the journal agrees
    assert check_status(app.uow_factory) == []
    assert ledger_check.check_ledger(app.uow_factory) == []
    with app.uow() as uow:
        statuses, _ = uow.cycle.stored_status(["L1"])
    assert statuses["L1"].fees_charged_minor == 5000
