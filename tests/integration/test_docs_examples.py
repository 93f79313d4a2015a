"""The worked examples in docs/ are what the code does: each is run here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.test_cli import run

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _block(page: str, marker: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", text, re.S)
    assert match, f"no example {marker!r} in {page}"
    return match.group(1)


@pytest.fixture
def example_ledger(database_url: str) -> str:
    for args in (
        ("products", "load", str(DOCS / "examples/products.toml")),
        ("import", "loans", str(DOCS / "examples/loans.csv")),
        ("import", "payments", str(DOCS / "examples/payments.csv")),
    ):
        result = run(*args, db=database_url)
        assert result.returncode == 0, result.stderr
    return database_url


def test_the_ledger_page_schedule_example_is_what_the_cli_prints(example_ledger: str) -> None:
    result = run("schedule", "L1002", "--format", "csv", db=example_ledger)
    assert result.stdout == _block("ledger.md", "schedule L1002")


def test_the_ledger_page_status_example_is_what_the_cli_prints(example_ledger: str) -> None:
    result = run("status", "L1002", "--as-of", "2026-04-01", "--format", "json", db=example_ledger)
    assert json.loads(result.stdout) == json.loads(_block("ledger.md", "status L1002 2026-04-01"))


def test_the_examples_pass_the_ledger_check(example_ledger: str) -> None:
    assert run("ledger", "post", "--as-of", "2026-12-31", db=example_ledger).returncode == 0
    assert run("ledger", "check", db=example_ledger).returncode == 0


def test_the_products_page_shows_the_example_file() -> None:
    shown = re.search(
        r"```toml\n(.*?)```", (DOCS / "products.md").read_text(encoding="utf-8"), re.S
    )
    example = (DOCS / "examples/products.toml").read_text(encoding="utf-8")
    assert shown and shown.group(1).strip() in example


def _without_timings(day: dict) -> dict:
    return {k: v for k, v in day.items() if k not in ("seconds", "step_seconds")}


def test_the_cycle_page_examples_are_what_the_cli_prints(example_ledger: str) -> None:
    assert run("init", db=example_ledger).returncode == 0  # loads the shipped strategies
    first = run("cycle", "--as-of", "2026-06-01", "--format", "json", db=example_ledger)
    assert first.returncode == 0, first.stderr
    assert [_without_timings(d) for d in json.loads(first.stdout)] == json.loads(
        _block("cycle.md", "cycle 2026-06-01")
    )
    refused = run("cycle", "--as-of", "2026-06-05", db=example_ledger)
    assert refused.returncode == 4 and "2026-06-01" in refused.stderr
    caught_up = run(
        "cycle", "--as-of", "2026-06-05", "--catch-up", "--format", "json", db=example_ledger
    )
    last = json.loads(caught_up.stdout)[-1]
    expected = json.loads(_block("cycle.md", "cycle catch-up to 2026-06-05"))
    assert {k: last[k] for k in expected} == expected
    assert run("cycle", "check", db=example_ledger).returncode == 0
