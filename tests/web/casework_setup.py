"""Field visits and legal cases to work, made the real way: three borrowers' loans with
addresses, a strategy that sends every late loan to a visit and to legal review, the
daily cycle run on a day they are late (the gate permits, the outbox opens the items),
a payment, a promise and a demand letter printed and stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import text

from arrears.adapters.letters import render_letter
from arrears.domain.message_text import Sender
from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.web.app import create_app
from arrears.services import accounts, letters, promises, strategies
from arrears.services.cycle import run_cycle
from tests.helpers import NOW, PAYMENTS_HEADER, import_loans_file, import_payments_file, write_csv
from tests.web.conftest import PASSWORD

DAY = date(2026, 3, 20)  # L1 and L3 are 33 days late, L2 19 days
HEADER = (
    "loan_id,borrower_id,currency,principal,annual_rate,term_months,start_date,"
    "repayment_method,rounding,borrower_name,phone,timezone,address"
)
STRATEGY = """
name: casework-test
description: every late loan is visited and reviewed by the legal officer
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1, every: 1}, action: field_visit, priority: 70}
      - {days: {from: 1, every: 1}, action: legal_review, priority: 60}
"""
SENDER = Sender("Arrears Demo Finance", "示例消费金融", "400-800-0000", "https://pay.example")


def referred(app: App, tmp_path: Path, users: tuple[str, ...]) -> FastAPI:
    """The web app over the book; ``users`` are made (a staff name is its role, ``2`` a
    second person of the role), few: each password costs its hashing time."""
    loans = write_csv(
        tmp_path / "loans.csv", HEADER,
        "L1,B1,CNY,12000.00,14.6,12,2026-01-15,equal_installment,half_up,李伟,+8613812345678,"
        "Asia/Shanghai,浦东新区世纪大道100号 1201室 | 上海市 200120",
        "L2,B2,CNY,6000.00,14.6,6,2026-02-01,equal_installment,half_up,王芳,+8613987654321,"
        "Asia/Shanghai,朝阳区建国路88号 | 北京市 100022",
        "L3,B3,CNY,3000.00,14.6,6,2026-01-15,equal_installment,half_up,张强,+8613700000000,"
        "Asia/Shanghai,徐汇区漕溪北路1号 | 上海市 200120",
    )  # fmt: skip
    assert import_loans_file(app, loans).clean
    payments = write_csv(tmp_path / "payments.csv", PAYMENTS_HEADER, "P1,L1,2026-03-01,123.45")
    assert import_payments_file(app, payments).clean
    strategies.load_strategy(app.uow_factory, STRATEGY, "tester", NOW, activate=True)
    run_cycle(app.uow_factory, DAY, lambda: NOW)
    promises.add_promise(app.uow_factory, "L1", Decimal("500.00"), DAY, DAY, NOW, promise_id="PTP1")
    with app.uow() as uow:
        letters.print_letter(
            uow, message_id="m:demand:L1", loan_id="L1", kind="demand_letter", language="zh-CN",
            as_of=DAY, now=NOW, sender=SENDER, render=render_letter,
        )  # fmt: skip
        uow.commit()
    for name in users:
        accounts.add_user(app.uow_factory, name, name.rstrip("2"), PASSWORD, NOW)
    return create_app(app)


def item_of(app: App, queue: str, loan_id: str) -> int:
    """The id of the item the cycle opened (ids differ by store: PostgreSQL's sequences
    go on across tests)."""
    with app.engine.connect() as connection:
        found = connection.execute(
            text("SELECT work_item_id FROM work_item WHERE queue = :q AND loan_id = :l"),
            {"q": queue, "l": loan_id},
        )
        return int(found.scalar_one())
