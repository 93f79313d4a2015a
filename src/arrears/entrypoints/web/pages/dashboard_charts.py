"""The dashboard's charts: a report read through its service and drawn as the CLI's
``--chart`` draws it (entrypoints.report_charts), into a temporary folder, served as
bytes: the page and the CLI draw the same picture."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from arrears.entrypoints import report_charts
from arrears.services import reports_cohorts
from arrears.services import reports_portfolio as portfolio
from arrears.services.ports import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
CHARTS = ("mix", "roll_rates", "recovery")


def draw(uow_factory: UowFactory, name: str, first: date | None, last: date | None) -> bytes:
    """The SVG of chart ``name`` (one of ``CHARTS``) over the period."""
    with tempfile.TemporaryDirectory(prefix="arrears-chart-") as folder:
        path = Path(folder) / f"{name}.svg"
        _DRAWERS[name](uow_factory, path, first, last)
        return path.read_bytes()


def _mix(uow_factory: UowFactory, path: Path, first: date | None, last: date | None) -> None:
    report_charts.mix_chart(portfolio.aging_report(uow_factory, first, last), path)


def _roll_rates(uow_factory: UowFactory, path: Path, first: date | None, last: date | None) -> None:
    report_charts.roll_rates_chart(portfolio.roll_rates_report(uow_factory, first, last), path)


def _recovery(uow_factory: UowFactory, path: Path, first: date | None, last: date | None) -> None:
    report_charts.recovery_chart(reports_cohorts.recovery_report(uow_factory, first, last), path)


_DRAWERS: dict[str, Callable[[UowFactory, Path, date | None, date | None], None]] = {
    "mix": _mix,
    "roll_rates": _roll_rates,
    "recovery": _recovery,
}
