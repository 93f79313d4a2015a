"""The worked examples of docs/arrangement-policy.md are what the code does."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.adapters.arrangement_policy_files import parse_arrangement_policy
from arrears.domain.arrangement_policy import (
    ArrangementPolicy,
    KindLimits,
    Proposal,
    Verdict,
    judge,
)
from tests.e2e.test_cli import run

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "arrangement-policy.md").read_text(encoding="utf-8")
EXAMPLE = (DOCS / "examples/arrangement-policy.yaml").read_text(encoding="utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in arrangement-policy.md"
    return match.group(1)


@pytest.fixture(scope="module")
def example() -> ArrangementPolicy:
    policy, findings = parse_arrangement_policy(EXAMPLE)
    assert findings == []
    assert policy is not None
    return policy


def test_the_page_shows_the_example_file_as_it_is():
    assert block("arrangement policy short-term-plans") == EXAMPLE


def test_the_format_block_is_a_valid_policy():
    policy, findings = parse_arrangement_policy(block("arrangement policy format"))
    assert findings == []
    assert policy is not None and len(policy.kinds) == 6


def plan(**figures: object) -> Proposal:
    return Proposal("plan", bucket="M2", arrangements_this_year=0, **figures)


def settlement(bucket: str, discount: str, this_year: int = 0) -> Proposal:
    return Proposal("settlement", bucket, this_year, days=30, discount_percent=Decimal(discount))


# One row of the page's table each, in its order.
ROWS = [
    Proposal("promise", bucket="M1", arrangements_this_year=0, days=5),
    Proposal(
        "plan", bucket="M2", arrangements_this_year=1, instalments=6, days=180,
        down_payment_percent=Decimal("10"), penalty_waiver_percent=Decimal("50"),
    ),
    plan(instalments=8, days=200, down_payment_percent=Decimal("5")),
    plan(instalments=4, days=120, down_payment_percent=Decimal("20"),
         penalty_waiver_percent=Decimal("60")),
    Proposal("extension", bucket="M1", arrangements_this_year=0, days=10, fee_waived=True),
    settlement("M3", "20"),
    settlement("M3", "25"),
    settlement("M1", "5"),
    Proposal("promise", bucket="M1", arrangements_this_year=2, days=5),
    settlement("M3", "25", this_year=2),
    Proposal("reage", bucket="M3", arrangements_this_year=0, term_months=24),
    Proposal("pause", bucket="M2", arrangements_this_year=0, days=60),
]  # fmt: skip


def verdict_words(verdict: Verdict) -> str:
    if not verdict.allowed:
        return "refused"
    if verdict.within_policy:
        return "approved automatically"
    return f"needs approval by `{verdict.needs_approval_by}`"


def table_rows() -> list[list[str]]:
    table = PAGE.split("| proposal | verdict | reasons |")[1].split("\n\n")[0]
    lines = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_table_has_one_row_a_proposal_of_the_test():
    assert len(table_rows()) == len(ROWS)


@pytest.mark.parametrize(("index", "proposal"), list(enumerate(ROWS)))
def test_each_proposal_of_the_worked_example_gets_the_verdict_and_reasons_the_page_shows(
    example: ArrangementPolicy, index: int, proposal: Proposal
):
    described, shown_verdict, shown_reasons = table_rows()[index]
    verdict = judge(example, proposal)

    assert proposal.kind.replace("reage", "re-age") in described
    assert verdict_words(verdict) == shown_verdict
    assert list(verdict.reasons) == ([] if shown_reasons == "—" else shown_reasons.split("<br>"))


def test_validate_prints_the_findings_the_page_shows(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text(block("arrangement policy bad.yaml"), encoding="utf-8")
    shown = block("arrange policy validate bad.yaml").splitlines()
    assert shown[0] == "$ arrears arrange policy validate bad.yaml"

    result = run(
        "arrange", "policy", "validate", "bad.yaml", db=f"sqlite:///{tmp_path / 'x.db'}",
        cwd=tmp_path,
    )  # fmt: skip

    assert result.returncode == 2
    assert result.stderr.splitlines() == shown[1:]


def test_the_reasons_the_page_quotes_are_those_judge_gives(example: ArrangementPolicy):
    flat = " ".join(PAGE.split())
    always = ArrangementPolicy("p", {"reage": KindLimits(always_needs_approval=True)})
    quoted = [
        judge(example, plan(instalments=8)).reasons,
        judge(always, Proposal("reage", "M3", 0)).reasons,
        judge(example, ROWS[8]).reasons,
    ]
    assert [len(reasons) for reasons in quoted] == [1, 1, 1]
    for (reason,) in quoted:
        assert f"`{reason}`" in flat, reason
