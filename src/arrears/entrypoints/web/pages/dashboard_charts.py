"""The dashboard's charts: a report of the dashboard's figures drawn as the CLI's
``--chart`` draws it (entrypoints.report_charts), into a temporary folder, served as
bytes: the page and the CLI draw the same picture. A drawing is kept as long as the
figures it was drawn from."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from arrears.entrypoints import report_charts
from arrears.services.dashboard import Dashboard
from arrears.services.kept_figures import Kept

CHARTS = ("mix", "roll_rates", "recovery")


@lru_cache(maxsize=3 * 16)
def draw(name: str, board: Kept[Dashboard]) -> bytes:
    """The SVG of chart ``name`` (one of ``CHARTS``) from the dashboard's figures."""
    with tempfile.TemporaryDirectory(prefix="arrears-chart-") as folder:
        path = Path(folder) / f"{name}.svg"
        _DRAWERS[name](board.value, path)
        return path.read_bytes()


_DRAWERS: dict[str, Callable[[Dashboard, Path], None]] = {
    "mix": lambda board, path: report_charts.mix_chart(board.aging, path),
    "roll_rates": lambda board, path: report_charts.roll_rates_chart(board.roll_rates, path),
    "recovery": lambda board, path: report_charts.recovery_chart(board.recovery, path),
}
