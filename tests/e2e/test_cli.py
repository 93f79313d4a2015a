"""The `arrears` command end to end: real process, real database, exit codes and output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import LOANS_HEADER, PAYMENTS_HEADER, import_files, write_csv

ARREARS = str(Path(sys.executable).parent / "arrears")


def run(
    *args: str, db: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARREARS_DATABASE_URL": db, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [ARREARS, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=300
    )


@pytest.fixture
def loaded(database_url: str, tmp_path: Path) -> str:
    loans = write_csv(
        tmp_path / "loans.csv",
        LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,USD,1000,9.99,3,2026-02-01,bullet,half_even,,Ann Lee",
    )
    payments = write_csv(tmp_path / "payments.csv", PAYMENTS_HEADER, "P1,L1,2026-02-15,1066.19")
    import_files(database_url, loans, payments)
    return database_url


def test_status_as_json_has_the_documented_keys_and_decimal_strings(loaded: str) -> None:
    result = run("status", "L1", "--as-of", "2026-04-01", "--format", "json", db=loaded)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert list(status)[:11] == [
        "loan_id", "as_of", "dpd", "bucket", "overdue_principal", "overdue_interest",
        "penalty", "fees", "total_overdue", "outstanding_principal", "payoff_amount",
    ]  # fmt: skip
    assert (status["dpd"], status["bucket"]) == (17, "M1")
    assert status["overdue_principal"] == "955.65"
    assert status["overdue_interest"] == "110.54"


def test_schedule_as_csv_has_the_documented_columns(loaded: str) -> None:
    result = run("schedule", "L1", "--format", "csv", db=loaded)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "seq",
        "due_date",
        "principal",
        "interest",
        "installment",
        "remaining_principal",
    ]
    assert rows[1] == ["1", "2026-02-15", "946.19", "120.00", "1066.19", "11053.81"]
    assert rows[-1][-1] == "0.00"
    assert len(rows) == 13


def test_export_writes_every_loan_with_its_id(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "status.csv"
    result = run("export", "status", "--as-of", "2026-04-01", "--out", str(out), db=loaded)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["loan_id"] for r in rows] == ["L1", "L2"]
    schedules = run("export", "schedules", db=loaded)
    lines = schedules.stdout.strip().splitlines()
    assert lines[0] == "loan_id,seq,due_date,principal,interest,installment,remaining_principal"
    assert len(lines) == 1 + 12 + 1


def test_portfolio_as_json_counts_loans_by_bucket(loaded: str) -> None:
    result = run("portfolio", "--as-of", "2026-04-01", "--format", "json", db=loaded)
    data = json.loads(result.stdout)
    assert data["by_currency"]["CNY"]["M1"]["loans"] == 1
    assert data["by_currency"]["USD"]["M0"]["loans"] == 1


def test_a_bad_file_exits_non_zero_naming_line_column_and_reason(
    database_url: str, tmp_path: Path
) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,CNY,abc,12,12,2026-01-15,equal_installment,half_up,,李伟",
        "L3,B3,CNY,100,12,0,2026-01-15,equal_installment,sideways,,张伟",
    )
    result = run("import", "loans", str(bad), db=database_url)
    assert result.returncode == 2
    assert "line 3, column principal" in result.stderr
    assert "line 4, column term_months" in result.stderr
    assert "line 4, column rounding" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr
    status = run("status", "L1", db=database_url)
    assert status.returncode == 3 and "no loan L1" in status.stderr


def test_skip_invalid_writes_rejects_with_reasons(database_url: str, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,CNY,abc,12,12,2026-01-15,equal_installment,half_up,,李伟",
    )
    rejects = tmp_path / "rejects.csv"
    result = run("import", "loans", str(bad), "--skip-invalid", str(rejects), db=database_url)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [(r["loan_id"], r["line"]) for r in rows] == [("L2", "3")]
    assert "principal" in rows[0]["reason"]


def test_payment_reverse_and_ledger_check_through_the_cli(loaded: str) -> None:
    before = run("status", "L1", "--as-of", "2026-04-01", "--format", "json", db=loaded).stdout
    posted = run("payment", "post", "--id", "P2", "--loan", "L1", "--on", "2026-03-15",
                 "--amount", "1066.19", db=loaded)  # fmt: skip
    assert posted.returncode == 0, posted.stderr
    conflict = run("payment", "post", "--id", "P2", "--loan", "L1", "--on", "2026-03-15",
                   "--amount", "1.00", db=loaded)  # fmt: skip
    assert conflict.returncode == 4 and "already stored" in conflict.stderr
    assert run("payment", "reverse", "P2", "--on", "2026-03-20", db=loaded).returncode == 0
    after = run("status", "L1", "--as-of", "2026-04-01", "--format", "json", db=loaded).stdout
    assert after == before
    assert run("ledger", "post", "--as-of", "2026-06-30", db=loaded).returncode == 0
    check = run("ledger", "check", db=loaded)
    assert check.returncode == 0 and "passed" in check.stdout


def test_commands_on_an_uninitialised_database_say_to_run_init(tmp_path: Path) -> None:
    result = run("status", "L1", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.returncode == 5
    assert "arrears init" in result.stderr


def test_products_load_versions_a_changed_product(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "products.toml"
    path.write_text("[products.cash_loan]\ngrace_days = 3\n", encoding="utf-8")
    assert "version 1" in run("products", "load", str(path), db=database_url).stdout
    assert "version 1" in run("products", "load", str(path), db=database_url).stdout
    path.write_text("[products.cash_loan]\ngrace_days = 5\n", encoding="utf-8")
    assert "version 2" in run("products", "load", str(path), db=database_url).stdout
    path.write_text("[products.cash_loan]\ngrace_days = -5\n", encoding="utf-8")
    bad = run("products", "load", str(path), db=database_url)
    assert bad.returncode == 2 and "grace_days" in bad.stderr


def test_the_demo_simulates_its_lender_with_two_arms_and_ends_with_reports_and_charts(
    tmp_path: Path,
) -> None:
    result = run("demo", "--borrowers", "300", "--days", "40", "--no-serve",
                 "--path", str(tmp_path / "demo.db"), db="sqlite:///unused.db",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "simulated outcomes by arm (40 days)" in out
    assert "champion" in out and "challenger" in out and "95 % CI" in out
    assert "loans by bucket on" in out and "actions permitted" in out and "call" in out
    assert "compliance gate denied or" in out
    assert "repayment arrangements the borrowers asked for" in out
    assert "ledger check: passed" in out
    assert "cycle check: passed" in out
    assert "sign in with password arrears-demo" in out
    assert "serving on" not in out  # --no-serve
    charts = tmp_path / "arrears-demo-charts"
    for name in ("aging", "roll-rates", "vintage", "recovery"):
        assert (charts / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run("ledger", "check", db=db).returncode == 0
    assert run("audit", "verify", db=db).returncode == 0
    made = json.loads(run("arrange", "list", "--format", "json", db=db).stdout)
    assert {a["kind"] for a in made} & {"plan", "settlement", "extension", "pause"}
    users = json.loads(run("user", "list", "--format", "json", db=db).stdout)
    roles = {u["role"] for u in users}
    assert roles == {"admin", "manager", "agent", "field_agent", "legal", "compliance", "borrower"}
    assert all(u["borrower_id"] for u in users if u["role"] == "borrower")
    agents = run("report", "agents", "--format", "json", db=db)
    assert agents.returncode == 0 and "sim.agent" in agents.stdout
    days = run("cycle", "--format", "json", "--as-of", "2026-01-01", db=db)
    assert days.returncode == 4, "a day before the demo's first cycle day cannot run"


def test_import_with_reader_processes_stores_every_loan(database_url: str, tmp_path: Path) -> None:
    rows = [
        f"L{k:05d},B{k:05d},CNY,{1000 + k}.00,12,6,2026-01-15,equal_principal,half_up,,王芳"
        for k in range(2500)
    ]
    loans = write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows)
    result = run("import", "loans", str(loans), "--readers", "2", db=database_url)
    assert result.returncode == 0, result.stderr
    assert "2500 written" in result.stdout
    assert run("ledger", "check", db=database_url).returncode == 0
    schedule = run("schedule", "L02499", "--format", "csv", db=database_url).stdout.splitlines()
    assert schedule[1] == "1,2026-02-15,583.17,34.99,618.16,2915.83"  # 3499.00 / 6, 1 % a month


LOANS_TO_KILL = 100_000  # enough that the import is still running when it is killed


@pytest.mark.parametrize("readers", ["1", "2"])
def test_an_import_killed_half_way_leaves_nothing_and_a_rerun_completes(
    database_url: str, tmp_path: Path, readers: str
) -> None:
    import signal
    import time

    from sqlalchemy import create_engine, text

    rows = [
        f"L{k:06d},B{k:06d},CNY,{1000 + k % 5000}.00,12,12,2026-01-15,equal_installment,half_up,,王芳"
        for k in range(LOANS_TO_KILL)
    ]
    loans = write_csv(tmp_path / "loans.csv", LOANS_HEADER, *rows)
    env = {**os.environ, "ARREARS_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [ARREARS, "import", "loans", str(loans), "--readers", readers],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.5)  # well into the import: rows checked and written, not yet committed
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM loan")).scalar_one() == 0
    engine.dispose()
    rerun = run("import", "loans", str(loans), "--readers", readers, db=database_url)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{LOANS_TO_KILL} written" in rerun.stdout
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        entries = connection.execute(text("SELECT COUNT(*) FROM journal_entry")).scalar_one()
        installments = connection.execute(text("SELECT COUNT(*) FROM installment")).scalar_one()
    engine.dispose()
    assert (entries, installments) == (LOANS_TO_KILL, 12 * LOANS_TO_KILL)
