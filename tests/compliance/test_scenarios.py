"""Every scenario file under scenarios/<packs>/ decides as its "expect" says, under the
packs its folder names ("us-regf", or "us-regf+house" for several: the strictest wins).

These are the packs' tests, written the way a compliance officer writes them, and run
through the same reader and evaluator as `arrears compliance evaluate`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text
from arrears.adapters.scenario_files import parse_scenario
from arrears.domain.compliance.evaluate import decide, in_order
from arrears.domain.compliance.rules import Rule

FOLDER = Path(__file__).parent / "scenarios"
SCENARIOS = sorted(FOLDER.glob("*/*.json"))


def rules_of(folder: str) -> list[Rule]:
    rules: list[Rule] = []
    for name in folder.split("+"):
        pack, findings = parse_pack(read_pack_text(name))
        assert pack is not None, findings
        rules.extend(pack.rules)
    return in_order(rules)


def test_there_are_scenarios_for_each_shipped_pack() -> None:
    folders = {path.parent.name for path in SCENARIOS}
    assert {"us-regf", "cn", "uk-conc"} <= {p for f in folders for p in f.split("+")}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_scenario_decides_as_it_expects(path: Path) -> None:
    scenario, expect, findings = parse_scenario(path.read_text(encoding="utf-8"))
    assert scenario is not None, [str(f) for f in findings]
    assert expect, f"{path.name} states no expect"
    decision = decide(scenario, rules_of(path.parent.name)).as_json()
    assert {key: decision[key] for key in expect} == expect, decision


@pytest.mark.parametrize("path", SCENARIOS[:5], ids=lambda p: p.stem)
def test_one_decision_takes_at_most_five_milliseconds(path: Path) -> None:
    scenario, _, _ = parse_scenario(path.read_text(encoding="utf-8"))
    assert scenario is not None
    rules = rules_of(path.parent.name)
    started = time.perf_counter()
    for _ in range(20):
        decide(scenario, rules)
    assert (time.perf_counter() - started) / 20 < 0.005
