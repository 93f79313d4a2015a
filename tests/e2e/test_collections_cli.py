"""`arrears contact`, `arrears borrower` and `arrears promise` end to end: real process, real database."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from arrears.settings import Settings
from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, import_files, write_csv


def _today() -> date:
    """Today as the CLI sees it: in the portfolio's zone."""
    return datetime.now(ZoneInfo(Settings().timezone)).date()


@pytest.fixture
def loaded(database_url: str, tmp_path: Path) -> str:
    loans = write_csv(
        tmp_path / "loans.csv",
        LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,JPY,100000,5,3,2026-02-01,bullet,half_even,,Aiko",
    )
    import_files(database_url, loans)
    return database_url


def test_a_promise_added_is_listed_with_its_amount_and_dates(loaded: str) -> None:
    # given a promise of 300.00 on L1 due in 5 days
    due = _today() + timedelta(days=5)
    added = run(
        "promise", "add", "L1", "--amount", "300.00", "--date", str(due), "--id", "P1", db=loaded
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"promise P1 recorded for loan L1: 300.00 by {due}"
    # when the same promise is added again
    again = run(
        "promise", "add", "L1", "--amount", "300", "--date", str(due), "--id", "P1", db=loaded
    )
    assert again.returncode == 0, again.stderr
    # then it is listed once, open
    listed = run("promise", "list", "--loan", "L1", "--format", "json", db=loaded)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "promise_id": "P1",
            "loan_id": "L1",
            "borrower_id": "B1",
            "amount": "300.00",
            "currency": "CNY",
            "made_on": _today().isoformat(),
            "due_date": due.isoformat(),
            "status": "open",
            "settled_on": None,
            "paid": None,
            "source": "cli",
        }
    ]
    cancelled = run("promise", "cancel", "P1", db=loaded)
    assert cancelled.returncode == 0 and "promise P1 cancelled" in cancelled.stdout
    table = run("promise", "list", "--status", "cancelled", db=loaded)
    assert "P1" in table.stdout and "cancelled" in table.stdout


@pytest.mark.parametrize(
    ("loan_id", "amount", "days", "code", "message"),
    [
        ("L1", "300.001", 5, 2, "error: 300.001 has more decimals than CNY allows"),
        ("L2", "100.5", 5, 2, "error: 100.5 has more decimals than JPY allows"),
        ("L1", "-1", 5, 2, "error: the promised amount must be positive, not -1"),
        ("L1", "abc", 5, 2, "'abc' is not an amount"),
        ("L1", "300", 31, 2, "must be due within 30 days"),
        ("L9", "300", 5, 3, "error: no loan L9 is stored"),
    ],
)
def test_a_bad_promise_gives_a_clear_error_and_exit_code_without_a_stack_trace(
    loaded: str, loan_id: str, amount: str, days: int, code: int, message: str
) -> None:
    due = _today() + timedelta(days=days)
    result = run("promise", "add", loan_id, "--amount", amount, "--date", str(due), db=loaded)
    assert result.returncode == code
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert json.loads(run("promise", "list", "--format", "json", db=loaded).stdout) == []


def test_a_second_open_promise_on_a_loan_exits_with_the_conflict_code(loaded: str) -> None:
    due = str(_today() + timedelta(days=3))
    assert run("promise", "add", "L1", "--amount", "10", "--date", due, db=loaded).returncode == 0
    second = run("promise", "add", "L1", "--amount", "20", "--date", due, db=loaded)
    assert second.returncode == 4
    assert "already has an open promise" in second.stderr


def test_contact_attempts_roll_up_into_the_borrowers_status(loaded: str) -> None:
    # given a refusal and a missed call after it, and a flag
    for args in (
        ("--channel", "call", "--outcome", "refused", "--at", "2026-03-02T10:00+08:00"),
        ("--channel", "call", "--outcome", "no_answer", "--at", "2026-03-03T02:00Z"),
    ):
        result = run("contact", "add", "B1", "--loan", "L1", *args, db=loaded)
        assert result.returncode == 0, result.stderr
    assert run("borrower", "flag", "B1", "dispute", db=loaded).returncode == 0
    # when the status is asked for
    status = run("contact", "status", "B1", "--format", "json", db=loaded)
    # then it shows the refusal, one miss since, and the flag, in the portfolio's zone
    assert json.loads(status.stdout) == {
        "borrower_id": "B1",
        "attempts": 2,
        "last_attempt_at": "2026-03-03T10:00:00+08:00",
        "last_reached_at": "2026-03-02T10:00:00+08:00",
        "unreached_since_reached": 1,
        "lost_contact": False,
        "lost_contact_after": 10,
        "refused": True,
        "refused_at": "2026-03-02T10:00:00+08:00",
        "flags": ["dispute"],
    }
    listed = json.loads(run("contact", "list", "B1", "--format", "json", db=loaded).stdout)
    assert [(a["outcome"], a["loan_id"]) for a in listed] == [
        ("refused", "L1"),
        ("no_answer", "L1"),
    ]


def test_a_bad_attempt_exits_with_a_reason(loaded: str) -> None:
    wrong_loan = run(
        "contact",
        "add",
        "B1",
        "--loan",
        "L2",
        "--channel",
        "call",
        "--outcome",
        "reached",
        db=loaded,
    )
    assert wrong_loan.returncode == 2
    assert "loan L2 belongs to borrower B2, not B1" in wrong_loan.stderr
    unknown = run("contact", "add", "B9", "--channel", "sms", "--outcome", "delivered", db=loaded)
    assert unknown.returncode == 3 and "no borrower B9 is stored" in unknown.stderr
    bad_time = run(
        "contact",
        "add",
        "B1",
        "--channel",
        "call",
        "--outcome",
        "busy",
        "--at",
        "yesterday",
        db=loaded,
    )
    assert bad_time.returncode == 2 and "'yesterday' is not a time" in bad_time.stderr
    for result in (wrong_loan, unknown, bad_time):
        assert "Traceback" not in result.stderr
