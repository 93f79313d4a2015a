"""The manager's reports by name, as ``arrears report NAME`` and ``/api/v1/reports/NAME``
both serve them (docs/reports.md): each report's view (its sections and facts) and its
JSON, the same object ``arrears report NAME --format json`` prints.

``REPORTS`` take the same options (a period, a product), so one CLI command body serves
them all; ``arrangements`` has a command of its own (its ``--table``) but the same JSON
here. A report narrowed to a product says so in its JSON facts (``"product"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from arrears.entrypoints import report_views as portfolio
from arrears.entrypoints import report_views_activity as activity
from arrears.entrypoints.report_views import UowFactory, View, as_json
from arrears.entrypoints.report_views_arrangements import arrangements_view
from arrears.services.report_figures import require_product


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    view: Callable[[UowFactory, date | None, date | None, str | None], View]
    help: str
    charted: bool = False  # draws a chart with --chart
    named_in_json: bool = True  # its JSON opens with {"report": name}


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
ARRANGEMENTS = Report(
    "arrangements", arrangements_view, "Arrangements made, kept and broken; the money through"
    " them; the cure rate after (by the day they were quoted).", named_in_json=False,
)  # fmt: skip
BY_NAME: dict[str, Report] = {r.name: r for r in (*REPORTS, ARRANGEMENTS)}


def read_view(
    report: Report,
    uow_factory: UowFactory,
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> View:
    """The report over ``first`` … ``last`` (a side None: the cycle's first or last day),
    of the loans of ``product`` only when given — a product no loan is of is refused."""
    with uow_factory() as uow:
        require_product(uow, product)
    return report.view(uow_factory, first, last, product)


def json_meta(report: Report, view: View, product: str | None = None) -> dict[str, Any]:
    """The facts ahead of the report's tables in JSON (``product`` when narrowed to one)."""
    meta = {"report": report.name, **view.meta} if report.named_in_json else dict(view.meta)
    return meta if product is None else meta | {"product": product}


def report_json(
    report: Report,
    uow_factory: UowFactory,
    first: date | None,
    last: date | None,
    product: str | None = None,
) -> dict[str, Any]:
    """The report as the JSON object ``arrears report NAME --format json`` prints."""
    view = read_view(report, uow_factory, first, last, product)
    return as_json(view.sections, json_meta(report, view, product))
