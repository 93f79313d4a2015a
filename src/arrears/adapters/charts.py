"""Charts of the manager's reports, drawn with matplotlib into PNG or SVG files.

No display is needed: figures are made with matplotlib's object API (``Figure``, no
pyplot and no global figure state) and saved by the Agg and SVG canvases. The output is
deterministic: the same figures give the same bytes (no date in the metadata, a fixed
salt for the SVG ids), so a chart can be compared or kept in version control.

The values drawn are shares and counts for the eye; the exact figures are the report's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

SUFFIXES = {".png": "png", ".svg": "svg"}
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
_STYLE: Any = {"svg.hashsalt": "arrears", "font.size": 9, "figure.dpi": 100}


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib and its ``Figure``, imported at the first chart: the import takes most
    of a second, and every other command of the CLI starts without it."""
    import matplotlib
    from matplotlib.figure import Figure

    return matplotlib, Figure


class ChartError(ValueError):
    """A chart cannot be drawn to that file (its suffix is not .png or .svg)."""


def chart_format(path: Path) -> str:
    """png or svg, by the file's suffix; ``ChartError`` for anything else."""
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ChartError(f"a chart is drawn to a .png or .svg file, not {path.name!r}")
    return found


def _save(figure: Any, path: Path) -> None:
    kind = chart_format(path)
    matplotlib, _ = _matplotlib()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(path, format=kind, metadata=_METADATA[kind])


def stacked_area(
    path: Path, title: str, days: Sequence[date], series: Mapping[str, Sequence[int]]
) -> None:
    """Counts per label over days, stacked (the bucket mix over time)."""
    matplotlib, Figure = _matplotlib()
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(8, 4.5))
        axes = figure.add_subplot()
        if days and series:
            axes.stackplot(
                list[Any](days), *[list(v) for v in series.values()], labels=list(series)
            )
            axes.legend(loc="upper left", fontsize=7, ncols=min(len(series), 8))
        axes.set_title(title)
        axes.set_ylabel("loans")
        figure.autofmt_xdate()
    _save(figure, path)


@dataclass(frozen=True, slots=True)
class Panel:
    """One matrix to draw as a heatmap: rows, columns and values (None: no loans)."""

    title: str
    rows: Sequence[str]
    columns: Sequence[str]
    values: Sequence[Sequence[float | None]]  # percent


def heatmaps(path: Path, title: str, panels: Sequence[Panel]) -> None:
    """A heatmap per panel, side by side, each cell labelled with its value."""
    matplotlib, Figure = _matplotlib()
    with matplotlib.rc_context(_STYLE):
        count = max(len(panels), 1)
        figure = Figure(figsize=(4.2 * count, 4.2), layout="constrained")
        figure.suptitle(title)
        for index, panel in enumerate(panels):
            axes = figure.add_subplot(1, count, index + 1)
            grid = [[float("nan") if v is None else v for v in row] for row in panel.values]
            axes.imshow(grid, cmap="Reds", vmin=0, vmax=100)
            axes.set_xticks(range(len(panel.columns)), list(panel.columns))
            axes.set_yticks(range(len(panel.rows)), list(panel.rows))
            axes.set_xlabel("to")
            axes.set_ylabel("from")
            axes.set_title(panel.title, fontsize=8)
            for y, row in enumerate(panel.values):
                for x, value in enumerate(row):
                    if value is not None:
                        axes.text(x, y, f"{value:.0f}", ha="center", va="center", fontsize=7)
    _save(figure, path)


def curves(
    path: Path,
    title: str,
    x_label: str,
    y_label: str,
    lines: Mapping[str, Sequence[tuple[float, float]]],
) -> None:
    """A line with markers per label (recovery and vintage curves)."""
    matplotlib, Figure = _matplotlib()
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(8, 4.5))
        axes = figure.add_subplot()
        for label, points in lines.items():
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        if lines:
            axes.legend(fontsize=7)
        axes.set_title(title)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.grid(alpha=0.3)
    _save(figure, path)
