"""``arrears simulate`` end to end: the outcome report as JSON and CSV, and clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.e2e.test_cli import run

CHALLENGER = (
    Path(__file__).parents[2] / "src/arrears/strategies/challengers/cn-consumer-digital.yaml"
)


def test_simulate_prints_the_outcomes_of_each_arm_and_writes_them_as_csv(tmp_path: Path):
    db, out = tmp_path / "sim.db", tmp_path / "outcomes.csv"
    result = run(
        "simulate", "--borrowers", "40", "--days", "6", "--seed", "3", "--end", "2026-11-29",
        "--challenger", str(CHALLENGER), "--share", "50", "--format", "json",
        "--path", str(db), "--out", str(out), db="sqlite:///unused.db", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert report["currency"] == "CNY" and report["days"] == 6
    assert [arm["arm"] for arm in report["arms"]] == ["champion", "challenger"]
    assert sum(arm["loans"] for arm in report["arms"]) >= 40
    assert next(d["measure"] for d in report["differences"]) == "recovery %"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {row["arm"] for row in rows} == {"champion", "challenger", "challenger - champion"}
    assert any(row["measure"] == "cure rate %" for row in rows)
    assert db.exists()  # the simulated lender stays for the other commands


def test_simulate_names_a_bad_behaviour_file_at_its_line(tmp_path: Path):
    behaviour = tmp_path / "behaviour.yaml"
    behaviour.write_text("start:\n  ability: {}\n  willingness: {}\npaying:\n  on_due: 2\n")
    result = run(
        "simulate", "--borrowers", "10", "--days", "2", "--behaviour", str(behaviour),
        "--path", str(tmp_path / "sim.db"), db="sqlite:///unused.db", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "line 5, paying.on_due: must be between 0 and 1, got 2" in result.stderr
    assert "Traceback" not in result.stderr


def test_simulate_refuses_an_output_file_it_cannot_write(tmp_path: Path):
    result = run("simulate", "--out", "x.txt", db="sqlite:///unused.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "--out must end in .csv or .json" in result.stderr
