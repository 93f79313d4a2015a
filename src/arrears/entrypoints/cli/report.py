"""``arrears report``: the manager's reports. This module: ``arrangements`` (docs/arrangements.md,
"Reports"); the others (aging, roll-rates, ...) are report_commands' (docs/reports.md).

``arrears report arrangements [--from DATE] [--to DATE] [--product CODE]
[--table made|money|cure] [--format table|csv|json] [--out FILE]``: arrangements made, kept and broken by kind
and bucket, the money through them, and the cure rate after them.

Every format carries the same lines: money as decimal strings in major units of
its currency, rates in percent with one decimal (blank in a table or CSV, null in
JSON, when there is nothing to count over). CSV is one table with ``--table``;
without it, the three one after another, each under a line with its name and
separated by an empty line. The sections are entrypoints.report_views_arrangements',
shared with the API.
"""

from __future__ import annotations

from pathlib import Path

import typer

from arrears.entrypoints.cli import report_commands
from arrears.entrypoints.cli.output import Format, app_of, console, parse_date
from arrears.entrypoints.cli.report_render import render
from arrears.entrypoints.report_catalog import ARRANGEMENTS, json_meta
from arrears.entrypoints.report_views_arrangements import ReportTable, arrangements_view

app = typer.Typer(help="The manager's reports.", no_args_is_help=True)
report_commands.register(app)  # aging, roll-rates, cure, ... (docs/reports.md)


@app.command("arrangements")
def arrangements(
    ctx: typer.Context,
    quoted_from: str | None = typer.Option(
        None, "--from", metavar="YYYY-MM-DD", help="Arrangements quoted on or after this day."
    ),
    quoted_to: str | None = typer.Option(
        None, "--to", metavar="YYYY-MM-DD", help="Arrangements quoted on or before this day."
    ),
    product: str | None = typer.Option(
        None, "--product", metavar="CODE", help="Only arrangements on loans of this product."
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
    from arrears.services.report_figures import require_product

    application = app_of(ctx)
    with application.uow() as uow:
        require_product(uow, product)
    chosen = [table] if table is not None else list(ReportTable)
    view = arrangements_view(
        application.uow_factory,
        parse_date(quoted_from, "--from"),
        parse_date(quoted_to, "--to"),
        product,
        chosen,
    )
    render(view.sections, json_meta(ARRANGEMENTS, view, product), format, out)
    if out:
        console.print(f"wrote the arrangements report to {out}", highlight=False)
