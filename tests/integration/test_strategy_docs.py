"""The worked examples of docs/strategies.md are what the code does."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from arrears.adapters.strategy_files import parse_strategy
from arrears.domain.strategy import (
    AccountFacts,
    Arm,
    PromiseState,
    Strategy,
    arm_for,
    arm_slot,
    plan,
)
from tests.e2e.test_cli import run

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "strategies.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in strategies.md"
    return match.group(1)


@pytest.fixture(scope="module")
def example() -> Strategy:
    strategy, findings = parse_strategy((DOCS / "examples/strategy.yaml").read_text("utf-8"))
    assert findings == []
    assert strategy is not None
    return strategy


def test_the_page_shows_the_example_file_as_it_is():
    assert block("strategy short-term") == (DOCS / "examples/strategy.yaml").read_text("utf-8")


def account(bucket: str, offset: int, overdue_minor: int = 120_000, **changes) -> AccountFacts:
    """A CNY loan with no grace days: DPD is the offset once overdue."""
    base = AccountFacts(
        loan_id="L1001",
        product="short",
        currency="CNY",
        bucket=bucket,
        dpd=max(0, offset),
        offset_days=offset,
        days_to_next_due=-offset if offset <= 0 else 30 - offset,
        overdue_minor=overdue_minor if offset > 0 else 0,
        outstanding_principal_minor=1_000_000,
        flags=frozenset(),
        days_since_reached=None,
        unreached_attempts=0,
        lost_contact=False,
        refused_to_pay=False,
        promise=PromiseState.NONE,
        promise_due_in_days=None,
    )
    return replace(base, **changes)


# One row of the page's table each: the account, and the steps it must get.
ROWS = [
    (account("M0", -3), ["current.0 sms due_reminder 10"]),
    (
        account("M1", 1, 600_000),
        ["high_balance.0 call - 60", "high_balance.2 sms overdue_notice 20"],
    ),
    (account("M1", 2, 500_000), ["high_balance.1 call - 50"]),
    (account("M1", 6, 499_999), ["low_balance.1 sms overdue_reminder 15"]),
    (account("M1", 4, 499_999), []),
    (
        account("M1", 30, 120_000),
        ["low_balance.1 sms overdue_reminder 15", "low_balance.2 none - 0"],
    ),
    (account("M1", 1, 10_000, score_band=None), ["low_balance.0 sms overdue_notice 20"]),
    (
        account("M2", 43, 800_000, flags=frozenset({"vulnerable"})),
        ["vulnerable.0 letter support_options 0"],
    ),
    (
        account("M1", 11, promise=PromiseState.BROKEN),
        ["broken_promise.0 call - 70", "broken_promise.1 sms ptp_broken 60"],
    ),
    (
        account("M1", 12, promise=PromiseState.OPEN, promise_due_in_days=1),
        ["promise_reminder sms ptp_reminder 40"],
    ),
    (account("M1", 12, promise=PromiseState.OPEN, promise_due_in_days=4), []),
    (account("M3", 61), ["late.0 agency_placement - 80"]),
]


@pytest.mark.parametrize(("facts", "expected"), ROWS)
def test_each_account_of_the_worked_example_gets_the_steps_the_page_shows(
    example: Strategy, facts: AccountFacts, expected: list[str]
):
    planned = [
        f"{p.step_id} {p.action.value} {p.template or '-'} {p.priority}"
        for p in plan(example, facts)
    ]
    assert planned == expected


def test_the_page_table_lists_the_same_steps_as_the_test():
    table = PAGE.split("| account | offset | steps planned |")[1].split("\n\n")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(ROWS)
    for row, (_, expected) in zip(rows, ROWS, strict=True):
        shown = re.findall(r"`([a-z_]+(?:\.\d+)?)`", row.split("|")[3])
        assert [s for s in shown if "." in s or s == "promise_reminder"] == [
            e.split()[0] for e in expected
        ], row


def test_the_example_loan_stays_with_the_champion_at_a_10_percent_share(example: Strategy):
    assert example.challenger is not None
    assert arm_slot("L1001") == 5023
    assert arm_for(arm_slot("L1001"), example.challenger.share_percent) is Arm.CHAMPION


def test_validate_prints_the_findings_the_page_shows(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(block("strategy bad.yaml"), encoding="utf-8")
    shown = block("strategy validate bad.yaml").splitlines()
    assert shown[0] == "$ arrears strategy validate bad.yaml"

    result = run(
        "strategy", "validate", "bad.yaml", db=f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == shown[1:]
