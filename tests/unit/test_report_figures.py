"""The pure maths of the manager's reports: exact ratios, the lines assembled from rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arrears.adapters.store.report_scratch import add_months, months_between
from arrears.services.report_figures import Period, ratio
from arrears.services.report_ports import (
    AgingRow,
    CohortPaidRow,
    CohortRow,
    CureRow,
    IntensityRow,
)
from arrears.services.reports import rate_percent
from arrears.services.reports_activity import contacts_per_thousand, intensity_lines
from arrears.services.reports_cohorts import recovery_lines
from arrears.services.reports_portfolio import aging_lines, cure_lines, mix_days

P = Decimal


def test_a_ratio_rounds_half_up_and_is_none_over_nothing() -> None:
    assert ratio(1, 8) == P("0.13")  # 0.125: half up, not half to even
    assert ratio(2, 3, 1) == P("0.7")
    assert ratio(10, 4, 0) == P("3")
    assert ratio(0, 7) == P("0.00")
    assert ratio(5, 0) is None
    assert rate_percent(1, 16) == P("6.3")


def test_contacts_per_thousand_count_major_units_of_the_currency() -> None:
    # 4 contacts for 3,200.00 CNY: 1.25 per 1,000.00
    assert contacts_per_thousand(4, 320_000, "CNY") == P("1.25")
    # JPY has no minor unit: 1 contact for ¥3,000 is 0.33 per ¥1,000
    assert contacts_per_thousand(1, 3_000, "JPY") == P("0.33")
    assert contacts_per_thousand(3, 0, "USD") is None


def test_aging_shares_are_of_the_currencys_open_loans_with_a_total_each() -> None:
    rows = [AgingRow("USD", "M1", 1, 107_100, 100_000), AgingRow("CNY", "M10", 1, 5, 6),
            AgingRow("CNY", "M2", 2, 10, 20)]  # fmt: skip
    assert [(a.currency, a.bucket, a.loans, a.loans_percent, a.overdue_minor)
            for a in aging_lines(rows)] == [
        ("CNY", "M2", 2, P("66.7"), 10), ("CNY", "M10", 1, P("33.3"), 5),
        ("CNY", "total", 3, P("100.0"), 15),
        ("USD", "M1", 1, P("100.0"), 107_100), ("USD", "total", 1, P("100.0"), 107_100),
    ]  # fmt: skip


def test_the_mix_is_sampled_every_7th_day_and_on_the_last() -> None:
    assert mix_days(Period(date(2026, 3, 1), date(2026, 3, 15))) == (
        date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15),
    )  # fmt: skip
    assert mix_days(Period(date(2026, 3, 1), date(2026, 3, 1))) == (date(2026, 3, 1),)


def test_cure_uses_each_products_own_current_bucket() -> None:
    rows = [
        CureRow("promo", "CNY", "champion", "late", "current", 1),
        CureRow("promo", "CNY", "champion", "current", "current", 4),  # never delinquent
        CureRow("flat", "CNY", "challenger", "M1", "M1", 1),
    ]
    lines = cure_lines(rows, {"promo": "current", "flat": "M0"})
    assert [(c.bucket, c.delinquent, c.cured, c.cure_rate_percent) for c in lines] == [
        ("M1", 1, 0, P("0.0")), ("late", 1, 1, P("100.0")), ("total", 2, 1, P("50.0")),
    ]  # fmt: skip


def test_a_recovery_point_is_blank_until_every_entry_of_the_month_can_have_reached_it() -> None:
    march = date(2026, 3, 1)
    cohorts = [CohortRow("CNY", "M1", march, 3, 300_000)]
    paid = [CohortPaidRow("CNY", "M1", march, 30, 100_000)]
    # the period ends 20 March: the last entry is then; + 30 days = 19 April
    on_the_day = recovery_lines(cohorts, paid, date(2026, 3, 20), date(2026, 4, 19))
    day_before = recovery_lines(cohorts, paid, date(2026, 3, 20), date(2026, 4, 18))
    assert (on_the_day[0].recovered_minor, on_the_day[0].recovered_percent) == (100_000, P("33.3"))
    assert (day_before[0].recovered_minor, day_before[0].recovered_percent) == (None, None)


def test_intensity_is_contacts_times_7_over_loan_days() -> None:
    week = date(2026, 3, 1)
    buckets, weeks = intensity_lines(
        [IntensityRow(week, "M1", 10, 3), IntensityRow(date(2026, 3, 8), "M1", 4, 0),
         IntensityRow(week, "M0", 20, 0)]
    )  # fmt: skip
    assert [(i.bucket, i.loan_days, i.contacts, i.per_account_week) for i in buckets] == [
        ("M0", 20, 0, P("0.00")), ("M1", 14, 3, P("1.50")),
    ]  # fmt: skip
    assert [(i.week, i.bucket, i.per_account_week) for i in weeks] == [
        (week, "M0", P("0.00")), (week, "M1", P("2.10")), (date(2026, 3, 8), "M1", P("0.00")),
    ]  # fmt: skip


def test_months_on_book_end_on_the_same_day_or_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert months_between(date(2026, 12, 5), date(2027, 1, 2)) == [
        (date(2026, 12, 1), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 1, 31)),
    ]  # fmt: skip
