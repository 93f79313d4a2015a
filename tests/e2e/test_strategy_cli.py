"""`arrears strategy` end to end: a real process, a real database, exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tests.helpers import initialise

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/strategy.yaml"

BAD = """\
name: broken
segments:
  - name: m1
    when:
      dpd: {min: 30, max: 1}
    steps:
      - {day: 1, action: smss, template: overdue_notice}
      - {days: {from: 5, to: 2}, action: call}
"""


@pytest.fixture
def initialised(database_url: str) -> str:
    initialise(database_url)
    return database_url


def test_validate_names_the_line_of_every_problem_and_exits_2(tmp_path: Path, database_url: str):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")

    result = run("strategy", "validate", str(bad), db=database_url)

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (
        f"{bad}: line 5, segments[0].when.dpd: min 30 is greater than max 1 [out_of_range]" in lines
    )
    assert any(
        line.startswith(f"{bad}: line 7, segments[0].steps[0].action: 'smss' is not one of sms,")
        for line in lines
    )
    assert (
        f"{bad}: line 8, segments[0].steps[1].days.to: to 2 is before from 5 [out_of_range]"
        in lines
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_validate_says_valid_for_a_good_file_without_a_database(tmp_path: Path):
    result = run("strategy", "validate", str(EXAMPLE), db=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 0, result.stderr
    assert "valid (strategy short-term, 7 segments)" in result.stdout
    assert not (tmp_path / "none.db").exists()


def test_init_loads_the_defaults_and_show_prints_the_active_cn_consumer(initialised: str):
    result = run("strategy", "show", db=initialised)

    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("cn-consumer version 1 (active), loaded ")
    assert first.endswith(" by arrears")
    assert "1. hold when flags_any dispute, deceased" in result.stdout
    assert "current.0  day -3: sms due_reminder, priority 10" in result.stdout
    assert "promise_reminder  the day before the promised date: sms ptp_reminder" in result.stdout


def test_init_twice_keeps_one_version_of_each_default(initialised: str):
    again = run("init", db=initialised)
    assert again.returncode == 0, again.stderr
    assert "default strategies: cn-consumer v1, us-consumer v1; active: cn-consumer" in again.stdout
    assert "policy packs: us-regf v1, cn v1, uk-conc v1, house v1; active: cn,house" in again.stdout


def test_load_activate_then_show_as_json_and_list(initialised: str):
    # when the docs example is loaded by a named author and activated
    loaded = run(
        "strategy", "load", str(EXAMPLE), "--author", "wang.fang", "--activate", db=initialised
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "strategy short-term: version 1, active"

    # then show (the active one, as JSON) has its challenger, segments and steps
    shown = run("strategy", "show", "--format", "json", db=initialised)
    assert shown.returncode == 0, shown.stderr
    strategy = json.loads(shown.stdout)
    assert (strategy["name"], strategy["version"], strategy["author"]) == (
        "short-term",
        1,
        "wang.fang",
    )
    assert strategy["challenger"] == {"strategy": "cn-consumer", "share_percent": "10"}
    high = next(s for s in strategy["segments"] if s["name"] == "high_balance")
    assert high["when"] == {"bucket": ["M1", "M2"], "overdue": {"min": "5000.00"}}
    assert high["steps"][1] == {
        "id": "high_balance.1",
        "from": 2,
        "every": 2,
        "to": 60,
        "action": "call",
        "template": None,
        "priority": 50,
    }

    # and list marks it active
    listed = json.loads(run("strategy", "list", "--format", "json", db=initialised).stdout)
    assert [(s["name"], s["version"], s["active"]) for s in listed] == [
        ("cn-consumer", 1, False),
        ("short-term", 1, True),
        ("us-consumer", 1, False),
    ]


def test_load_refuses_an_invalid_file_with_every_finding_and_exit_2(
    initialised: str, tmp_path: Path
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = run("strategy", "load", str(bad), db=initialised)
    assert result.returncode == 2
    assert result.stderr.count(f"{bad}: line ") == 3
    assert "nothing was stored" in result.stderr
    listed = json.loads(run("strategy", "list", "--format", "json", db=initialised).stdout)
    assert "broken" not in [s["name"] for s in listed]


def test_activate_switches_the_active_strategy_and_refuses_an_unknown_name(initialised: str):
    switched = run("strategy", "activate", "us-consumer", db=initialised)
    assert switched.returncode == 0, switched.stderr
    assert switched.stdout.strip() == "strategy us-consumer (version 1) is active"
    assert run("strategy", "show", db=initialised).stdout.startswith(
        "us-consumer version 1 (active)"
    )

    unknown = run("strategy", "activate", "eu-consumer", db=initialised)
    assert unknown.returncode == 3
    assert "no strategy named 'eu-consumer' is stored" in unknown.stderr
