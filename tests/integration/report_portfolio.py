"""A small portfolio for the portfolio and activity reports, made through the real services
with the daily cycle run every day from 1 March to 31 May 2026 (tests/integration/
test_portfolio_reports.py works every figure by hand).

Product ``flat``: no grace, a late fee of 50.00 the day after the due date, 罚息 at 36.5 %
a year on overdue principal (1.00 a day on 1,000.00), the default buckets (M0 current,
M1 1–30, M2 31–60, M3 61–90, M4 91–120). Every loan lends 1,000.00 at 0 % for one month:
one instalment of 1,000.00 a month after the start, so a loan n days past due owes
1,000.00 + n × 1.00 + 50.00.

    loan  cur  start   due     arm         what happens
    L1    CNY  1 Feb   1 Mar   champion    M1 from 2 Mar; promise on 3 Mar; pays 1,100.00 on 20 Mar
    L2    CNY  1 Feb   1 Mar   challenger  never pays: M1 2 Mar, M2 1 Apr, M3 1 May, M4 31 May
    L3    CNY  15 Mar  15 Apr  champion    M1 from 16 Apr; pays 1,100.00 on 10 May
    L4    USD  15 Feb  15 Mar  challenger  never pays: M1 16 Mar, M2 15 Apr, M3 15 May; a
                                           promise made 17 Mar is broken
    L5    CNY  1 Apr   1 May   champion    pays 1,000.00 on its due date
    L6    CNY  10 Apr  10 May  challenger  unpaid: M1 from 11 May
    L7    CNY  1 May   1 Jun   champion    not yet due

The strategy ``firm`` (champion) calls at DPD 1 and writes at DPD 5; its challenger
``gentle`` (30 % of loans: arm slots below 3,000 — L2 1508, L4 182, L6 1915) calls at
DPD 3 instead. The gate denies every call (rule ``test.no_calls``) and permits letters.
An open promise pauses the treatment of its loan.

Contact attempts (agents' calls, and one text message):
    3 Mar 10:00  li.na     L1 call promise_to_pay    (promise: 1,100.00 by 20 Mar, kept)
    3 Mar 11:00  li.na     L2 call no_answer
    5 Mar 10:00  li.na     L2 call reached
    15 Mar 10:00 li.na     L1 call callback
    17 Mar 09:00 wang.wei  L4 call promise_to_pay    (promise: 500.00 by 25 Mar, broken)
    17 Apr 09:00 wang.wei  L3 call no_answer
    20 Apr 09:00 li.na     L2 call no_answer
    5 May 09:00  wang.wei  L3 call reached
    12 May 09:00 (none)    L6 sms delivered
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.adapters.product_files import parse_products
from arrears.domain.contacts import AttemptRecord, Channel, Outcome
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import contacts, payments, products, promises, strategies
from arrears.services.cycle import CycleOptions, run_cycle
from arrears.settings import load_settings
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv
from tests.integration.test_cycle_actions import DenyCalls
from tests.support.databases import module_database

FIRST_DAY = date(2026, 3, 1)
LAST_DAY = date(2026, 5, 31)
D = date
PRODUCTS = """
[products.flat]
late_fee_minor = 5000
penalty_annual_rate_percent = "36.5"
"""
LOANS = [  # loan, currency, start
    ("L1", "CNY", "2026-02-01"),
    ("L2", "CNY", "2026-02-01"),
    ("L3", "CNY", "2026-03-15"),
    ("L4", "USD", "2026-02-15"),
    ("L5", "CNY", "2026-04-01"),
    ("L6", "CNY", "2026-04-10"),
    ("L7", "CNY", "2026-05-01"),
]
CHAMPION = """
name: firm
challenger: {strategy: gentle, share_percent: "30"}
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {day: 1, action: call, priority: 50}
      - {day: 5, action: letter, template: demand_letter, priority: 30}
"""
CHALLENGER = (
    CHAMPION.replace("name: firm", "name: gentle")
    .replace('challenger: {strategy: gentle, share_percent: "30"}\n', "")
    .replace("{day: 1, action: call", "{day: 3, action: call")
)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


ATTEMPTS = [  # when, agent, loan, channel, outcome
    (_at(D(2026, 3, 3), 10), "li.na", "L1", Channel.CALL, Outcome.PROMISE_TO_PAY),
    (_at(D(2026, 3, 3), 11), "li.na", "L2", Channel.CALL, Outcome.NO_ANSWER),
    (_at(D(2026, 3, 5), 10), "li.na", "L2", Channel.CALL, Outcome.REACHED),
    (_at(D(2026, 3, 15), 10), "li.na", "L1", Channel.CALL, Outcome.CALLBACK),
    (_at(D(2026, 3, 17), 9), "wang.wei", "L4", Channel.CALL, Outcome.PROMISE_TO_PAY),
    (_at(D(2026, 4, 17), 9), "wang.wei", "L3", Channel.CALL, Outcome.NO_ANSWER),
    (_at(D(2026, 4, 20), 9), "li.na", "L2", Channel.CALL, Outcome.NO_ANSWER),
    (_at(D(2026, 5, 5), 9), "wang.wei", "L3", Channel.CALL, Outcome.REACHED),
    (_at(D(2026, 5, 12), 9), None, "L6", Channel.SMS, Outcome.DELIVERED),
]
PROMISES = {  # made on: loan, amount, due
    D(2026, 3, 3): ("L1", "1100.00", D(2026, 3, 20)),
    D(2026, 3, 17): ("L4", "500.00", D(2026, 3, 25)),
}
PAYMENTS = {D(2026, 3, 20): ("L1", "1100.00"), D(2026, 5, 10): ("L3", "1100.00"),
            D(2026, 5, 1): ("L5", "1000.00")}  # fmt: skip


def build(app: App, folder: Path) -> None:
    models, findings = parse_products(PRODUCTS)
    assert findings == []
    products.load_products(app.uow_factory, models, NOW)
    strategies.load_strategy(app.uow_factory, CHALLENGER, "tester", NOW)
    strategies.load_strategy(app.uow_factory, CHAMPION, "tester", NOW, activate=True)
    rows = [
        f"{loan},B{loan},{currency},1000,0,1,{start},equal_principal,half_up,flat,N"
        for loan, currency, start in LOANS
    ]
    report = import_loans_file(app, write_csv(folder / "loans.csv", LOANS_HEADER, *rows))
    assert (report.written, report.findings) == (len(LOANS), [])
    day = FIRST_DAY
    while day <= LAST_DAY:
        _happen(app, day)
        run_cycle(app.uow_factory, day, lambda: NOW, options=CycleOptions(gate=DenyCalls()))
        day += timedelta(days=1)


def _happen(app: App, day: date) -> None:
    """What happens during ``day``, before its cycle runs at its end."""
    for at, agent, loan_id, channel, outcome in ATTEMPTS:
        if at.date() == day:
            record = AttemptRecord(f"B{loan_id}", channel, outcome, at, loan_id=loan_id,
                                   agent=agent)  # fmt: skip
            contacts.record_attempt(app.uow_factory, record, NOW)
    if day in PROMISES:
        loan_id, amount, due = PROMISES[day]
        promises.add_promise(app.uow_factory, loan_id, Decimal(amount), due, day, NOW)
    if day in PAYMENTS:
        loan_id, amount = PAYMENTS[day]
        payment = PaymentRecord(f"P-{loan_id}", loan_id, day, Decimal(amount))
        payments.post_payment(app.uow_factory, payment, NOW)


@contextmanager
def built(
    name: str, template: str, tmp_path_factory: pytest.TempPathFactory, config: pytest.Config
) -> Iterator[App]:
    """The portfolio in a database of its own called ``name``, for a module's tests that
    only read it (92 cycle days take a few seconds)."""
    with module_database(name, template, tmp_path_factory, config) as url:
        app = App(load_settings(url))
        build(app, tmp_path_factory.mktemp(name))
        yield app
        app.engine.dispose()
