"""The portfolio reports (aging and bucket mix, roll rates, cure, recovery, vintage) and the
activity reports (arms, agents, intensity, denials) on the portfolio of
tests/integration/report_portfolio.py; every figure worked by hand.

Buckets of each loan over the cycle's days (bucket on a day: at its end):
    L1  M0 1 Mar; M1 2–19 Mar; M0 from 20 Mar (paid off)
    L2  M0 1 Mar; M1 2–31 Mar; M2 1–30 Apr; M3 1–30 May; M4 31 May (DPD 91)
    L3  M0 to 15 Apr; M1 16 Apr – 9 May; M0 from 10 May (paid off)
    L4  M0 to 15 Mar; M1 16 Mar – 14 Apr; M2 15 Apr – 14 May; M3 from 15 May (DPD 77 on 31 May)
    L5  M0 (paid on its due date); L6 M0 to 10 May, M1 from 11 May (DPD 21); L7 M0

Arms (challenger: slots below 3,000): champion L1 L3 L5 L7 (CNY); challenger L2 L6
(CNY), L4 (USD). Actions the cycle planned (an open promise pauses a loan): champion
calls at DPD 1 — L1 2 Mar, L3 16 Apr; challenger calls at DPD 3 — L2 4 Mar, L6 13 May
(L4's, 18 Mar, fell under its promise); letters at DPD 5 — L2 6 Mar, L3 20 Apr, L6
15 May (L1's and L4's fell under their promises). Calls are denied: 4 of 7 decisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from arrears.entrypoints.bootstrap import App
from arrears.services.errors import InvalidInput
from arrears.services.report_figures import Period
from arrears.services.reports_activity import (
    AgentLine,
    ArmLine,
    CollectedLine,
    DenialLine,
    IntensityLine,
    agents_report,
    arms_report,
    denials_report,
    intensity_report,
)
from arrears.services.reports_cohorts import (
    RecoveryLine,
    VintageLine,
    recovery_report,
    vintage_report,
)
from arrears.services.reports_portfolio import (
    AgingLine,
    CureLine,
    RollLine,
    aging_report,
    cure_report,
    roll_rates_report,
)
from tests.integration import report_portfolio

D = date
P = Decimal


@pytest.fixture(scope="module")
def portfolio(
    _template: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[App]:
    with report_portfolio.built(
        "portfolio_reports", _template, tmp_path_factory, pytestconfig
    ) as app:
        yield app


def test_aging_counts_open_loans_by_bucket_per_currency_on_the_last_cycle_day(
    portfolio: App,
) -> None:
    report = aging_report(portfolio.uow_factory, None, None)
    assert (report.last_cycle_day, report.period) == (
        D(2026, 5, 31),
        Period(D(2026, 3, 1), D(2026, 5, 31)),
    )
    # L1, L3 and L5 are paid off: not open. Overdue = 1,000.00 + DPD × 1.00 + 50.00.
    assert report.lines == (
        AgingLine("CNY", "M0", 1, P("33.3"), 0, 100000),  # L7, not yet due
        AgingLine("CNY", "M1", 1, P("33.3"), 107100, 100000),  # L6, DPD 21
        AgingLine("CNY", "M4", 1, P("33.3"), 114100, 100000),  # L2, DPD 91
        AgingLine("CNY", "total", 3, P("100.0"), 221200, 300000),
        AgingLine("USD", "M3", 1, P("100.0"), 112700, 100000),  # L4, DPD 77
        AgingLine("USD", "total", 1, P("100.0"), 112700, 100000),
    )


def test_the_bucket_mix_counts_every_loan_by_bucket_every_7th_day(portfolio: App) -> None:
    report = aging_report(portfolio.uow_factory, None, None)
    assert report.mix_days == tuple(D(2026, 3, 1) + (D(2026, 3, 8) - D(2026, 3, 1)) * n
                                    for n in range(14))  # fmt: skip
    assert report.mix_days[-1] == D(2026, 5, 31)
    #                1/3 8/3 15/3 22/3 29/3 5/4 12/4 19/4 26/4 3/5 10/5 17/5 24/5 31/5
    assert report.mix == {
        "M0": (7, 5, 5, 5, 5, 5, 5, 4, 4, 4, 5, 4, 4, 4),
        "M1": (0, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0, 1, 1, 1),  # L1 L2 | L2 L4 | L4 | L3 | L6
        "M2": (0, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1, 0, 0, 0),  # L2 from 1 Apr, L4 from 15 Apr
        "M3": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 1),  # L2 from 1 May, L4 from 15 May
        "M4": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),  # L2 on 31 May
    }


def test_roll_rates_are_month_over_month_with_the_share_of_each_row(portfolio: App) -> None:
    report = roll_rates_report(portfolio.uow_factory, None, None)
    mar, apr, may = (D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 3, 31), D(2026, 4, 30)), (D(2026, 4, 30), D(2026, 5, 31))  # fmt: skip
    assert report.lines == (
        RollLine(*mar, "M0", "M0", 5, 7, P("71.4")),  # 5 / 7
        RollLine(*mar, "M0", "M1", 2, 7, P("28.6")),  # L2, L4
        RollLine(*apr, "M0", "M0", 4, 5, P("80.0")),
        RollLine(*apr, "M0", "M1", 1, 5, P("20.0")),  # L3
        RollLine(*apr, "M1", "M2", 2, 2, P("100.0")),  # L2, L4
        RollLine(*may, "M0", "M0", 3, 4, P("75.0")),
        RollLine(*may, "M0", "M1", 1, 4, P("25.0")),  # L6
        RollLine(*may, "M1", "M0", 1, 1, P("100.0")),  # L3 cured
        RollLine(*may, "M2", "M3", 1, 2, P("50.0")),  # L4
        RollLine(*may, "M2", "M4", 1, 2, P("50.0")),  # L2
    )


def test_cure_counts_loans_delinquent_in_the_period_by_the_deepest_bucket_they_reached(
    portfolio: App,
) -> None:
    whole = cure_report(portfolio.uow_factory, None, None)
    # L1, L3 (cured), L6 reached M1; L4 M3; L2 M4. L5 and L7 were never delinquent.
    assert whole.lines == (
        CureLine("M1", 3, 2, P("66.7")),
        CureLine("M3", 1, 0, P("0.0")),
        CureLine("M4", 1, 0, P("0.0")),
        CureLine("total", 5, 2, P("40.0")),
    )
    # April: L2 (M1 before it, M2 in it), L4 (M1, then M2 from 15 Apr), L3 (M1 from
    # 16 Apr); L1 was current all April (cured 20 Mar) and is left out.
    april = cure_report(portfolio.uow_factory, D(2026, 4, 1), D(2026, 4, 30))
    assert april.lines == (
        CureLine("M1", 1, 0, P("0.0")),
        CureLine("M2", 2, 0, P("0.0")),
        CureLine("total", 3, 0, P("0.0")),
    )


def test_recovery_follows_cohorts_entering_a_bucket_by_month_as_far_as_observable(
    portfolio: App,
) -> None:
    report = recovery_report(portfolio.uow_factory, None, None)
    seen = [line for line in report.lines if line.recovered_minor is not None]
    assert seen == [
        # L1 and L2 entered M1 on 2 Mar owing 1,000.00 each; L1 paid 1,100.00 on 20 Mar.
        # March's last possible entry (31 Mar) + 60 days = 30 May: observable by 31 May.
        RecoveryLine("CNY", "M1", D(2026, 3, 1), 2, 200000, 30, 110000, P("55.0")),
        RecoveryLine("CNY", "M1", D(2026, 3, 1), 2, 200000, 60, 110000, P("55.0")),
        # L3 entered M1 on 16 Apr owing 1,000.00 and paid 1,100.00 on 10 May
        RecoveryLine("CNY", "M1", D(2026, 4, 1), 1, 100000, 30, 110000, P("110.0")),
        RecoveryLine("CNY", "M2", D(2026, 4, 1), 1, 100000, 30, 0, P("0.0")),  # L2
        RecoveryLine("USD", "M1", D(2026, 3, 1), 1, 100000, 30, 0, P("0.0")),  # L4
        RecoveryLine("USD", "M1", D(2026, 3, 1), 1, 100000, 60, 0, P("0.0")),
        RecoveryLine("USD", "M2", D(2026, 4, 1), 1, 100000, 30, 0, P("0.0")),
    ]
    cohorts = sorted({(r.currency, r.bucket, r.month, r.loans) for r in report.lines})
    assert cohorts == [
        ("CNY", "M1", D(2026, 3, 1), 2), ("CNY", "M1", D(2026, 4, 1), 1),
        ("CNY", "M1", D(2026, 5, 1), 1), ("CNY", "M2", D(2026, 4, 1), 1),
        ("CNY", "M3", D(2026, 5, 1), 1), ("CNY", "M4", D(2026, 5, 1), 1),
        ("USD", "M1", D(2026, 3, 1), 1), ("USD", "M2", D(2026, 4, 1), 1),
        ("USD", "M3", D(2026, 5, 1), 1),
    ]  # fmt: skip


def test_vintage_counts_loans_ever_over_30_60_90_days_past_due_by_months_on_book(
    portfolio: App,
) -> None:
    report = vintage_report(portfolio.uow_factory, None, None)
    # February: L1, L2 (1 Feb), L4 (15 Feb). By 1 Apr / 15 Apr (2 months) L2 and L4 were
    # 31 days past due; by 1 May / 15 May (3 months) 61. L7 (May) has no month on book.
    assert report.lines == (
        VintageLine(D(2026, 2, 1), 1, 3, 0, P("0.0"), 0, P("0.0"), 0, P("0.0")),
        VintageLine(D(2026, 2, 1), 2, 3, 2, P("66.7"), 0, P("0.0"), 0, P("0.0")),
        VintageLine(D(2026, 2, 1), 3, 3, 2, P("66.7"), 2, P("66.7"), 0, P("0.0")),
        VintageLine(D(2026, 3, 1), 1, 1, 0, P("0.0"), 0, P("0.0"), 0, P("0.0")),  # L3
        VintageLine(D(2026, 3, 1), 2, 1, 0, P("0.0"), 0, P("0.0"), 0, P("0.0")),
        VintageLine(D(2026, 4, 1), 1, 2, 0, P("0.0"), 0, P("0.0"), 0, P("0.0")),  # L5 L6
    )
    march = vintage_report(portfolio.uow_factory, D(2026, 3, 10), D(2026, 3, 31))
    assert [(v.month, v.months) for v in march.lines] == [(D(2026, 3, 1), 1), (D(2026, 3, 1), 2)]


def _channels(sms: int = 0, call: int = 0) -> dict[str, int]:
    return {"sms": sms, "email": 0, "call": call, "field_visit": 0, "letter": 0}


def test_arms_compare_loans_money_cure_contacts_and_promises_per_currency(
    portfolio: App,
) -> None:
    report = arms_report(portfolio.uow_factory, None, None)
    assert report.lines == (
        # recovered: L1 1,100.00 + L3 1,100.00 + L5 1,000.00; cured: L1, L3 of L1, L3;
        # 4 calls (L1 ×2, L3 ×2) for 3,200.00: 1.25 per 1,000.00; L1's promise kept
        ArmLine("champion", "CNY", 4, 0, 0, 320000, 2, 2, P("100.0"), _channels(call=4),
                P("1.25"), 1, 1, P("100.0")),
        # L2 (DPD 91) 1,141.00 + L6 (DPD 21) 1,071.00 overdue; calls to L2 ×3, a text to L6
        ArmLine("challenger", "CNY", 2, 2, 221200, 0, 2, 0, P("0.0"), _channels(sms=1, call=3),
                None, 0, 0, None),
        # L4 (DPD 77) 1,127.00; one call; its promise broken
        ArmLine("challenger", "USD", 1, 1, 112700, 0, 1, 0, P("0.0"), _channels(call=1),
                None, 1, 0, P("0.0")),
    )  # fmt: skip


def test_agents_reach_promise_and_collect_within_7_days_after_a_conversation(
    portfolio: App,
) -> None:
    report = agents_report(portfolio.uow_factory, None, None)
    # li.na: 5 calls, conversations on 3 Mar (promise), 5 Mar, 15 Mar (callback): 3 / 5;
    # her promise on L1 (3 Mar) was kept. wang.wei: 3 calls, 2 conversations (17 Mar
    # promise, 5 May); the promise on L4 was broken. The text message has no agent.
    assert report.lines == (
        AgentLine("li.na", 5, 3, P("60.0"), 1, 1, P("100.0")),
        AgentLine("wang.wei", 3, 2, P("66.7"), 1, 0, P("0.0")),
        AgentLine("total", 8, 5, P("62.5"), 2, 1, P("50.0")),
    )
    # L1 paid 20 Mar, 5 days after li.na's callback of 15 Mar (3 Mar is too long before);
    # L3 paid 10 May, 5 days after wang.wei reached its borrower
    assert report.collected == (
        CollectedLine("li.na", "CNY", 110000),
        CollectedLine("wang.wei", "CNY", 110000),
    )
    march = agents_report(portfolio.uow_factory, D(2026, 3, 1), D(2026, 3, 10))
    assert march.lines[0] == AgentLine("li.na", 3, 2, P("66.7"), 1, 1, P("100.0"))
    assert march.collected == ()


def test_intensity_is_contacts_per_account_per_week_by_bucket_at_the_time(
    portfolio: App,
) -> None:
    report = intensity_report(portfolio.uow_factory, None, None)
    # Loan-days (a day's bucket is the one the cycle left the day before; 2 Mar – 31 May,
    # 91 days × 7 loans = 637): M1 L1 18 + L2 30 + L3 24 + L4 30 + L6 20 = 122, with 8
    # contacts (all but L2's call of 20 Apr): 8 × 7 / 122 = 0.459… → 0.46.
    # M2 L2 30 + L4 30 = 60, 1 contact: 7 / 60 = 0.116… → 0.12. M3 L2 30 + L4 16 = 46.
    assert report.buckets == (
        IntensityLine(None, "M0", 409, 0, P("0.00")),
        IntensityLine(None, "M1", 122, 8, P("0.46")),
        IntensityLine(None, "M2", 60, 1, P("0.12")),
        IntensityLine(None, "M3", 46, 0, P("0.00")),
    )
    # the first week, 1–7 Mar: L1 and L2 in M1 from 3 Mar (5 days each), 3 calls
    assert report.weeks[:2] == (
        IntensityLine(D(2026, 3, 1), "M0", 32, 0, P("0.00")),
        IntensityLine(D(2026, 3, 1), "M1", 10, 3, P("2.10")),
    )
    assert sum(line.loan_days for line in report.weeks) == 637


def test_denials_are_counted_by_rule_and_by_day(portfolio: App) -> None:
    report = denials_report(portfolio.uow_factory, None, None)
    assert report.decided == 7
    assert report.rules == (DenialLine(None, "denied", "test.no_calls", None, 4, P("57.1")),)
    assert report.days == tuple(
        DenialLine(day, "denied", "test.no_calls", "call", 1, P("100.0"))
        for day in (D(2026, 3, 2), D(2026, 3, 4), D(2026, 4, 16), D(2026, 5, 13))
    )
    april = denials_report(portfolio.uow_factory, D(2026, 4, 1), D(2026, 4, 30))
    # 16 Apr: L3's call denied; 20 Apr: L3's letter permitted
    assert (april.decided, april.rules) == (
        2,
        (DenialLine(None, "denied", "test.no_calls", None, 1, P("50.0")),),
    )


def test_a_period_that_ends_before_it_starts_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput, match="the period starts on 2026-05-01, after its end"):
        cure_report(app.uow_factory, D(2026, 5, 1), D(2026, 4, 30))


def test_before_any_cycle_the_reports_are_empty(app: App) -> None:
    assert aging_report(app.uow_factory, None, None).lines == ()
    assert roll_rates_report(app.uow_factory, None, None).lines == ()
    assert cure_report(app.uow_factory, None, None).lines == (CureLine("total", 0, 0, None),)
    assert recovery_report(app.uow_factory, None, None).lines == ()
    assert vintage_report(app.uow_factory, None, None).lines == ()
