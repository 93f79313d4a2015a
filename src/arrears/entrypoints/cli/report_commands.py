"""``arrears report NAME [--from DATE] [--to DATE] [--format table|csv|json] [--out FILE]
[--chart FILE.png|FILE.svg]``: the portfolio and activity reports (docs/reports.md).

Every report takes the same options, so one command body serves them all: it reads the
report (``report_views``), writes its sections in the format asked for and, with
``--chart``, draws it. The period defaults to the days the daily cycle ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import typer

from arrears.adapters import charts
from arrears.entrypoints.cli import report_views as portfolio
from arrears.entrypoints.cli import report_views_activity as activity
from arrears.entrypoints.cli.output import Format, app_of, console, errors, parse_date
from arrears.entrypoints.cli.report_render import render
from arrears.entrypoints.cli.report_views import UowFactory, View


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    view: Callable[[UowFactory, date | None, date | None], View]
    help: str
    charted: bool = False  # draws a chart with --chart


REPORTS = (
    Report("aging", portfolio.aging_view, "Open loans by bucket per currency on the last cycle"
           " day (count, overdue, outstanding principal), and the bucket mix every 7th day of"
           " the period. Chart: the bucket mix, stacked.", charted=True),
    Report("roll-rates", portfolio.roll_rates_view, "Month over month: loans in each bucket at"
           " the start by their bucket at the end, with the share of the row. Chart: a"
           " heatmap per month.", charted=True),
    Report("cure", portfolio.cure_view, "Loans delinquent in the period, by the deepest bucket"
           " they were in, and the share current at its end."),
    Report("recovery", portfolio.recovery_view, "Cohorts of loans entering a bucket in a month:"
           " what they owed at entry and the share paid 30, 60, … 180 days after."
           " Chart: the curves.", charted=True),
    Report("vintage", portfolio.vintage_view, "Loans by origination month (--from/--to pick the"
           " months): the share ever more than 30, 60, 90 days past due by months on book."
           " Chart: the 30+ curves.", charted=True),
    Report("arms", activity.arms_view, "Champion vs challenger per currency: loans, overdue,"
           " recovered, cure rate, contacts by channel and per 1,000 recovered, promises."),
    Report("agents", activity.agents_view, "Per agent: attempts, reach rate, promises and kept,"
           " and what was paid within 7 days after they reached the borrower."),
    Report("intensity", activity.intensity_view, "Contacts per account per week by the"
           " account's bucket at the time, over the period and week by week."),
    Report("denials", activity.denials_view, "The compliance gate's denials and deferrals by"
           " rule, and by day and channel."),
)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add a command per report to ``app`` (``arrears report``)."""
    for report in REPORTS:
        app.command(report.name, help=report.help)(_command(report))


def _command(report: Report) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        first: str | None = typer.Option(
            None, "--from", metavar="YYYY-MM-DD", help="First day (default: the cycle's first)."
        ),
        last: str | None = typer.Option(
            None, "--to", metavar="YYYY-MM-DD", help="Last day (default: the last cycle day)."
        ),
        format: Format = typer.Option(Format.TABLE, "--format", help="table, csv or json."),
        out: Path | None = typer.Option(
            None, "--out", dir_okay=False, help="Write to this file instead of stdout."
        ),
        chart: Path | None = typer.Option(
            None, "--chart", dir_okay=False, help="Also draw the report to this .png or .svg."
        ),
    ) -> None:
        if chart is not None:
            _check_chart(report, chart)
        view = report.view(
            app_of(ctx).uow_factory, parse_date(first, "--from"), parse_date(last, "--to")
        )
        render(view.sections, {"report": report.name, **view.meta}, format, out)
        if out:
            console.print(f"wrote the {report.name} report to {out}", highlight=False)
        if chart is not None and view.chart is not None:
            view.chart(chart)
            errors.print(f"drew the {report.name} chart to {chart}", highlight=False)

    return command


def _check_chart(report: Report, chart: Path) -> None:
    if not report.charted:
        drawn = ", ".join(r.name for r in REPORTS if r.charted)
        raise typer.BadParameter(
            f"the {report.name} report has no chart (charts: {drawn})", param_hint="--chart"
        )
    try:
        charts.chart_format(chart)
    except charts.ChartError as error:
        raise typer.BadParameter(str(error), param_hint="--chart") from None
