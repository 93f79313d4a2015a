"""``arrears report``: the manager's reports. This module: ``arrangements`` (docs/arrangements.md,
"Reports"); the others (aging, roll-rates, ...) are report_commands' (docs/reports.md).

``arrears report arrangements [--from DATE] [--to DATE] [--table made|money|cure]
[--format table|csv|json] [--out FILE]``: arrangements made, kept and broken by kind
and bucket, the money through them, and the cure rate after them.

Every format carries the same lines: money as decimal strings in major units of
its currency, rates in percent with one decimal (blank in a table or CSV, null in
JSON, when there is nothing to count over). CSV is one table with ``--table``;
without it, the three one after another, each under a line with its name and
separated by an empty line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from arrears.entrypoints.cli import report_commands
from arrears.entrypoints.cli.output import Format, app_of, console, money, parse_date
from arrears.entrypoints.cli.report_render import Section, render

if TYPE_CHECKING:
    from arrears.services.reports import ArrangementsReport

app = typer.Typer(help="The manager's reports.", no_args_is_help=True)
report_commands.register(app)  # aging, roll-rates, cure, ... (docs/reports.md)


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


@app.command("arrangements")
def arrangements(
    ctx: typer.Context,
    quoted_from: str | None = typer.Option(
        None, "--from", metavar="YYYY-MM-DD", help="Arrangements quoted on or after this day."
    ),
    quoted_to: str | None = typer.Option(
        None, "--to", metavar="YYYY-MM-DD", help="Arrangements quoted on or before this day."
    ),
    table: ReportTable | None = typer.Option(
        None, "--table", help="Only this table: made, money or cure (default: all three)."
    ),
    format: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json."),
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="Write to this file instead of stdout."
    ),
) -> None:
    """Arrangements made, kept and broken; the money through them; the cure rate after.

    Over the arrangements quoted in the period: counts by kind and bucket when quoted;
    what they asked for, recovered, waived and charged, per currency; the share of
    loans current 30 days after their arrangement ended. Promises to pay are not
    counted (see `arrears arrange list --kind promise`).
    """
    from arrears.services import reports

    report = reports.arrangements_report(
        app_of(ctx).uow_factory,
        parse_date(quoted_from, "--from"),
        parse_date(quoted_to, "--to"),
    )
    chosen = [table] if table is not None else list(ReportTable)
    sections = [
        Section(str(name), _title(report, name), COLUMNS[name], rows(report, name), TEXT_COLUMNS)
        for name in chosen
    ]
    render(sections, report_meta(report), format, out)
    if out:
        console.print(f"wrote the arrangements report to {out}", highlight=False)


# -- the lines as values, as JSON and as CSV ----------------------------------------------------
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
