"""The worked example of docs/compliance.md is what the evaluator prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.e2e.test_cli import run

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "compliance.md").read_text("utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- example: {re.escape(marker)} -->\n```\w+\n(.*?)```", PAGE, re.S)
    assert match, f"no example {marker!r} in compliance.md"
    return match.group(1)


def test_the_worked_scenario_decides_as_the_page_says(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(block("scenario"), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'unused.db'}"  # the evaluator needs no database
    result = run("compliance", "evaluate", "--pack", "us-regf", str(scenario), db=db)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    shown = json.loads(block("decision"))
    assert {key: printed[key] for key in shown} == shown


def test_the_page_lists_every_check_a_pack_may_name() -> None:
    from arrears.domain.compliance.catalog import CHECKS

    table = PAGE.split("<!-- checks -->")[1].split("<!-- /checks -->")[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
    assert listed == set(CHECKS)
