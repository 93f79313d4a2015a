"""Cohort reports: recovery curves by the month loans entered a bucket, and vintage
delinquency by origination month (docs/reports.md).

- **recovery**: a cohort is the loans that entered a delinquent bucket (from another
  bucket, as the roll history records) in a calendar month of the period, per currency;
  each loan counts once per bucket and month, at its first entry. What it owed at entry
  is the principal and interest of its instalments fallen due by the entry day less the
  payments it had made by then; the curve is the standing payments made after the entry
  day, within 30, 60, … days of it, as a share of that. A point is shown only once every
  member can have had that many days.
- **vintage**: the loans originated in a month, by months on book: of those that had
  been on the book that many months by the last cycle day, the share that had by then
  been more than 30, 60 and 90 days past due (a roll-history row at such a DPD).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.services.ports import UnitOfWork
from arrears.services.report_figures import Period, period_of
from arrears.services.report_ports import CohortPaidRow, CohortRow, VintageRow
from arrears.services.reports import bucket_order, rate_percent

HORIZONS = (30, 60, 90, 120, 150, 180)  # days after entry
THRESHOLDS = (30, 60, 90)  # "ever over N days past due"


@dataclass(frozen=True, slots=True)
class RecoveryLine:
    """A cohort's recovery ``days`` after entry; None where not yet observable."""

    currency: str
    bucket: str
    month: date
    loans: int
    owed_at_entry_minor: int
    days: int
    recovered_minor: int | None
    recovered_percent: Decimal | None  # of owed at entry


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    period: Period | None
    last_cycle_day: date | None
    lines: tuple[RecoveryLine, ...]


def recovery_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> RecoveryReport:
    """The cohorts of entries from ``first`` through ``last`` (default: the cycle's days),
    of the loans of ``product`` only, when given."""
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        ran = uow.portfolio_reports.cycle_days()
        if period is None or ran is None:
            return RecoveryReport(period, None, ())
        cohorts = uow.portfolio_reports.cohorts(period.first, period.last, product)
        paid = uow.portfolio_reports.cohort_paid(period.first, period.last, HORIZONS, product)
    return RecoveryReport(period, ran[1], recovery_lines(cohorts, paid, period.last, ran[1]))


def recovery_lines(
    cohorts: Iterable[CohortRow], paid: Iterable[CohortPaidRow], period_last: date, last_day: date
) -> tuple[RecoveryLine, ...]:
    """A line per cohort and horizon, by currency, bucket, month and days.

    >>> c = [CohortRow("CNY", "M1", date(2026, 4, 1), 2, 200000)]
    >>> p = [CohortPaidRow("CNY", "M1", date(2026, 4, 1), 30, 50000)]
    >>> [(l.days, l.recovered_minor, str(l.recovered_percent))
    ...  for l in recovery_lines(c, p, date(2026, 4, 30), date(2026, 6, 15))][:3]
    [(30, 50000, '25.0'), (60, None, 'None'), (90, None, 'None')]
    """
    amounts = {(p.currency, p.bucket, p.month, p.days): p.paid_minor for p in paid}
    lines = []
    for c in sorted(cohorts, key=lambda c: (c.currency, bucket_order(c.bucket), c.month)):
        latest_entry = min(_month_end(c.month), period_last)
        for days in HORIZONS:
            seen = latest_entry + timedelta(days=days) <= last_day
            recovered = amounts.get((c.currency, c.bucket, c.month, days), 0) if seen else None
            percent = None if recovered is None else rate_percent(recovered, c.owed_at_entry_minor)
            lines.append(
                RecoveryLine(c.currency, c.bucket, c.month, c.loans, c.owed_at_entry_minor,
                             days, recovered, percent)
            )  # fmt: skip
    return tuple(lines)


def _month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# -- vintage ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VintageLine:
    """Of ``loans`` originated in ``month`` with ``months`` on book by the last cycle day,
    how many had been more than 30, 60 and 90 days past due by then."""

    month: date
    months: int
    loans: int
    over_30: int
    over_30_percent: Decimal | None
    over_60: int
    over_60_percent: Decimal | None
    over_90: int
    over_90_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class VintageReport:
    last_cycle_day: date | None
    lines: tuple[VintageLine, ...]


def vintage_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> VintageReport:
    """Vintages originated from ``first`` through ``last`` (by their month; default: all)."""
    with uow_factory() as uow:
        if first is not None or last is not None:
            period_of(uow, first, last)  # refuses a period that ends before it starts
        ran = uow.portfolio_reports.cycle_days()
        rows = [] if ran is None else uow.portfolio_reports.vintages(ran[1], THRESHOLDS, product)
    chosen = [
        row for row in rows
        if (first is None or row.month >= first.replace(day=1)) and (last is None or row.month <= last)
    ]  # fmt: skip
    return VintageReport(None if ran is None else ran[1], vintage_lines(chosen))


def vintage_lines(rows: Iterable[VintageRow]) -> tuple[VintageLine, ...]:
    """By month, then months on book.

    >>> vintage_lines([VintageRow(date(2026, 1, 1), 1, 4, 1, 0, 0)])[0].over_30_percent
    Decimal('25.0')
    """
    return tuple(_vintage_line(r) for r in sorted(rows, key=lambda r: (r.month, r.months)))


def _vintage_line(r: VintageRow) -> VintageLine:
    return VintageLine(
        r.month, r.months, r.loans,
        r.over_30, rate_percent(r.over_30, r.loans),
        r.over_60, rate_percent(r.over_60, r.loans),
        r.over_90, rate_percent(r.over_90, r.loans),
    )  # fmt: skip
