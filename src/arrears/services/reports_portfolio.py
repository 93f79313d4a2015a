"""The portfolio reports: aging and the bucket mix over time, roll rates, cure
(docs/reports.md).

The store groups in SQL (``uow.portfolio_reports``); this module orders the lines, adds
the totals and computes the rates exactly (``rate_percent``: integer arithmetic, half up).

- **aging**: open loans (owing anything) by currency and bucket on the last cycle day:
  how many, their share of the currency's open loans, what they have overdue and their
  outstanding principal; and the **bucket mix** over the period: loans per bucket at
  the end of every 7th day from its first, and of its last;
- **roll-rates**: month over month (services.roll_rates), the loans in each bucket at
  the start by their bucket at the end, and the share of the row;
- **cure**: of the loans delinquent at some point in the period (in a bucket other than
  their product's bucket of DPD 0), by the deepest bucket they were in, the share that
  ended the period current.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.services import roll_rates
from arrears.services.ports import UnitOfWork
from arrears.services.report_figures import Period, challenger_slots, current_labels, period_of
from arrears.services.report_ports import AgingRow, BucketDayRow, CureRow
from arrears.services.reports import TOTAL, bucket_order, rate_percent

MIX_EVERY_DAYS = 7  # the bucket mix is sampled weekly


# -- aging and the bucket mix ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AgingLine:
    """Open loans of a currency in a bucket ("total": every bucket of the currency)."""

    currency: str
    bucket: str
    loans: int
    loans_percent: Decimal | None  # of the currency's open loans
    overdue_minor: int
    outstanding_principal_minor: int


@dataclass(frozen=True, slots=True)
class AgingReport:
    last_cycle_day: date | None  # the day the aging is of; None: the cycle never ran
    period: Period | None  # the bucket mix's
    lines: tuple[AgingLine, ...]
    mix_days: tuple[date, ...]
    mix: dict[str, tuple[int, ...]]  # bucket → loans on each of mix_days, buckets in order


def aging_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> AgingReport:
    """Aging on the last cycle day, and the bucket mix from ``first`` through ``last``
    (default: the days the cycle ran); of the loans of ``product`` only, when given (so
    every report here)."""
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        ran = uow.portfolio_reports.cycle_days()
        rows = uow.portfolio_reports.aging(product)
        days = () if period is None else mix_days(period)
        counted = uow.portfolio_reports.bucket_days(days, product)
    return AgingReport(
        None if ran is None else ran[1], period, aging_lines(rows), days, bucket_mix(days, counted)
    )


def mix_days(period: Period) -> tuple[date, ...]:
    """Every 7th day from the first, and the last.

    >>> mix_days(Period(date(2026, 4, 1), date(2026, 4, 16)))
    (datetime.date(2026, 4, 1), datetime.date(2026, 4, 8), datetime.date(2026, 4, 15), datetime.date(2026, 4, 16))
    """
    count = (period.last - period.first).days // MIX_EVERY_DAYS + 1
    days = [period.first + timedelta(days=MIX_EVERY_DAYS * n) for n in range(count)]
    return tuple(days if days[-1] == period.last else [*days, period.last])


def aging_lines(rows: Iterable[AgingRow]) -> tuple[AgingLine, ...]:
    """Per currency (in code order): a line per bucket, then the currency's total.

    >>> rows = [AgingRow("CNY", "M1", 1, 500, 1000), AgingRow("CNY", "M0", 3, 0, 6000)]
    >>> [(l.bucket, l.loans, str(l.loans_percent)) for l in aging_lines(rows)]
    [('M0', 3, '75.0'), ('M1', 1, '25.0'), ('total', 4, '100.0')]
    """
    lines: list[AgingLine] = []
    for currency in sorted({row.currency for row in rows}):
        mine = sorted(
            (r for r in rows if r.currency == currency), key=lambda r: bucket_order(r.bucket)
        )
        loans = sum(r.loans for r in mine)
        for r in mine:
            lines.append(
                AgingLine(currency, r.bucket, r.loans, rate_percent(r.loans, loans),
                          r.overdue_minor, r.outstanding_principal_minor)
            )  # fmt: skip
        lines.append(
            AgingLine(currency, TOTAL, loans, rate_percent(loans, loans),
                      sum(r.overdue_minor for r in mine),
                      sum(r.outstanding_principal_minor for r in mine))
        )  # fmt: skip
    return tuple(lines)


def bucket_mix(days: tuple[date, ...], rows: Iterable[BucketDayRow]) -> dict[str, tuple[int, ...]]:
    """Loans per bucket on each day, 0 where none; buckets in natural order.

    >>> d1, d2 = date(2026, 4, 1), date(2026, 4, 8)
    >>> bucket_mix((d1, d2), [BucketDayRow(d1, "M0", 2), BucketDayRow(d2, "M1", 1)])
    {'M0': (2, 0), 'M1': (0, 1)}
    """
    counts = {(row.day, row.bucket): row.loans for row in rows}
    buckets = sorted({bucket for _, bucket in counts}, key=bucket_order)
    return {b: tuple(counts.get((day, b), 0) for day in days) for b in buckets}


# -- roll rates ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RollLine:
    """Of ``from_loans`` loans in ``from_bucket`` at the end of ``start``, ``loans`` were in
    ``to_bucket`` at the end of ``end``."""

    start: date
    end: date
    from_bucket: str
    to_bucket: str
    loans: int
    from_loans: int
    rate_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class RollRatesReport:
    period: Period | None
    lines: tuple[RollLine, ...]


def roll_rates_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> RollRatesReport:
    """Month over month from ``first`` (its end) to each month's end and ``last``."""
    with uow_factory() as uow:
        period = period_of(uow, first, last)
    if period is None:
        return RollRatesReport(None, ())
    days = [period.first, *roll_rates.month_ends(period.first, period.last)]
    matrices = roll_rates.roll_rates(uow_factory, days, product)
    return RollRatesReport(period, tuple(line for m in matrices for line in roll_lines(m)))


def roll_lines(matrix: roll_rates.RollMatrix) -> list[RollLine]:
    """A matrix's cells as lines, from-bucket then to-bucket in natural order.

    >>> m = roll_rates.RollMatrix(date(2026, 4, 1), date(2026, 4, 30), {("M1", "M2"): 1, ("M1", "M0"): 2})
    >>> [(l.to_bucket, l.loans, l.from_loans, str(l.rate_percent)) for l in roll_lines(m)]
    [('M0', 2, 3, '66.7'), ('M2', 1, 3, '33.3')]
    """
    rows: Counter[str] = Counter()
    for (start, _), loans in matrix.counts.items():
        rows[start] += loans
    cells = sorted(
        matrix.counts.items(), key=lambda c: (bucket_order(c[0][0]), bucket_order(c[0][1]))
    )
    return [
        RollLine(matrix.start, matrix.end, f, t, n, rows[f], rate_percent(n, rows[f]))
        for (f, t), n in cells
    ]


# -- cure ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CureLine:
    """Of ``delinquent`` loans whose deepest bucket in the period was ``bucket`` ("total":
    any), ``cured`` ended it current."""

    bucket: str
    delinquent: int
    cured: int
    cure_rate_percent: Decimal | None


@dataclass(frozen=True, slots=True)
class CureReport:
    period: Period | None
    lines: tuple[CureLine, ...]


def cure_report(
    uow_factory: Callable[[], UnitOfWork],
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> CureReport:
    with uow_factory() as uow:
        period = period_of(uow, first, last)
        if period is None:
            return CureReport(None, (CureLine(TOTAL, 0, 0, None),))
        rows = uow.portfolio_reports.cures(
            period.first, period.last, challenger_slots(uow), product
        )
        current = current_labels(uow, {row.product for row in rows})
    return CureReport(period, cure_lines(rows, current))


def cure_counts(
    rows: Iterable[CureRow], current: Mapping[str, str]
) -> tuple[Counter[str], Counter[str]]:
    """Delinquent and cured loans by deepest bucket (loans always current left out)."""
    delinquent: Counter[str] = Counter()
    cured: Counter[str] = Counter()
    for row in rows:
        if row.worst_bucket == current[row.product]:
            continue
        delinquent[row.worst_bucket] += row.loans
        if row.end_bucket == current[row.product]:
            cured[row.worst_bucket] += row.loans
    return delinquent, cured


def cure_lines(rows: Iterable[CureRow], current: Mapping[str, str]) -> tuple[CureLine, ...]:
    """A line per deepest bucket in natural order, then the total.

    >>> rows = [CureRow("cash", "CNY", "champion", "M1", "M0", 2),
    ...         CureRow("cash", "CNY", "champion", "M2", "M3", 1),
    ...         CureRow("cash", "CNY", "champion", "M0", "M0", 5)]
    >>> [(l.bucket, l.delinquent, l.cured, str(l.cure_rate_percent)) for l in cure_lines(rows, {"cash": "M0"})]
    [('M1', 2, 2, '100.0'), ('M2', 1, 0, '0.0'), ('total', 3, 2, '66.7')]
    """
    delinquent, cured = cure_counts(rows, current)
    lines = [
        CureLine(b, delinquent[b], cured[b], rate_percent(cured[b], delinquent[b]))
        for b in sorted(delinquent, key=bucket_order)
    ]
    all_delinquent, all_cured = delinquent.total(), cured.total()
    return (
        *lines,
        CureLine(TOTAL, all_delinquent, all_cured, rate_percent(all_cured, all_delinquent)),
    )
