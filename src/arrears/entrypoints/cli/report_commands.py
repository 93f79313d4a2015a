"""``arrears report NAME [--from DATE] [--to DATE] [--product CODE] [--format table|csv|json]
[--out FILE] [--chart FILE.png|FILE.svg]``: the portfolio and activity reports (docs/reports.md).

Every report takes the same options, so one command body serves them all: it reads the
report (``entrypoints.report_catalog``, shared with the API), writes its sections in the
format asked for and, with ``--chart``, draws it. The period defaults to the days the daily cycle ran.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from arrears.adapters import charts
from arrears.entrypoints.cli.output import Format, app_of, console, errors, parse_date
from arrears.entrypoints.cli.report_render import render
from arrears.entrypoints.report_catalog import REPORTS, Report, json_meta, read_view

__all__ = ["REPORTS", "Report", "register"]


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
        product: str | None = typer.Option(
            None, "--product", metavar="CODE", help="Only the loans of this product."
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
        view = read_view(
            report, app_of(ctx).uow_factory, parse_date(first, "--from"),
            parse_date(last, "--to"), product,
        )  # fmt: skip
        render(view.sections, json_meta(report, view, product), format, out)
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
