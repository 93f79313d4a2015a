"""The reports drawn as charts, the same for the CLI's ``--chart`` and the dashboard: a
report (from the services) in, a PNG or SVG file out (adapters.charts, matplotlib).

The values are floats for the eye only; the exact figures are in the report's tables.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from arrears.adapters import charts

if TYPE_CHECKING:
    from arrears.services.reports_cohorts import RecoveryReport, VintageReport
    from arrears.services.reports_portfolio import AgingReport, RollRatesReport


def mix_chart(report: AgingReport, path: Path, title: str = "Bucket mix") -> None:
    charts.stacked_area(path, title, report.mix_days, report.mix)


def roll_rates_chart(report: RollRatesReport, path: Path) -> None:
    """A heatmap per month: the share of each from-bucket's loans in each to-bucket."""
    from arrears.services.reports import bucket_order

    panels = []
    for start, end in dict.fromkeys((r.start, r.end) for r in report.lines):
        cells = {(r.from_bucket, r.to_bucket): r for r in report.lines
                 if (r.start, r.end) == (start, end)}  # fmt: skip
        labels = sorted({b for pair in cells for b in pair}, key=bucket_order)
        rows = sorted({f for f, _ in cells}, key=bucket_order)
        values = [[_float(cells[(f, t)].rate_percent) if (f, t) in cells else None
                   for t in labels] for f in rows]  # fmt: skip
        panels.append(charts.Panel(f"{start} → {end}", rows, labels, values))
    charts.heatmaps(path, "Roll rates (% of each row)", panels)


def recovery_chart(report: RecoveryReport, path: Path) -> None:
    """A curve per cohort (bucket, month of entry, currency): % of what was owed at entry
    recovered after so many days."""
    curves: dict[str, list[tuple[float, float]]] = {}
    for r in report.lines:
        points = curves.setdefault(f"{r.bucket} {r.month.isoformat()[:7]} {r.currency}",
                                   [(0.0, 0.0)])  # fmt: skip
        if r.recovered_percent is not None:
            points.append((float(r.days), float(r.recovered_percent)))
    charts.curves(path, "Recovery by cohort", "days after entry",
                  "% of owed at entry recovered", curves)  # fmt: skip


def vintage_chart(report: VintageReport, path: Path) -> None:
    curves: dict[str, list[tuple[float, float]]] = {}
    for v in report.lines:
        if v.over_30_percent is not None:
            curves.setdefault(v.month.isoformat()[:7], []).append(
                (float(v.months), float(v.over_30_percent))
            )
    charts.curves(path, "Vintages: share ever more than 30 days past due", "months on book",
                  "% of loans", curves)  # fmt: skip


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)  # for drawing only
