"""Imports, payments, reversals and the journal on a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from arrears.domain.records import PaymentRecord
from arrears.entrypoints.bootstrap import App
from arrears.services import accruals, ledger_check, payments, queries
from arrears.services.errors import Conflict, NotFound
from tests.helpers import (
    LOANS_HEADER,
    NOW,
    PAYMENTS_HEADER,
    import_loans_file,
    import_payments_file,
    write_csv,
)

LOANS = (
    "L1,B1,CNY,12000,12,12,2026-01-15,equal_installment,half_up,cash_loan,王芳",
    "L2,B2,CNY,6000.00,18.5,6,2026-03-31,equal_principal,up,,李伟",
    "L3,B3,JPY,100000,9.99,3,2026-02-01,bullet,half_even,,Aiko",
)


@pytest.fixture
def loaded(app: App, tmp_path: Path) -> App:
    report = import_loans_file(app, write_csv(tmp_path / "loans.csv", LOANS_HEADER, *LOANS))
    assert (report.written, report.findings) == (3, [])
    return app


def _count(app: App, table: str) -> int:
    with app.engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _pay(app: App, payment_id: str, loan_id: str, paid_on: date, amount: str) -> None:
    record = PaymentRecord(payment_id, loan_id, paid_on, Decimal(amount))
    payments.post_payment(app.uow_factory, record, NOW)


def _status(app: App, loan_id: str, as_of: date):  # type: ignore[no-untyped-def]
    state = queries.loan_status(app.uow_factory, loan_id, as_of)
    return dataclasses.replace(state, payment_allocations={})


def test_importing_loans_stores_schedules_and_balanced_disbursements(loaded: App) -> None:
    assert _count(loaded, "loan") == 3
    assert _count(loaded, "installment") == 12 + 6 + 1
    assert _count(loaded, "journal_entry") == 3
    assert ledger_check.check_ledger(loaded.uow_factory) == []
    _terms, schedule = queries.loan_schedule(loaded.uow_factory, "L1")
    assert sum(i.principal_minor for i in schedule) == 1_200_000
    assert schedule[0].installment_minor == 106_619


def test_importing_the_same_file_again_changes_nothing(loaded: App, tmp_path: Path) -> None:
    again = import_loans_file(loaded, write_csv(tmp_path / "again.csv", LOANS_HEADER, *LOANS))
    assert (again.written, again.unchanged, again.findings) == (0, 3, [])
    assert _count(loaded, "journal_entry") == 3


def test_a_bad_file_reports_every_bad_row_and_writes_nothing(app: App, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        LOANS_HEADER,
        LOANS[0],
        "L9,B9,CNY,-5,12,12,2026-01-15,equal_installment,half_up,,x",
        "L10,B10,XXX,100,12,12,2026-02-30,annuity,half_up,,y",
        "L11,B11,CNY,100,12.12345,12,2026-01-15,bullet,half_up,,z",
    )
    report = import_loans_file(app, bad)
    lines = sorted({f.line for f in report.findings})
    assert lines == [3, 4, 5]
    columns = {(f.line, f.column) for f in report.findings}
    assert {
        (3, "principal"),
        (4, "currency"),
        (4, "start_date"),
        (4, "repayment_method"),
    } <= columns
    assert (5, "annual_rate") in columns
    assert _count(app, "loan") == 0


def test_skip_invalid_writes_the_good_rows_and_hands_back_the_bad(app: App, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv", LOANS_HEADER, LOANS[0], "L9,B9,CNY,-5,12,12,2026-01-15,bullet,up,,x"
    )
    rejected = []
    report = import_loans_file(
        app, bad, skip_invalid=True, on_reject=lambda row, found: rejected.append((row.line, found))
    )
    assert (report.written, report.rejected) == (1, 1)
    assert [line for line, _ in rejected] == [3]
    assert _count(app, "loan") == 1


def test_a_known_loan_id_with_other_terms_is_refused(loaded: App, tmp_path: Path) -> None:
    changed = LOANS[0].replace("12000", "13000")
    report = import_loans_file(loaded, write_csv(tmp_path / "c.csv", LOANS_HEADER, changed))
    assert [(f.code, f.line, f.column) for f in report.findings] == [
        ("conflicting_id", 2, "loan_id")
    ]


def test_payments_are_checked_against_their_loans(loaded: App, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        PAYMENTS_HEADER + ",currency",
        "P1,L1,2026-02-15,1066.19,CNY",
        "P2,NOPE,2026-02-15,10,",
        "P3,L1,2026-02-15,10,USD",
        "P4,L3,2026-03-01,10.5,",
        "P5,L1,2025-12-31,10,",
    )
    report = import_payments_file(loaded, path)
    found = sorted((f.line, f.code) for f in report.findings)
    assert found == [
        (3, "unknown_loan"),
        (4, "currency_mismatch"),
        (5, "bad_amount"),
        (6, "out_of_range"),
    ]
    assert _count(loaded, "payment") == 0


def test_a_payment_posted_twice_is_applied_once(loaded: App) -> None:
    _pay(loaded, "P1", "L1", date(2026, 2, 15), "1066.19")
    _pay(loaded, "P1", "L1", date(2026, 2, 15), "1066.19")
    assert _count(loaded, "payment") == 1
    state = queries.loan_status(loaded.uow_factory, "L1", date(2026, 2, 16))
    assert state.outstanding_principal_minor == 1_200_000 - 94_619


def test_the_same_payment_id_with_another_amount_is_refused(loaded: App) -> None:
    _pay(loaded, "P1", "L1", date(2026, 2, 15), "1066.19")
    with pytest.raises(Conflict, match="already stored"):
        _pay(loaded, "P1", "L1", date(2026, 2, 15), "1000.00")


def test_a_reversal_restores_the_state_before_the_payment(loaded: App) -> None:
    _pay(loaded, "P1", "L1", date(2026, 2, 15), "1066.19")
    before = _status(loaded, "L1", date(2026, 5, 1))
    _pay(loaded, "P2", "L1", date(2026, 3, 20), "800")
    _pay(loaded, "P3", "L1", date(2026, 4, 20), "1500")
    assert _status(loaded, "L1", date(2026, 5, 1)) != before
    payments.reverse_payment(loaded.uow_factory, "P2", date(2026, 3, 25), "bounced", NOW)
    payments.reverse_payment(loaded.uow_factory, "P3", date(2026, 4, 25), "bounced", NOW)
    assert _status(loaded, "L1", date(2026, 5, 1)) == before
    assert ledger_check.check_ledger(loaded.uow_factory) == []


def test_reversing_an_unknown_payment_is_a_clear_error(loaded: App) -> None:
    with pytest.raises(NotFound, match="no payment P404"):
        payments.reverse_payment(loaded.uow_factory, "P404", date(2026, 3, 25), "bounced", NOW)


def test_a_backdated_payment_gives_the_same_answer_as_one_entered_in_order(
    loaded: App, app_factory_pair: tuple[App, App]
) -> None:
    in_order, backdated = app_factory_pair
    for target, sequence in ((in_order, ["A", "B"]), (backdated, ["B", "A"])):
        for name in sequence:
            paid_on = date(2026, 2, 15) if name == "A" else date(2026, 4, 2)
            _pay(target, name, "L1", paid_on, "1066.19")
    as_of = date(2026, 6, 1)
    assert _status(in_order, "L1", as_of) == _status(backdated, "L1", as_of)
    accruals.post_accruals(backdated.uow_factory, as_of, NOW)
    assert ledger_check.check_ledger(backdated.uow_factory) == []


@pytest.fixture
def app_factory_pair(loaded: App, tmp_path_factory: pytest.TempPathFactory) -> tuple[App, App]:
    """Two ledgers with the same loans: the loaded one, and a second on a fresh SQLite file."""
    from arrears.settings import load_settings

    second = App(load_settings(f"sqlite:///{tmp_path_factory.mktemp('second') / 'b.db'}"))
    second.init()
    path = tmp_path_factory.mktemp("loans") / "loans.csv"
    import_loans_file(second, write_csv(path, LOANS_HEADER, *LOANS))
    return loaded, second


def test_posting_accruals_recognises_interest_penalty_and_fees(loaded: App) -> None:
    posted = accruals.post_accruals(loaded.uow_factory, date(2026, 4, 1), NOW)
    assert posted > 0
    with loaded.uow() as uow:
        balances = uow.ledger.balances("L1")
    state = queries.loan_status(loaded.uow_factory, "L1", date(2026, 4, 1))
    assert balances["interest_receivable"] == state.interest_recognized_minor
    assert balances["penalty_receivable"] == state.penalty_accrued_minor > 0
    assert balances["principal_receivable"] == state.outstanding_principal_minor
    assert accruals.post_accruals(loaded.uow_factory, date(2026, 4, 1), NOW) == 0


@pytest.mark.corrupts_ledger
def test_ledger_check_names_a_cached_balance_that_drifted(loaded: App) -> None:
    with loaded.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE loan_balance SET balance_minor = balance_minor + 1 WHERE loan_id = 'L2'"
                " AND account = 'principal_receivable'"
            )
        )
    findings = ledger_check.check_ledger(loaded.uow_factory)
    assert [(f.code, f.subject) for f in findings] == [("balance_mismatch", "loan L2")]
    assert "principal_receivable" in findings[0].message


@pytest.mark.corrupts_ledger
def test_ledger_check_names_an_unbalanced_entry(loaded: App) -> None:
    with loaded.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE journal_posting SET amount_minor = amount_minor - 5 WHERE loan_id = 'L3'"
                " AND account = 'funding'"
            )
        )
    codes = {(f.code, f.subject) for f in ledger_check.check_ledger(loaded.uow_factory)}
    assert ("unbalanced_entry", "loan L3") in codes


def test_status_of_an_unknown_loan_is_not_found(loaded: App) -> None:
    with pytest.raises(NotFound):
        queries.loan_status(loaded.uow_factory, "NOPE", date(2026, 5, 1))
