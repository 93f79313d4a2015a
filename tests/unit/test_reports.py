"""The arrangements report's assembly: lines ordered, totals added, rates rounded."""

from __future__ import annotations

from decimal import Decimal

from arrears.services.ports import ArrangementCountRow, ArrangementCureRow, ArrangementMoneyRow
from arrears.services.reports import (
    CureLine,
    MadeLine,
    MoneyLine,
    cure_lines,
    made_lines,
    money_lines,
    rate_percent,
)


def test_rates_are_rounded_half_up_to_one_decimal_exactly() -> None:
    assert rate_percent(1, 16) == Decimal("6.3")  # 6.25
    assert rate_percent(1, 80) == Decimal("1.3")  # 1.25
    assert rate_percent(1, 3) == Decimal("33.3")
    assert rate_percent(5, 6) == Decimal("83.3")
    assert rate_percent(1, 7) == Decimal("14.3")  # 14.285…
    assert rate_percent(999_999, 1_000_000) == Decimal("100.0")  # 99.9999
    assert rate_percent(0, 0) is None


def test_made_lines_are_ordered_by_kind_then_bucket_and_totalled() -> None:
    # given lines as the store returns them, in no order
    rows = [
        ArrangementCountRow("settlement", "M10", 0, 1, 0, 0, 0, 0, 0),
        ArrangementCountRow("plan", None, 0, 0, 0, 0, 1, 0, 0),
        ArrangementCountRow("plan", "M2", 1, 1, 2, 1, 0, 1, 1),
        ArrangementCountRow("extension", "M1", 0, 0, 1, 0, 0, 0, 0),
        ArrangementCountRow("settlement", "M3", 0, 0, 1, 0, 0, 0, 0),
    ]
    # then kinds in the order of the docs, buckets in natural order, unknown last
    assert made_lines(rows) == (
        MadeLine("extension", "M1", 1, 0, 0, 1, 0, 0, 0, 0, Decimal("0.0")),
        MadeLine("plan", "M2", 5, 1, 1, 2, 1, 0, 1, 1, Decimal("33.3")),
        MadeLine("plan", None, 0, 0, 0, 0, 0, 1, 0, 0, None),
        MadeLine("settlement", "M3", 1, 0, 0, 1, 0, 0, 0, 0, Decimal("0.0")),
        MadeLine("settlement", "M10", 1, 0, 1, 0, 0, 0, 0, 0, Decimal("100.0")),
        MadeLine("total", None, 8, 1, 2, 4, 1, 1, 1, 1, Decimal("33.3")),
    )


def test_money_is_totalled_per_currency_never_across() -> None:
    rows = [
        ArrangementMoneyRow("plan", "USD", 1, 10000, 5000, 100, 0),
        ArrangementMoneyRow("settlement", "CNY", 2, 300000, 300000, 45000, 0),
        ArrangementMoneyRow("extension", "CNY", 1, 108700, 0, 0, 2000),
    ]
    assert money_lines(rows) == (
        MoneyLine("extension", "CNY", 1, 108700, 0, 0, 2000),
        MoneyLine("settlement", "CNY", 2, 300000, 300000, 45000, 0),
        MoneyLine("total", "CNY", 3, 408700, 300000, 45000, 2000),
        MoneyLine("plan", "USD", 1, 10000, 5000, 100, 0),
        MoneyLine("total", "USD", 1, 10000, 5000, 100, 0),
    )


def test_current_is_each_products_bucket_of_dpd_0() -> None:
    rows = [
        ArrangementCureRow("plan", "cash", "M0", 1),
        ArrangementCureRow("plan", "promo", "M0", 1),  # promo calls its DPD 0 "current"
        ArrangementCureRow("plan", "promo", "current", 2),
        ArrangementCureRow("pause", "cash", "M3", 1),
    ]
    assert cure_lines(rows, {"cash": "M0", "promo": "current"}) == (
        CureLine("plan", 4, 3, Decimal("75.0")),
        CureLine("pause", 1, 0, Decimal("0.0")),
        CureLine("total", 5, 3, Decimal("60.0")),
    )
