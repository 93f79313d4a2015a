"""Rendering a report's tables as a terminal table, CSV or JSON, to stdout or a file.

A report is shown as sections (``entrypoints.report_views.Section``, shared with the
API): a name, a title, columns and rows of plain values (counts as ints; money, rates
and dates already text; None where there is nothing). Every format carries the same
rows: CSV writes each section under a line with its name, an empty line between
sections (no name line when there is only one); JSON is an object with the report's
facts (``meta``) and a list of row objects per section (``report_views.as_json``).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from arrears.entrypoints.cli.output import Format, console
from arrears.entrypoints.report_views import Section, as_json

__all__ = ["Section", "as_json", "render", "rich_table", "write_csv_sections"]


def render(
    sections: Sequence[Section], meta: Mapping[str, Any], format: Format, out: Path | None
) -> None:
    """Write ``sections`` in ``format`` to ``out`` (stdout when None)."""
    with ExitStack() as stack:
        stream = (
            stack.enter_context(out.open("w", newline="", encoding="utf-8")) if out else sys.stdout
        )
        if format is Format.JSON:
            stream.write(json.dumps(as_json(sections, meta), ensure_ascii=False, indent=2))
            stream.write("\n")
        elif format is Format.CSV:
            write_csv_sections(stream, sections)
        else:
            target = (
                Console(file=stream, width=console.width, color_system=None) if out else console
            )
            for section in sections:
                target.print(rich_table(section))


def write_csv_sections(stream: TextIO, sections: Sequence[Section]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    named = len(sections) > 1
    for index, section in enumerate(sections):
        if named:
            if index:
                writer.writerow([])
            writer.writerow([section.name])
        writer.writerow(section.columns)
        writer.writerows([["" if v is None else v for v in row] for row in section.rows])


def rich_table(section: Section) -> Table:
    shown = Table(title=section.title)
    for column in section.columns:
        shown.add_column(column, justify="left" if column in section.text_columns else "right")
    for row in section.rows:
        shown.add_row(*["" if v is None else str(v) for v in row])
    return shown
