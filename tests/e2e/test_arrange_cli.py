"""`arrears arrange quote|create|list|show|approve|reject|cancel` end to end: a real process,
a real database, exit codes and output.

L1: 12,000.00 CNY at 12 %, 等额本息 over 12 months from 2026-01-15 (1,066.19 a month),
nothing paid. On 2026-04-01 it owes 2,132.38 of two instalments and 29.14 of 罚息
(45 days × 0.47 on the first, 17 × 0.47 on the second). The shipped policy
cn-standard is active (`arrears init`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run
from tests.helpers import LOANS_HEADER, import_files, initialise, write_csv

QUOTE_KEYS = [
    "kind", "loan_id", "currency", "instalments", "total_to_pay", "waived", "fee",
    "within_policy", "needs_approval_by", "reasons",
]  # fmt: skip


@pytest.fixture
def loaded(database_url: str, tmp_path: Path) -> str:
    loans = write_csv(
        tmp_path / "loans.csv",
        LOANS_HEADER,
        "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,,王芳",
        "L2,B2,CNY,6000,12,6,2026-01-15,equal_installment,half_up,,李伟",
    )
    initialise(database_url)
    import_files(database_url, loans)
    return database_url


def _plan(*more: str, command: str = "quote", loan: str = "L1") -> list[str]:
    return ["arrange", command, loan, "--kind", "plan", "--as-of", "2026-04-01", *more]


def test_a_quote_as_json_has_the_documented_keys_and_decimal_strings(loaded: str) -> None:
    result = run(*_plan("--instalments", "3", "--format", "json"), db=loaded)
    assert result.returncode == 0, result.stderr
    quote = json.loads(result.stdout)
    assert list(quote) == QUOTE_KEYS
    assert quote == {
        "kind": "plan",
        "loan_id": "L1",
        "currency": "CNY",
        "instalments": [
            {"due_date": "2026-04-08", "amount": "720.50"},
            {"due_date": "2026-05-08", "amount": "720.50"},
            {"due_date": "2026-06-08", "amount": "720.52"},
        ],
        "total_to_pay": "2161.52",
        "waived": "0.00",
        "fee": "0.00",
        "within_policy": True,
        "needs_approval_by": None,
        "reasons": [],
    }


def test_a_quote_as_a_table_shows_the_schedule_and_who_must_approve(loaded: str) -> None:
    result = run(*_plan("--instalments", "13"), db=loaded)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "plan on loan L1, taking effect at the end of 2026-04-01 (CNY):"
    assert "│ 13 │ 2027-04-08 │ 166.28 │" in result.stdout
    assert lines[-4:] == [
        "needs approval by: manager",
        "  - 13 instalments is more than the 12 allowed",
        "  - 372 days is longer than the 365 allowed",
        "  - a down payment of 7.69 % is below the 10 % required",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--instalments", "0"],
            2,
            "error: cannot quote a repayment plan on loan L1: instalments: must",
        ),
        (["--instalments", "2", "--fee", "5"], 2, "fee: does not apply to a plan"),
        (["--instalments", "2", "--down-payment", "1.001"], 2, "1.001 has more decimals"),
        (["--down-payment", "abc"], 2, "'abc' is not a number"),
        (["--first-date", "April"], 2, "'April' is not a date (YYYY-MM-DD)"),
    ],
)
def test_a_bad_quote_says_what_is_wrong_and_exits_2(
    loaded: str, args: list[str], code: int, message: str
) -> None:
    result = run(*_plan(*args), db=loaded)
    assert result.returncode == code
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_an_unknown_loan_exits_3(loaded: str) -> None:
    result = run("arrange", "quote", "L9", "--kind", "pause", "--days", "30", db=loaded)
    assert result.returncode == 3
    assert "error: no loan L9 is stored" in result.stderr


def test_an_arrangement_beyond_the_policy_waits_and_is_approved(loaded: str) -> None:
    # given a plan of 13 instalments, beyond cn-standard's 12
    made = run(*_plan("--instalments", "13", "--id", "A1", "--by", "wang",
                      command="create"), db=loaded)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == (
        "arrangement A1 (plan) on loan L1 is pending approval by manager: 2161.52 CNY in 13"
        " instalment(s)"
    )
    # the same id and request again changes nothing; a second arrangement is a conflict
    again = run(*_plan("--instalments", "13", "--id", "A1", command="create"), db=loaded)
    assert again.returncode == 0 and again.stdout == made.stdout
    other = run(*_plan("--instalments", "2", command="create"), db=loaded)
    assert other.returncode == 4
    assert "loan L1 already has a pending plan A1" in " ".join(other.stderr.split())
    # when an agent approves it, then a manager
    agent = run("arrange", "approve", "A1", "--by", "li", "--role", "agent",
                "--as-of", "2026-04-02", db=loaded)  # fmt: skip
    assert agent.returncode == 2
    assert "needs approval by a manager; an agent may not approve it" in " ".join(
        agent.stderr.split()
    )
    approved = run("arrange", "approve", "A1", "--by", "zhao", "--as-of", "2026-04-02", db=loaded)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout == (
        "arrangement A1 approved by zhao (manager): active from 2026-04-02\n"
    )
    # then it is listed active, from the day it was approved
    listed = json.loads(run("arrange", "list", "--format", "json", db=loaded).stdout)
    assert [
        (r["arrangement_id"], r["status"], r["starts_on"], r["decided_by"]) for r in listed
    ] == [("A1", "active", "2026-04-02", "zhao")]


def test_show_gives_the_instalments_and_the_loans_figures(loaded: str) -> None:
    made = run(*_plan("--instalments", "3", "--id", "A1", command="create"), db=loaded)
    assert made.stdout == (
        "arrangement A1 (plan) on loan L1 is active from 2026-04-01: 2161.52 CNY in 3"
        " instalment(s)\n"
    )
    shown = json.loads(run("arrange", "show", "A1", "--format", "json", db=loaded).stdout)
    assert shown["instalments"] == [
        {"seq": 1001, "due_date": "2026-04-08", "amount": "720.50", "status": "open", "paid": "0.00"},
        {"seq": 1002, "due_date": "2026-05-08", "amount": "720.50", "status": "open", "paid": "0.00"},
        {"seq": 1003, "due_date": "2026-06-08", "amount": "720.52", "status": "open", "paid": "0.00"},
    ]  # fmt: skip
    assert (shown["status"], shown["policy"], shown["total_to_pay"]) == (
        "active",
        "cn-standard",
        "2161.52",
    )
    assert set(shown["loan"]) == {
        "as_of", "dpd", "bucket", "total_overdue", "outstanding_principal", "payoff_amount",
    }  # fmt: skip
    table = run("arrange", "show", "A1", db=loaded)
    assert table.returncode == 0 and "│ 1003 │ 2026-06-08 │ 720.52 │ open" in table.stdout


def test_cancel_and_reject_end_an_arrangement(loaded: str) -> None:
    assert run(*_plan("--instalments", "3", "--id", "A1", command="create"),
               db=loaded).returncode == 0  # fmt: skip
    cancelled = run("arrange", "cancel", "A1", "--as-of", "2026-04-03", db=loaded)
    assert cancelled.stdout == "arrangement A1 cancelled\n"
    again = run("arrange", "cancel", "A1", db=loaded)
    assert again.stdout == "arrangement A1 was already cancelled\n"
    # after the cancellation (the end of 3 April) the loan owes its instalments again
    pending = run(
        "arrange", "create", "L1", "--kind", "plan", "--instalments", "13", "--id", "A2",
        "--as-of", "2026-04-05", db=loaded,
    )  # fmt: skip
    assert pending.returncode == 0, pending.stderr
    rejected = run("arrange", "reject", "A2", "--by", "zhao", "--as-of", "2026-04-06", db=loaded)
    assert rejected.stdout == "arrangement A2 rejected by zhao\n"
    late = run("arrange", "cancel", "A2", db=loaded)
    assert late.returncode == 4
    assert "arrangement A2 was already rejected on 2026-04-06" in late.stderr
    listed = json.loads(
        run("arrange", "list", "--loan", "L1", "--format", "json", db=loaded).stdout
    )
    assert [(r["arrangement_id"], r["status"], r["ends_on"]) for r in listed] == [
        ("A1", "cancelled", "2026-04-03"),
        ("A2", "rejected", "2026-04-06"),
    ]
    missing = run("arrange", "show", "A9", db=loaded)
    assert missing.returncode == 3 and "no arrangement A9 is stored" in missing.stderr


def test_a_promise_made_as_an_arrangement_is_a_promise_to_pay(loaded: str) -> None:
    made = run(
        "arrange", "create", "L2", "--kind", "promise", "--amount", "300", "--first-date",
        "2026-04-10", "--as-of", "2026-04-01", "--id", "P1", db=loaded,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout == (
        "arrangement P1 (promise) on loan L2 is open from 2026-04-01: 300.00 CNY in 1"
        " instalment(s)\n"
    )
    promises = json.loads(run("promise", "list", "--format", "json", db=loaded).stdout)
    assert [(p["promise_id"], p["amount"], p["due_date"]) for p in promises] == [
        ("P1", "300.00", "2026-04-10")
    ]
    listed = json.loads(
        run("arrange", "list", "--kind", "promise", "--format", "json", db=loaded).stdout
    )
    assert [(r["arrangement_id"], r["kind"], r["status"]) for r in listed] == [
        ("P1", "promise", "open")
    ]
    assert run("arrange", "cancel", "P1", db=loaded).stdout == "arrangement P1 cancelled\n"


def test_list_and_show_give_the_loans_bucket_and_dpd_on_the_day_it_was_quoted(
    loaded: str,
) -> None:
    # given a plan quoted on 1 April, when L1 is 45 days past due (M2), and a promise on L2
    assert run(*_plan("--instalments", "3", "--id", "A1", command="create"),
               db=loaded).returncode == 0  # fmt: skip
    promised = run(
        "arrange", "create", "L2", "--kind", "promise", "--amount", "300", "--first-date",
        "2026-04-10", "--as-of", "2026-04-01", "--id", "P1", db=loaded,
    )  # fmt: skip
    assert promised.returncode == 0, promised.stderr
    # when they are listed and shown
    listed = json.loads(run("arrange", "list", "--format", "json", db=loaded).stdout)
    shown = json.loads(run("arrange", "show", "A1", "--format", "json", db=loaded).stdout)
    table = run("arrange", "list", "--kind", "plan", db=loaded).stdout
    fields = run("arrange", "show", "A1", db=loaded).stdout
    # then the plan carries the bucket and DPD it was quoted at; a promise records none
    assert {r["arrangement_id"]: (r["bucket"], r["dpd"]) for r in listed} == {
        "A1": ("M2", 45),
        "P1": (None, None),
    }
    assert list(listed[0])[8:10] == ["bucket", "dpd"]  # after quoted_on
    assert (shown["quoted_on"], shown["bucket"], shown["dpd"]) == ("2026-04-01", "M2", 45)
    assert _cells(table, "┃ arrangement_id")[4:7] == ["quoted_on", "bucket", "dpd"]
    assert _cells(table, "│ A1")[4:7] == ["2026-04-01", "M2", "45"]
    assert (_cells(fields, "│ bucket"), _cells(fields, "│ dpd")) == (
        ["bucket", "M2"],
        ["dpd", "45"],
    )


def _cells(table: str, start: str) -> list[str]:
    """The cells of the first line of a printed table that starts with ``start``."""
    line = next(line for line in table.splitlines() if line.startswith(start))
    return [cell.strip() for cell in line.strip("│┃").replace("┃", "│").split("│")]
