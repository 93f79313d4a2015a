"""The portfolio reports as sections and charts: aging, roll-rates, cure, recovery, vintage.

Each ``*_view`` reads its report through the services and returns what the CLI and the
API show: the facts (``meta``), the sections, and the chart, if the report has one. A
section is a name, a title, columns and rows of plain values (counts as ints; money,
rates and dates already text; None where there is nothing), so every format — a
terminal table, CSV, JSON — carries the same lines. Shared by ``arrears report`` and
``/api/v1/reports`` (report_catalog), as report_charts is by the CLI and the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arrears.domain.money import format_major as money
from arrears.entrypoints import report_charts

if TYPE_CHECKING:
    from arrears.services.ports import UnitOfWork
    from arrears.services.report_figures import Period

UowFactory = Callable[[], "UnitOfWork"]
Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Row]
    text_columns: frozenset[str] = frozenset()  # left-aligned in a table; the rest right


@dataclass(frozen=True, slots=True)
class View:
    meta: dict[str, Any]
    sections: list[Section]
    chart: Callable[[Path], None] | None = field(default=None)


def as_json(sections: Sequence[Section], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The report as JSON: its facts (``meta``), then a list of row objects per section."""
    return dict(meta) | {
        s.name: [dict(zip(s.columns, row, strict=True)) for row in s.rows] for s in sections
    }


def text(value: date | Decimal | None) -> str | None:
    """A date as ISO, a rate as its decimal string; None stays None (blank, null)."""
    return None if value is None else value.isoformat() if isinstance(value, date) else str(value)


def period_meta(period: Period | None) -> dict[str, str | None]:
    return {
        "from": None if period is None else period.first.isoformat(),
        "to": None if period is None else period.last.isoformat(),
    }


def period_words(period: Period | None) -> str:
    return "(the daily cycle never ran)" if period is None else f"{period.first} … {period.last}"


# -- aging ---------------------------------------------------------------------------------
def aging_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_portfolio

    report = reports_portfolio.aging_report(uow_factory, first, last, product)
    buckets = list(report.mix)
    aging = Section(
        "aging", f"Open loans by bucket on {report.last_cycle_day}",
        ["currency", "bucket", "loans", "loans_percent", "overdue", "outstanding_principal"],
        [[a.currency, a.bucket, a.loans, text(a.loans_percent), money(a.overdue_minor, a.currency),
          money(a.outstanding_principal_minor, a.currency)] for a in report.lines],
        frozenset({"currency", "bucket"}),
    )  # fmt: skip
    mix = Section(
        "mix", f"Loans by bucket, every 7th day, {period_words(report.period)}",
        ["day", *buckets],
        [[day.isoformat(), *(report.mix[b][i] for b in buckets)]
         for i, day in enumerate(report.mix_days)],
        frozenset({"day"}),
    )  # fmt: skip
    meta = {"last_cycle_day": text(report.last_cycle_day), **period_meta(report.period)}
    title = f"Bucket mix, {period_words(report.period)}"
    return View(meta, [aging, mix], partial(report_charts.mix_chart, report, title=title))


# -- roll rates ------------------------------------------------------------------------------
def roll_rates_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_portfolio

    report = reports_portfolio.roll_rates_report(uow_factory, first, last, product)
    section = Section(
        "roll_rates", f"Roll rates month over month, {period_words(report.period)}",
        ["start", "end", "from_bucket", "to_bucket", "loans", "from_loans", "rate_percent"],
        [[r.start.isoformat(), r.end.isoformat(), r.from_bucket, r.to_bucket, r.loans,
          r.from_loans, text(r.rate_percent)] for r in report.lines],
        frozenset({"start", "end", "from_bucket", "to_bucket"}),
    )  # fmt: skip
    chart = partial(report_charts.roll_rates_chart, report)
    return View(period_meta(report.period), [section], chart)


# -- cure ------------------------------------------------------------------------------------
def cure_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_portfolio

    report = reports_portfolio.cure_report(uow_factory, first, last, product)
    section = Section(
        "cure", f"Loans delinquent {period_words(report.period)}, by the deepest bucket"
        " they were in, and those current at its end",
        ["bucket", "delinquent", "cured", "cure_rate_percent"],
        [[c.bucket, c.delinquent, c.cured, text(c.cure_rate_percent)] for c in report.lines],
        frozenset({"bucket"}),
    )  # fmt: skip
    return View(period_meta(report.period), [section])


# -- recovery --------------------------------------------------------------------------------
def recovery_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_cohorts

    report = reports_cohorts.recovery_report(uow_factory, first, last, product)
    section = Section(
        "recovery", f"Recovery after entering a bucket, cohorts of {period_words(report.period)}",
        ["currency", "bucket", "month", "loans", "owed_at_entry", "days", "recovered",
         "recovered_percent"],
        [[r.currency, r.bucket, r.month.isoformat()[:7], r.loans,
          money(r.owed_at_entry_minor, r.currency), r.days,
          None if r.recovered_minor is None else money(r.recovered_minor, r.currency),
          text(r.recovered_percent)] for r in report.lines],
        frozenset({"currency", "bucket", "month"}),
    )  # fmt: skip
    meta = {**period_meta(report.period), "last_cycle_day": text(report.last_cycle_day)}
    return View(meta, [section], partial(report_charts.recovery_chart, report))


# -- vintage ---------------------------------------------------------------------------------
def vintage_view(
    uow_factory: UowFactory, first: date | None, last: date | None, product: str | None = None
) -> View:
    from arrears.services import reports_cohorts

    report = reports_cohorts.vintage_report(uow_factory, first, last, product)
    section = Section(
        "vintage", f"Vintages: ever more than 30/60/90 days past due by months on book"
        f" (last cycle day {report.last_cycle_day})",
        ["month", "months_on_book", "loans", "over_30", "over_30_percent", "over_60",
         "over_60_percent", "over_90", "over_90_percent"],
        [[v.month.isoformat()[:7], v.months, v.loans, v.over_30, text(v.over_30_percent),
          v.over_60, text(v.over_60_percent), v.over_90, text(v.over_90_percent)]
         for v in report.lines],
        frozenset({"month"}),
    )  # fmt: skip
    chart = partial(report_charts.vintage_chart, report)
    return View({"last_cycle_day": text(report.last_cycle_day)}, [section], chart)
