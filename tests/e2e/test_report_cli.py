"""``arrears report arrangements`` end to end: every format, a file, the period, errors.

The portfolio (product ``flat``: 0 % loans, 罚息 at 36.5 % a year — 1.00 a day on
1,000.00 —, a late fee of 50.00; the shipped policy ``cn-standard`` from ``init``):
    L1, CNY, 1,000.00 due 15 March: on 1 April it owes 1,000.00 + 17.00 罚息 + 50.00 fee.
        A plan P1 waives half the 罚息 (8.50): 1,058.50 in 200.00 and 858.50 — within
        the policy, active at once.
    L2, USD, the same: a settlement S1 of 900.00 would be a discount of 150.00 in M1,
        where cn-standard allows none: it waits for a manager, who rejects it.
No daily cycle has run, so there is no cure line but the empty total; the journal is
brought to 2 April, which posts P1's waiver.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, write_csv
from tests.support.databases import module_database

PRODUCTS = """
[products.flat]
late_fee_minor = 5000
penalty_annual_rate_percent = "36.5"
"""


@pytest.fixture(scope="module")
def reported(
    _template: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """Built once: the tests only read it."""
    with module_database("report_cli", _template, tmp_path_factory, pytestconfig) as url:
        _build(url, tmp_path_factory.mktemp("report-cli"))
        yield url


def _build(database_url: str, tmp_path: Path) -> None:
    products = tmp_path / "products.toml"
    products.write_text(PRODUCTS, encoding="utf-8")
    loans = write_csv(
        tmp_path / "loans.csv",
        LOANS_HEADER,
        "L1,B1,CNY,1000,0,1,2026-02-15,equal_principal,half_up,flat,王芳",
        "L2,B2,USD,1000,0,1,2026-02-15,equal_principal,half_up,flat,Ann Lee",
    )
    for args in (
        ("init",),
        ("products", "load", str(products)),
        ("import", "loans", str(loans)),
        ("arrange", "create", "L1", "--kind", "plan", "--instalments", "2", "--down-payment",
         "200", "--waive-penalty-percent", "50", "--first-date", "2026-04-08",
         "--as-of", "2026-04-01", "--id", "P1"),
        ("arrange", "create", "L2", "--kind", "settlement", "--amount", "900",
         "--first-date", "2026-04-08", "--as-of", "2026-04-01", "--id", "S1"),
        ("arrange", "reject", "S1", "--by", "zhao.min", "--as-of", "2026-04-02"),
        ("ledger", "post", "--as-of", "2026-04-02"),
    ):  # fmt: skip
        result = run(*args, db=database_url)
        assert result.returncode == 0, (args, result.stderr)


MADE = [
    {"kind": "plan", "bucket": "M1", "made": 1, "active": 1, "kept": 0, "broken": 0,
     "cancelled": 0, "pending": 0, "withdrawn": 0, "rejected": 0, "kept_rate_percent": None},
    {"kind": "settlement", "bucket": "M1", "made": 0, "active": 0, "kept": 0, "broken": 0,
     "cancelled": 0, "pending": 0, "withdrawn": 0, "rejected": 1, "kept_rate_percent": None},
    {"kind": "total", "bucket": None, "made": 1, "active": 1, "kept": 0, "broken": 0,
     "cancelled": 0, "pending": 0, "withdrawn": 0, "rejected": 1, "kept_rate_percent": None},
]  # fmt: skip
MONEY = [
    {"kind": "plan", "currency": "CNY", "made": 1, "to_pay": "1058.50", "recovered": "0.00",
     "waived": "8.50", "fees": "0.00"},
    {"kind": "total", "currency": "CNY", "made": 1, "to_pay": "1058.50", "recovered": "0.00",
     "waived": "8.50", "fees": "0.00"},
]  # fmt: skip


def test_the_report_as_json_has_the_three_tables_with_exact_figures(reported: str) -> None:
    result = run("report", "arrangements", "--format", "json", db=reported)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "quoted_from": None,
        "quoted_to": None,
        "last_cycle_day": None,
        "cure_after_days": 30,
        "ended_by": None,
        "made": MADE,
        "money": MONEY,
        "cure": [{"kind": "total", "ended": 0, "current": 0, "cure_rate_percent": None}],
    }


def test_the_report_as_csv_has_a_section_per_table_or_the_one_asked_for(reported: str) -> None:
    result = run("report", "arrangements", "--format", "csv", db=reported)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "made\n"
        "kind,bucket,made,active,kept,broken,cancelled,pending,withdrawn,rejected,"
        "kept_rate_percent\n"
        "plan,M1,1,1,0,0,0,0,0,0,\n"
        "settlement,M1,0,0,0,0,0,0,0,1,\n"
        "total,,1,1,0,0,0,0,0,1,\n"
        "\n"
        "money\n"
        "kind,currency,made,to_pay,recovered,waived,fees\n"
        "plan,CNY,1,1058.50,0.00,8.50,0.00\n"
        "total,CNY,1,1058.50,0.00,8.50,0.00\n"
        "\n"
        "cure\n"
        "kind,ended,current,cure_rate_percent\n"
        "total,0,0,\n"
    )
    money = run("report", "arrangements", "--format", "csv", "--table", "money", db=reported)
    rows = list(csv.DictReader(io.StringIO(money.stdout)))
    assert rows == [{**line, "made": str(line["made"])} for line in MONEY]


def test_the_report_as_tables_shows_each_with_its_title(reported: str) -> None:
    result = run("report", "arrangements", db=reported)
    assert result.returncode == 0, result.stderr
    cells = [  # the cells of each table row, between its borders
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]
    assert cells[0] == ["plan", "M1", "1", "1", "0", "0", "0", "0", "0", "0", ""]
    assert ["plan", "CNY", "1", "1058.50", "0.00", "8.50", "0.00"] in cells
    assert ["total", "0", "0", ""] in cells
    words = " ".join(result.stdout.split())  # a title wraps at its table's width
    assert "Arrangements quoted on any day: made, kept and broken by kind and bucket" in words
    assert "Cure rate after arrangements: no daily cycle has run yet" in words


def test_the_report_goes_to_a_file_and_the_period_chooses_what_is_counted(
    reported: str, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = run(
        "report", "arrangements", "--from", "2026-04-02", "--format", "json", "--out", str(out),
        db=reported,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote the arrangements report to {out}\n"
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["quoted_from"] == "2026-04-02"
    assert [line["made"] for line in written["made"]] == [0]  # both were quoted on 1 April
    assert written["money"] == []
    through = run("report", "arrangements", "--to", "2026-04-01", "--table", "made",
                  "--format", "json", db=reported)  # fmt: skip
    assert list(json.loads(through.stdout)) == [
        "quoted_from", "quoted_to", "last_cycle_day", "cure_after_days", "ended_by", "made",
    ]  # fmt: skip
    assert json.loads(through.stdout)["made"] == MADE


def test_a_bad_period_exits_2_with_the_reason(reported: str) -> None:
    backwards = run("report", "arrangements", "--from", "2026-05-01", "--to", "2026-04-01",
                    db=reported)  # fmt: skip
    assert backwards.returncode == 2
    assert "the period starts on 2026-05-01, after its end 2026-04-01" in backwards.stderr
    not_a_date = run("report", "arrangements", "--from", "1 May", db=reported)
    assert not_a_date.returncode == 2
    assert "'1 May' is not a date" in not_a_date.stderr
    assert "Traceback" not in backwards.stderr + not_a_date.stderr
