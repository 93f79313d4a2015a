"""The arrangements report on a small portfolio made through the real services, with the
daily cycle run day by day from 1 April to 15 June 2026; every figure worked by hand.

The products (no grace, a late fee of 50.00 the day after a due date, 罚息 at 36.5 % a
year on overdue principal, ACT/365: 1.00 a day on 1,000.00):
    flat:  the default buckets (M0 current, M1 1–30, M2 31–60, M3 61–90, ...);
    promo: its own buckets — current 0, early 1–15, late 16–89, default 90+ — so that
           "current" is the product's bucket of DPD 0, not M0.
Every loan lends 1,000.00 at 0 % for one month (equal principal): one instalment of
1,000.00, due a month after the start. A loan due on 15 March owes, on 1 April, 1,000.00
+ 17.00 of 罚息 (16 March – 1 April, 17 days) + 50.00 fee = 1,067.00, DPD 17.

    loan  cur  product  due     arrangement (quoted 1 April unless said)        outcome
    L1    CNY  flat     15 Mar  A1 plan: 2 × 525.00 (8 Apr, 8 May), 罚息 waived  both paid: kept 8 May
    L2    CNY  flat     15 Mar  A2 the same plan                                 525.00 paid, then broken 9 May
    L3    CNY  promo    15 Mar  A3 settlement of 800.00 on 8 Apr                 paid: kept 8 Apr
    L4    CNY  flat     15 Mar  A4 extension of 30 days (to 14 Apr), fee 20.00   1,087.00 paid: kept 14 Apr
    L5    CNY  flat     15 Feb  A5 plan: 2 × 547.50 (8 Apr, 8 May), no waiver   cancelled 5 Apr
    L6    CNY  flat     15 Mar  A6 plan of 7 instalments (the policy allows 6)   rejected 2 Apr
    L7    CNY  flat     15 Mar  A7 the same                                      withdrawn (cancelled pending) 3 Apr
    L8    CNY  flat     15 Mar  A8 the same                                      still pending
    L9    CNY  flat     15 Apr  A9 plan quoted 1 Jun: 2 × 525.00 (20 Jun, 20 Jul) active
    L10   USD  flat     15 Mar  A10 settlement of 900.00 on 8 Apr                paid: kept 8 Apr
    L11   CNY  flat     15 Mar  A11 hardship pause of 50 days                    kept when it ends, 21 May

Buckets when quoted: on 1 April, due 15 March: DPD 17, M1 (late, in promo); L5, due
15 February: DPD 45, M2; L9 on 1 June, due 15 April: DPD 47, M2.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.adapters.product_files import parse_products
from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies, arrangements, payments, products
from arrears.services.cycle import run_cycle
from arrears.services.errors import InvalidInput
from arrears.services.ledger_check import check_ledger
from arrears.services.reports import (
    ArrangementsReport,
    CureLine,
    MadeLine,
    MoneyLine,
    arrangements_report,
)
from arrears.settings import load_settings
from tests.helpers import LOANS_HEADER, NOW, import_loans_file, write_csv
from tests.support.databases import module_database

FIRST_DAY = date(2026, 4, 1)
LAST_DAY = date(2026, 6, 15)
PRODUCTS = """
[products.flat]
late_fee_minor = 5000
penalty_annual_rate_percent = "36.5"
[products.promo]
late_fee_minor = 5000
penalty_annual_rate_percent = "36.5"
buckets = [
  { label = "current", min_dpd = 0, max_dpd = 0 },
  { label = "early", min_dpd = 1, max_dpd = 15 },
  { label = "late", min_dpd = 16, max_dpd = 89 },
  { label = "default", min_dpd = 90 },
]
"""
POLICY = """
name: report-test
kinds:
  extension: {max_days: 60}
  plan: {max_instalments: 6, max_days: 180, max_penalty_waiver_percent: "100"}
  settlement: {max_instalments: 2, max_penalty_waiver_percent: "100", max_discount_percent_by_bucket: {M1: "50", late: "50"}}
  pause: {max_days: 60}
"""
LOANS = [  # loan, currency, start, product
    ("L1", "CNY", "2026-02-15", "flat"),
    ("L2", "CNY", "2026-02-15", "flat"),
    ("L3", "CNY", "2026-02-15", "promo"),
    ("L4", "CNY", "2026-02-15", "flat"),
    ("L5", "CNY", "2026-01-15", "flat"),
    ("L6", "CNY", "2026-02-15", "flat"),
    ("L7", "CNY", "2026-02-15", "flat"),
    ("L8", "CNY", "2026-02-15", "flat"),
    ("L9", "CNY", "2026-03-15", "flat"),
    ("L10", "USD", "2026-02-15", "flat"),
    ("L11", "CNY", "2026-02-15", "flat"),
]
PLAN = ArrangementRequest(
    instalments=2, first_date=date(2026, 4, 8), every_days=30,
    waive_penalty_percent=Decimal("100"),
)  # fmt: skip
LONG_PLAN = ArrangementRequest(instalments=7, first_date=date(2026, 4, 8), every_days=14)
D = date


def _settle(amount: str) -> ArrangementRequest:
    return ArrangementRequest(
        amount_major=Decimal(amount), instalments=1, first_date=date(2026, 4, 8)
    )


# What happens before each day's cycle runs (arrangements are made, decided and paid
# during the day; the cycle runs at its end).
EVENTS: dict[date, list[tuple[str, ...]]] = {
    D(2026, 4, 1): [("make", "A1", "L1", "plan"), ("make", "A2", "L2", "plan"),
                    ("make", "A3", "L3", "settle 800"), ("make", "A4", "L4", "extension"),
                    ("make", "A5", "L5", "plan no waiver"), ("make", "A6", "L6", "long plan"),
                    ("make", "A7", "L7", "long plan"), ("make", "A8", "L8", "long plan"),
                    ("make", "A10", "L10", "settle 900"), ("make", "A11", "L11", "pause")],
    D(2026, 4, 2): [("reject", "A6")],
    D(2026, 4, 3): [("cancel", "A7")],
    D(2026, 4, 5): [("cancel", "A5")],
    D(2026, 4, 8): [("pay", "L1", "525.00"), ("pay", "L2", "525.00"), ("pay", "L3", "800.00"),
                    ("pay", "L10", "900.00")],
    D(2026, 4, 14): [("pay", "L4", "1087.00")],
    D(2026, 5, 8): [("pay", "L1", "525.00")],
    D(2026, 6, 1): [("make", "A9", "L9", "plan 20 June")],
}  # fmt: skip
REQUESTS = {
    "plan": ("plan", PLAN),
    "plan no waiver": ("plan", ArrangementRequest(instalments=2, first_date=D(2026, 4, 8),
                                                  every_days=30)),
    "long plan": ("plan", LONG_PLAN),
    "settle 800": ("settlement", _settle("800.00")),
    "settle 900": ("settlement", _settle("900.00")),
    "extension": ("extension", ArrangementRequest(days=30, fee_major=Decimal("20.00"))),
    "pause": ("pause", ArrangementRequest(days=50)),
    "plan 20 June": ("plan", ArrangementRequest(
        instalments=2, first_date=D(2026, 6, 20), every_days=30,
        waive_penalty_percent=Decimal("100"))),
}  # fmt: skip


def _happen(app: App, day: date, event: tuple[str, ...]) -> None:
    what, *args = event
    if what == "make":
        arrangement_id, loan_id, request = args
        kind, asked = REQUESTS[request]
        arrangements.create_arrangement(
            app.uow_factory, loan_id, kind, asked, day, NOW, arrangement_id=arrangement_id
        )
    elif what == "reject":
        arrangements.reject_arrangement(app.uow_factory, args[0], "zhao.min", day, NOW)
    elif what == "cancel":
        assert arrangements.cancel_arrangement(app.uow_factory, args[0], day, NOW)
    else:
        loan_id, amount = args
        payment = PaymentRecord(f"P-{loan_id}-{day}", loan_id, day, Decimal(amount))
        payments.post_payment(app.uow_factory, payment, NOW)


@pytest.fixture(scope="module")
def portfolio(
    _template: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[App]:
    """The portfolio, built once for the tests that only read it, in a database of its
    own (the cycle's 76 days take a while)."""
    with module_database("report", _template, tmp_path_factory, pytestconfig) as url:
        app = App(load_settings(url))
        _build(app, tmp_path_factory.mktemp("report"))
        yield app
        app.engine.dispose()


def _build(app: App, folder: Path) -> None:
    models, findings = parse_products(PRODUCTS)
    assert findings == []
    products.load_products(app.uow_factory, models, NOW)
    rows = [
        f"{loan},B{loan},{currency},1000,0,1,{start},equal_principal,half_up,{product},N"
        for loan, currency, start, product in LOANS
    ]
    report = import_loans_file(app, write_csv(folder / "loans.csv", LOANS_HEADER, *rows))
    assert (report.written, report.findings) == (len(LOANS), [])
    arrangement_policies.load_text(app.uow_factory, POLICY, "test", NOW, ["*"])
    day = FIRST_DAY
    while day <= LAST_DAY:
        for event in EVENTS.get(day, []):
            _happen(app, day, event)
        run_cycle(app.uow_factory, day, lambda: NOW)
        day += timedelta(days=1)
    assert check_ledger(app.uow_factory) == []
    with app.uow() as uow:
        assert uow.ledger.unbalanced_entries() == []


def _report(app: App, first: date | None = None, last: date | None = None) -> ArrangementsReport:
    return arrangements_report(app.uow_factory, first, last)


def test_the_portfolio_is_what_the_report_counts(portfolio: App) -> None:
    # the outcomes the report is built from, as the services and the cycle recorded them
    listed = arrangements.list_arrangements(portfolio.uow_factory)
    assert [
        (r.arrangement_id, r.kind, r.bucket, r.status, r.starts_on, r.ends_on, r.total_minor,
         r.paid_minor)
        for r in sorted(listed, key=lambda r: int(r.arrangement_id[1:]))
    ] == [
        ("A1", "plan", "M1", "kept", D(2026, 4, 1), D(2026, 5, 8), 105000, 105000),
        ("A2", "plan", "M1", "broken", D(2026, 4, 1), D(2026, 5, 9), 105000, 52500),
        ("A3", "settlement", "late", "kept", D(2026, 4, 1), D(2026, 4, 8), 80000, 80000),
        # the instalment carried whole (1,067.00) and the fee
        ("A4", "extension", "M1", "kept", D(2026, 4, 1), D(2026, 4, 14), 108700, 108700),
        # 1,000.00 + 罚息 of 16 Feb – 1 Apr (45 days) + 50.00, nothing waived
        ("A5", "plan", "M2", "cancelled", D(2026, 4, 1), D(2026, 4, 5), 109500, 0),
        ("A6", "plan", "M1", "rejected", None, D(2026, 4, 2), 106700, 0),
        ("A7", "plan", "M1", "cancelled", None, D(2026, 4, 3), 106700, 0),
        ("A8", "plan", "M1", "pending", None, None, 106700, 0),
        # 1,000.00 + 罚息 of 16 Apr – 1 Jun (47 days, waived) + 50.00
        ("A9", "plan", "M2", "active", D(2026, 6, 1), None, 105000, 0),
        ("A10", "settlement", "M1", "kept", D(2026, 4, 1), D(2026, 4, 8), 90000, 90000),
        ("A11", "pause", "M1", "kept", D(2026, 4, 1), D(2026, 5, 21), 0, 0),
    ]  # fmt: skip
    # and the journal entries the money table nets: A2's waiver reversed when it broke
    with portfolio.uow() as uow:
        entries = uow.ledger.connection.execute(
            text(
                "SELECT e.source, e.kind, p.amount_minor FROM journal_entry e"
                " JOIN journal_posting p ON p.loan_id = e.loan_id AND p.entry_seq = e.entry_seq"
                " WHERE e.source LIKE 'arrangement:%' AND p.account IN ('waived', 'fee_income')"
                " ORDER BY e.loan_id, e.entry_seq"
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        ("arrangement:A1:waiver", "waiver", 1700),
        ("arrangement:A10:settled", "waiver", 16700),
        ("arrangement:A2:waiver", "waiver", 1700),
        ("arrangement:A2:waiver", "reversal", -1700),
        ("arrangement:A3:settled", "waiver", 26700),
        ("arrangement:A4:fee", "fee", -2000),
        ("arrangement:A9:waiver", "waiver", 4700),
    ]  # by loan (L1, L10, L2, ...), each loan's in the order posted


def test_made_kept_and_broken_are_counted_by_kind_and_bucket_when_quoted(
    portfolio: App,
) -> None:
    report = _report(portfolio)
    # made = active + kept + broken + cancelled (after taking effect); A6 rejected, A7
    # withdrawn and A8 pending never took effect. Kept rate = kept / (kept + broken):
    # plan M1 1 / 2 = 50.0; plan M2 none ended kept or broken (A5 was cancelled): blank;
    # total 5 / 6 = 83.33… → 83.3.
    assert report.made == (
        MadeLine("extension", "M1", 1, 0, 1, 0, 0, 0, 0, 0, Decimal("100.0")),  # A4
        MadeLine("plan", "M1", 2, 0, 1, 1, 0, 1, 1, 1, Decimal("50.0")),  # A1 A2 | A8 A7 A6
        MadeLine("plan", "M2", 2, 1, 0, 0, 1, 0, 0, 0, None),  # A9 active, A5 cancelled
        MadeLine("settlement", "M1", 1, 0, 1, 0, 0, 0, 0, 0, Decimal("100.0")),  # A10
        MadeLine("settlement", "late", 1, 0, 1, 0, 0, 0, 0, 0, Decimal("100.0")),  # A3
        MadeLine("pause", "M1", 1, 0, 1, 0, 0, 0, 0, 0, Decimal("100.0")),  # A11
        MadeLine("total", None, 8, 1, 5, 1, 1, 1, 1, 1, Decimal("83.3")),
    )


def test_money_is_what_was_asked_paid_waived_and_charged_per_currency(portfolio: App) -> None:
    report = _report(portfolio)
    assert report.money == (
        # A4: 1,087.00 asked and paid; its fee of 20.00 stands (fee income in the journal)
        MoneyLine("extension", "CNY", 1, 108700, 108700, 0, 2000),
        # A1 1,050.00 + A2 1,050.00 + A5 1,095.00 + A9 1,050.00 = 4,245.00 asked;
        # A1 1,050.00 + A2 525.00 paid = 1,575.00; waived: A1's 17.00 stands, A2's 17.00
        # was reversed when it broke (nets to 0), A5 waived nothing, A9's 47.00 was
        # posted when it took effect on 1 June: 64.00
        MoneyLine("plan", "CNY", 4, 424500, 157500, 6400, 0),
        # A3: 800.00 paid; the rest of the 1,067.00 owed, 267.00, waived when paid
        MoneyLine("settlement", "CNY", 1, 80000, 80000, 26700, 0),
        MoneyLine("pause", "CNY", 1, 0, 0, 0, 0),  # A11 asks for nothing
        MoneyLine("total", "CNY", 7, 613200, 346200, 33100, 2000),
        # A10: 900.00 paid of 1,067.00 owed: 167.00 waived
        MoneyLine("settlement", "USD", 1, 90000, 90000, 16700, 0),
        MoneyLine("total", "USD", 1, 90000, 90000, 16700, 0),
    )


def test_the_cure_rate_counts_loans_current_30_days_after_the_end(portfolio: App) -> None:
    report = _report(portfolio)
    # the last cycle day is 15 June: arrangements that ended by 16 May count. A11 (kept
    # 21 May) is too recent; A6, A7 never took effect; A8, A9 have not ended.
    assert (report.last_cycle_day, report.ended_by) == (LAST_DAY, D(2026, 5, 16))
    assert report.cure == (
        # A4 kept 14 Apr, paid off: current on 14 May
        CureLine("extension", 1, 1, Decimal("100.0")),
        # A1 kept 8 May, paid off: current (M0) on 7 June. A2 broken 9 May: on 8 June
        # 85 days past 15 March, M3. A5 cancelled 5 Apr: on 5 May 79 days past
        # 15 February, M3. 1 / 3 = 33.33… → 33.3
        CureLine("plan", 3, 1, Decimal("33.3")),
        # A3 kept 8 Apr: on 8 May "current", promo's bucket of DPD 0; A10 kept 8 Apr: M0
        CureLine("settlement", 2, 2, Decimal("100.0")),
        CureLine("total", 6, 4, Decimal("66.7")),  # 4 / 6 = 66.66… → 66.7
    )


def test_the_period_takes_the_arrangements_quoted_in_it_both_ends_included(
    portfolio: App,
) -> None:
    # only A9 was quoted after 1 April
    june = _report(portfolio, D(2026, 6, 1), D(2026, 6, 1))
    assert june.made == (
        MadeLine("plan", "M2", 1, 1, 0, 0, 0, 0, 0, 0, None),
        MadeLine("total", None, 1, 1, 0, 0, 0, 0, 0, 0, None),
    )
    assert june.money == (
        MoneyLine("plan", "CNY", 1, 105000, 0, 4700, 0),
        MoneyLine("total", "CNY", 1, 105000, 0, 4700, 0),
    )
    assert june.cure == (CureLine("total", 0, 0, None),)
    # through 1 April: every other one; the plans' money without A9
    april = _report(portfolio, None, D(2026, 4, 1))
    assert april.made[-1] == MadeLine("total", None, 7, 0, 5, 1, 1, 1, 1, 1, Decimal("83.3"))
    assert april.money[1] == MoneyLine("plan", "CNY", 3, 319500, 157500, 1700, 0)
    assert april.cure[-1] == CureLine("total", 6, 4, Decimal("66.7"))
    assert _report(portfolio, D(2026, 6, 2)).made == (
        MadeLine("total", None, 0, 0, 0, 0, 0, 0, 0, 0, None),
    )


def test_a_period_that_ends_before_it_starts_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput, match="the period starts on 2026-05-01, after its end"):
        _report(app, D(2026, 5, 1), D(2026, 4, 30))


def test_before_any_cycle_there_is_no_cure_line_but_the_counts(app: App) -> None:
    report = _report(app)
    assert (report.last_cycle_day, report.ended_by) == (None, None)
    assert report.cure == (CureLine("total", 0, 0, None),)
    assert report.money == ()
