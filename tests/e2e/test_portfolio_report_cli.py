"""``arrears report aging|roll-rates|cure|...`` end to end: every format, a file, charts,
and the errors. The portfolio is the worked example of docs/reports.md (seven loans,
the cycle run from 1 March to 31 May 2026), built once through the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tests.support.databases import module_database

ROOT = Path(__file__).resolve().parents[2]
SETUP = [
    ("init",),
    ("products", "load", "docs/examples/report-products.toml"),
    ("import", "loans", "docs/examples/report-loans.csv"),
    ("import", "payments", "docs/examples/report-payments.csv"),
    ("cycle", "--as-of", "2026-03-01"),
    ("cycle", "--as-of", "2026-05-31", "--catch-up"),
]
CURE = [
    {"bucket": "M1", "delinquent": 3, "cured": 2, "cure_rate_percent": "66.7"},
    {"bucket": "M3", "delinquent": 1, "cured": 0, "cure_rate_percent": "0.0"},
    {"bucket": "M4", "delinquent": 1, "cured": 0, "cure_rate_percent": "0.0"},
    {"bucket": "total", "delinquent": 5, "cured": 2, "cure_rate_percent": "40.0"},
]


@pytest.fixture(scope="module")
def reported(
    _template: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    with module_database("portfolio_cli", _template, tmp_path_factory, pytestconfig) as url:
        for args in SETUP:
            result = run(*args, db=url, cwd=ROOT)
            assert result.returncode == 0, (args, result.stderr)
        yield url


def test_a_report_as_json_has_its_facts_and_exact_lines(reported: str) -> None:
    result = run("report", "cure", "--format", "json", db=reported)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "report": "cure", "from": "2026-03-01", "to": "2026-05-31", "cure": CURE,
    }  # fmt: skip


def test_a_report_as_csv_carries_the_same_lines(reported: str) -> None:
    result = run("report", "cure", "--format", "csv", db=reported)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{k: str(v) for k, v in line.items()} for line in CURE]


def test_a_report_as_a_table_shows_its_title_and_lines(reported: str) -> None:
    result = run("report", "aging", db=reported)
    assert result.returncode == 0, result.stderr
    assert "Open loans by bucket on 2026-05-31" in result.stdout
    assert "2212.00" in result.stdout and "1127.00" in result.stdout


def test_the_period_and_an_output_file(reported: str, tmp_path: Path) -> None:
    out = tmp_path / "cure.csv"
    result = run("report", "cure", "--from", "2026-04-01", "--to", "2026-04-30",
                 "--format", "csv", "--out", str(out), db=reported)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "wrote the cure report to" in result.stdout
    assert out.read_text(encoding="utf-8") == (
        "bucket,delinquent,cured,cure_rate_percent\nM1,1,0,0.0\nM2,2,0,0.0\ntotal,3,0,0.0\n"
    )


def test_every_report_runs_and_says_which_it_is_in_json(reported: str) -> None:
    # (the formats themselves are tested on cure and aging above: one renderer serves all)
    for name in ("aging", "roll-rates", "cure", "recovery", "vintage", "arms", "agents",
                 "intensity", "denials"):  # fmt: skip
        result = run("report", name, "--format", "json", db=reported)
        assert result.returncode == 0, (name, result.stderr)
        assert json.loads(result.stdout)["report"] == name, result.stderr


@pytest.mark.parametrize("name", ["aging", "roll-rates", "recovery", "vintage"])
def test_a_chart_is_a_real_png(reported: str, tmp_path: Path, name: str) -> None:
    chart = tmp_path / f"{name}.png"
    result = run("report", name, "--format", "csv", "--chart", str(chart), db=reported)
    assert result.returncode == 0, result.stderr
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"drew the {name} chart" in result.stderr
    assert not result.stdout.startswith("drew")  # the CSV on stdout is left clean


def test_a_chart_as_svg_is_an_svg_document_and_the_same_each_time(
    reported: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for path in (first, second):
        assert run("report", "roll-rates", "--chart", str(path), db=reported).returncode == 0
    drawn = first.read_text(encoding="utf-8")
    assert "<svg" in drawn and drawn.rstrip().endswith("</svg>")
    assert first.read_bytes() == second.read_bytes()


def test_a_chart_to_another_suffix_or_of_a_report_without_one_is_refused(
    reported: str, tmp_path: Path
) -> None:
    result = run("report", "aging", "--chart", str(tmp_path / "mix.jpg"), db=reported)
    assert result.returncode == 2
    assert "a chart is drawn to a .png or .svg file, not 'mix.jpg'" in result.stderr
    result = run("report", "cure", "--chart", str(tmp_path / "cure.png"), db=reported)
    assert result.returncode == 2
    assert "the cure report has no chart" in result.stderr
    assert not (tmp_path / "cure.png").exists()


def test_a_bad_date_or_a_backward_period_is_a_clear_error(reported: str) -> None:
    result = run("report", "aging", "--from", "2026-13-01", db=reported)
    assert result.returncode == 2
    assert "is not a date (YYYY-MM-DD)" in result.stderr
    result = run("report", "cure", "--from", "2026-05-01", "--to", "2026-04-01", db=reported)
    assert result.returncode != 0
    assert "the period starts on 2026-05-01, after its end 2026-04-01" in result.stderr
    assert "Traceback" not in result.stderr
