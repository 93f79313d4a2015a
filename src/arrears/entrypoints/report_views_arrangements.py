"""The arrangements report as sections (docs/arrangements.md, "Reports"): arrangements
made, kept and broken by kind and bucket (``made``), the money through them (``money``),
and the cure rate after them (``cure``). Shared by ``arrears report arrangements`` and
``/api/v1/reports/arrangements``.

Money is a decimal string in major units of its currency, rates in percent with one
decimal (None when there is nothing to count over). Unlike the other reports, its JSON
facts are the period it was quoted in, not ``report``/``from``/``to``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from arrears.domain.money import format_major as money
from arrears.entrypoints.report_views import Section, UowFactory, View

if TYPE_CHECKING:
    from arrears.services.reports import ArrangementsReport


class ReportTable(StrEnum):
    MADE = "made"
    MONEY = "money"
    CURE = "cure"


COLUMNS = {
    ReportTable.MADE: [
        "kind", "bucket", "made", "active", "kept", "broken", "cancelled", "pending",
        "withdrawn", "rejected", "kept_rate_percent",
    ],
    ReportTable.MONEY: ["kind", "currency", "made", "to_pay", "recovered", "waived", "fees"],
    ReportTable.CURE: ["kind", "ended", "current", "cure_rate_percent"],
}  # fmt: skip
TEXT_COLUMNS = frozenset({"kind", "bucket", "currency"})  # left-aligned in a table; the rest right


def arrangements_view(
    uow_factory: UowFactory,
    quoted_from: date | None,
    quoted_to: date | None,
    product: str | None = None,
    tables: Sequence[ReportTable] = tuple(ReportTable),
) -> View:
    """The arrangements quoted in the period (on loans of ``product`` only, when given),
    as the sections ``tables`` (default: all)."""
    from arrears.services import reports

    report = reports.arrangements_report(uow_factory, quoted_from, quoted_to, product)
    sections = [
        Section(str(name), _title(report, name), COLUMNS[name], rows(report, name), TEXT_COLUMNS)
        for name in tables
    ]
    return View(report_meta(report), sections)


def rows(report: ArrangementsReport, table: ReportTable) -> list[list[Any]]:
    """A table's lines in ``COLUMNS`` order: counts as ints, money and rates as decimal
    strings, a rate or bucket that is not there as None."""
    if table is ReportTable.MADE:
        return [
            [m.kind, m.bucket, m.made, m.active, m.kept, m.broken, m.cancelled, m.pending,
             m.withdrawn, m.rejected, _rate(m.kept_rate_percent)]
            for m in report.made
        ]  # fmt: skip
    if table is ReportTable.MONEY:
        return [
            [m.kind, m.currency, m.made, money(m.to_pay_minor, m.currency),
             money(m.recovered_minor, m.currency), money(m.waived_minor, m.currency),
             money(m.fees_minor, m.currency)]
            for m in report.money
        ]  # fmt: skip
    return [[c.kind, c.ended, c.current, _rate(c.cure_rate_percent)] for c in report.cure]


def report_meta(report: ArrangementsReport) -> dict[str, Any]:
    """The report's facts, ahead of its tables in JSON."""
    from arrears.services import reports

    return {
        "quoted_from": _iso(report.quoted_from),
        "quoted_to": _iso(report.quoted_to),
        "last_cycle_day": _iso(report.last_cycle_day),
        "cure_after_days": reports.CURE_AFTER_DAYS,
        "ended_by": _iso(report.ended_by),
    }


def _title(report: ArrangementsReport, table: ReportTable) -> str:
    from arrears.services import reports

    quoted = _period(report.quoted_from, report.quoted_to)
    if table is ReportTable.MADE:
        return f"Arrangements quoted {quoted}: made, kept and broken by kind and bucket when quoted"
    if table is ReportTable.MONEY:
        return f"Money through the arrangements quoted {quoted} that took effect"
    if report.last_cycle_day is None:
        return "Cure rate after arrangements: no daily cycle has run yet"
    return (
        f"Cure rate: loans current {reports.CURE_AFTER_DAYS} days after their arrangement"
        f" ended, of those quoted {quoted} that ended by {report.ended_by}"
        f" (last cycle day {report.last_cycle_day})"
    )


def _period(first: date | None, last: date | None) -> str:
    if first is None and last is None:
        return "on any day"
    if last is None:
        return f"from {first}"
    if first is None:
        return f"through {last}"
    return f"from {first} through {last}"


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
