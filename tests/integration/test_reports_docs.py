"""The worked example of docs/reports.md is what the code does: every command is run and
every output shown is what the CLI prints."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_cli import run
from tests.integration.test_arrangements_docs import _commands

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs/reports.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in reports.md"
    return match.group(1)


def test_the_page_shows_the_example_loans_file() -> None:
    shown = _block("report loans")
    assert shown == (ROOT / "docs/examples/report-loans.csv").read_text(encoding="utf-8")


def test_the_worked_example_is_what_the_cli_prints(database_url: str) -> None:
    for args, _ in _commands(_block("report setup")):
        result = run(*args, db=database_url, cwd=ROOT)
        assert result.returncode == 0, (args, result.stderr)
    for marker in ("aging", "roll-rates", "cure", "recovery", "vintage"):
        for args, shown in _commands(_block(f"report {marker}")):
            result = run(*args, db=database_url, cwd=ROOT)
            assert result.returncode == 0, (args, result.stderr)
            assert result.stdout == shown, args
