"""The worked example of docs/arrangements.md is what the code does: every command is run."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.adapters.store.database import make_engine
from tests.e2e.test_cli import run
from tests.helpers import PAYMENTS_HEADER, write_csv

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs/arrangements.md").read_text(encoding="utf-8")


def _block(marker: str) -> tuple[str, str]:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```(\w+)\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in arrangements.md"
    return match.group(1), match.group(2)


def _commands(block: str) -> list[tuple[list[str], str]]:
    """Each ``$ arrears ...`` line of a block with the output shown under it."""
    steps: list[tuple[list[str], str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ arrears "):
            steps.append((shlex.split(line[len("$ arrears ") :]), ""))
        else:
            args, shown = steps[-1]
            steps[-1] = (args, shown + line)
    return steps


def _run_block(db: str, marker: str) -> None:
    language, block = _block(marker)
    for args, shown in _commands(block):
        result = run(*args, db=db, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        if language == "json":
            assert json.loads(result.stdout) == json.loads(shown), args
        else:
            assert result.stdout == shown, args


@pytest.fixture
def example(database_url: str) -> str:
    for args in (
        ("init",),
        ("products", "load", "docs/examples/products.toml"),
        ("import", "loans", "docs/examples/arrangement-loans.csv"),
    ):
        result = run(*args, db=database_url, cwd=ROOT)
        assert result.returncode == 0, result.stderr
    return database_url


def test_the_page_shows_the_example_loans_file() -> None:
    _, shown = _block("arrangement loans")
    assert shown == (ROOT / "docs/examples/arrangement-loans.csv").read_text(encoding="utf-8")


def test_the_worked_example_is_what_the_cli_prints(example: str, tmp_path: Path) -> None:
    for marker in (
        "arrange quote plan",
        "arrange create plan",
        "arrange quote settlement",
        "arrange create settlement",
        "arrange list A1001",
    ):
        _run_block(example, marker)
    # the plan is what the loan is measured against from the end of 1 April
    status = json.loads(run("status", "A1001", "--as-of", "2026-04-01", "--format", "json",
                            db=example).stdout)  # fmt: skip
    assert (status["dpd"], status["bucket"], status["total_overdue"]) == (0, "M0", "0.00")
    # the settlement paid on 8 June is kept, and the loan paid off
    paid = write_csv(tmp_path / "paid.csv", PAYMENTS_HEADER, "S1,A1002,2026-06-08,4785.83")
    assert run("import", "payments", str(paid), db=example).returncode == 0
    status = json.loads(run("status", "A1002", "--as-of", "2026-06-08", "--format", "json",
                            db=example).stdout)  # fmt: skip
    assert (status["total_overdue"], status["payoff_amount"]) == ("0.00", "0.00")
    # and every effect is in the journal, balanced: the plan's waiver while it stood, and
    # its reversal once it broke (nothing was paid on 8 April)
    assert run("ledger", "post", "--as-of", "2026-04-02", db=example).returncode == 0
    assert run("ledger", "post", "--as-of", "2026-06-30", db=example).returncode == 0
    assert run("ledger", "check", db=example).returncode == 0
    engine = make_engine(example)
    with engine.connect() as connection:
        sources = connection.execute(
            text(
                "SELECT source, kind FROM journal_entry WHERE source LIKE 'arrangement:%'"
                " ORDER BY source, entry_seq"
            )
        ).all()
    engine.dispose()
    assert [tuple(s) for s in sources] == [
        ("arrangement:PLAN-1:waiver", "waiver"),
        ("arrangement:PLAN-1:waiver", "reversal"),
        ("arrangement:SETTLE-1:settled", "waiver"),
    ]


def test_the_reports_example_is_what_the_cli_prints(example: str) -> None:
    for marker in ("arrange create plan", "arrange create settlement"):
        _run_block(example, marker)
    _, steps = _block("report steps")  # their output is not shown on the page
    for args, _ in _commands(steps):
        result = run(*args, db=example, cwd=ROOT)
        assert result.returncode == 0, (args, result.stderr)
    for marker in ("report arrangements", "report cure csv"):
        _run_block(example, marker)
    assert run("ledger", "check", db=example).returncode == 0
