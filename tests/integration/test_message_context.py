"""Message contexts read for many loans at once from the cycle's stored status agree with the
per-loan reference, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from arrears.domain.message_text import Sender
from arrears.domain.money import Money, Rounding
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import RepaymentMethod
from arrears.entrypoints.bootstrap import App
from arrears.services import compliance, importing, promises, queries, strategies
from arrears.services.cycle import run_cycle
from arrears.services.message_context import read_contexts
from tests.integration.test_cycle_differential import rows

NOW = datetime(2026, 1, 5, tzinfo=UTC)
DAY = date(2026, 2, 20)
SENDER = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")


def loan(loan_id: str, start: date, currency: str = "CNY", **extra: object) -> LoanRecord:
    return LoanRecord(loan_id, f"B{loan_id}", currency, 600_000, Decimal("12"), 6, start,
                      RepaymentMethod.EQUAL_INSTALLMENT, Rounding.HALF_UP, **extra)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
def cycled(app: App) -> App:
    """L1 late since 2026-02-10; L2 (US) due 2026-02-25; L4 due on the status day."""
    strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    compliance.load_shipped_packs(
        app.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    compliance.activate_pack(app.uow_factory, "us-regf", "us", NOW)
    records = [
        loan("L1", date(2026, 1, 10), borrower_name="王芳", language="zh-CN"),
        loan("L2", date(2026, 1, 25), "USD", product="us", borrower_name="Ann Lee"),
        loan("L4", date(2026, 1, 20), borrower_name="李伟", language="en"),
    ]
    assert importing.import_loans(app.uow_factory, rows(records), NOW).clean
    run_cycle(app.uow_factory, DAY, lambda: NOW, catch_up=True)
    later = [loan("L3", date(2026, 2, 1))]  # imported after the cycle: no status yet
    assert importing.import_loans(app.uow_factory, rows(later), NOW).clean
    promises.add_promise(app.uow_factory, "L1", Decimal("100.00"), date(2026, 2, 25), DAY, NOW)
    return app


def test_contexts_agree_with_the_reference_and_skip_loans_without_status(cycled: App) -> None:
    with cycled.uow() as uow:
        contexts = read_contexts(uow, ["L1", "L2", "L3", "L4", "NOPE"], DAY, SENDER)
    assert sorted(contexts) == ["L1", "L2", "L4"]
    late = contexts["L1"]
    state = queries.loan_status(cycled.uow_factory, "L1", DAY)
    assert late.overdue == Money(state.total_overdue_minor, "CNY") and late.overdue.minor > 0
    assert (late.days_past_due, late.bucket) == (state.dpd, state.bucket)
    assert late.oldest_due_date == state.oldest_unpaid_due_date == date(2026, 2, 10)
    upcoming = next(i for i in state.installments if i.due_date > DAY)
    assert late.next_due_date == upcoming.due_date
    assert late.next_due_amount == Money(sum(upcoming.owed.values()), "CNY")
    assert (late.promise_amount, late.promise_date) == (Money(10_000, "CNY"), date(2026, 2, 25))
    assert (late.language, late.lender_name, late.borrower_name) == (
        "zh-CN",
        "示例消费金融",
        "王芳",
    )
    assert not late.debt_collector


def test_an_installment_due_on_the_status_day_is_the_next_due(cycled: App) -> None:
    with cycled.uow() as uow:
        today = read_contexts(uow, ["L4"], DAY, SENDER)["L4"]
    state = queries.loan_status(cycled.uow_factory, "L4", DAY)
    due_today = next(i for i in state.installments if i.due_date == DAY)
    assert today.next_due_date == DAY
    assert today.next_due_amount == Money(sum(due_today.owed.values()), "CNY")
    assert today.overdue == Money(0, "CNY")
    assert (today.language, today.lender_name) == ("en", "Arrears Demo Finance")


def test_a_product_under_reg_f_gets_the_disclosure_and_its_default_language(cycled: App) -> None:
    with cycled.uow() as uow:
        us = read_contexts(uow, ["L2"], DAY, SENDER)["L2"]
    assert us.debt_collector
    assert (us.language, us.currency, us.lender_name) == ("en", "USD", "Arrears Demo Finance")
    with cycled.uow() as uow:
        chosen = read_contexts(uow, ["L2"], DAY, SENDER, languages={"L2": "zh-CN"})["L2"]
    assert (chosen.language, chosen.lender_name) == ("zh-CN", "示例消费金融")


def test_many_loans_are_read_in_three_statements(cycled: App) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with cycled.uow() as uow:
        rules = compliance.rules_by_product(uow)
        event.listen(cycled.engine, "before_cursor_execute", count)
        try:
            read_contexts(uow, ["L1", "L2", "L3", "L4"], DAY, SENDER, rules=rules)
        finally:
            event.remove(cycled.engine, "before_cursor_execute", count)
    # the open promises, the arrangements' next instalments, then the rest in one join
    assert len(statements) == 3
