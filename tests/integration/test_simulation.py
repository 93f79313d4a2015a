"""The simulator end to end over a small synthetic lender, on SQLite and PostgreSQL: it
goes through the real cycle, gate, channels and arrangements, its money lands in the
ledger, and a seed repeats a run exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.simulator import (
    SimulatorSetup,
    build_lender,
    shipped_challenger,
    simulate,
    with_challenger,
)
from arrears.services import cycle_check, ledger_check
from arrears.services.errors import InvalidInput
from arrears.services.simulation import Simulation
from arrears.services.simulation_outcomes import outcomes

SETUP = SimulatorSetup(
    borrowers=80, days=12, seed=11, challenger_text=shipped_challenger("cn"),
    share_percent=Decimal(50), end=date(2026, 11, 29),
)  # fmt: skip


def run(app: App, setup: SimulatorSetup = SETUP) -> Simulation:
    app.init()
    return simulate(build_lender(app, setup), setup)


def rows(app: App, sql: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_a_simulation_runs_through_the_real_system_and_its_money_lands_in_the_ledger(
    app_factory: Callable[[], App],
):
    app = app_factory()
    simulation = run(app)
    book = simulation.book
    # every simulated day was a daily cycle of the real system
    days = rows(app, "SELECT COUNT(*) FROM cycle_day")[0][0]
    assert days == SETUP.days + 1  # the start day builds the book
    # the payments the borrowers decided are the ledger's payments of those days
    paid = rows(
        app, "SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE payment_id LIKE 'sim:%'"
    )
    assert paid[0][0] == int(book.paid_minor.sum()) > 0
    # the agent team called under permits: each attempt carries its permitted action and arm
    attempts = rows(
        app,
        "SELECT c.arm, a.arm, a.status, a.channel FROM contact_attempt c"
        " JOIN action a ON a.action_id = c.action_id WHERE c.agent LIKE 'sim.%'",
    )
    assert attempts, "the team made no call"
    assert all(
        arm == action_arm and status == "permitted" for arm, action_arm, status, _ in attempts
    )
    assert {channel for *_, channel in attempts} <= {"call", "field_visit"}
    assert rows(app, "SELECT COUNT(*) FROM contact_attempt WHERE action_id IS NULL "
                     "AND agent LIKE 'sim.%'")[0][0] == 0  # fmt: skip
    # both arms ran
    assert {a for (a,) in rows(app, "SELECT DISTINCT arm FROM action")} == {
        "champion", "challenger",
    }  # fmt: skip
    # the ledger and the cycle still hold their invariants
    assert ledger_check.check_ledger(app.uow_factory) == []
    assert cycle_check.check_status(app.uow_factory) == []


def test_the_same_seed_gives_the_same_simulation(app_factory: Callable[[], App]):
    def result(app: App) -> tuple[Any, ...]:
        simulation = run(app)
        report = outcomes(app.uow_factory, simulation, simulation.last_morning())
        payments = rows(app, "SELECT payment_id, loan_id, paid_on, amount_minor FROM payment"
                             " ORDER BY payment_id")  # fmt: skip
        attempts = rows(app, "SELECT borrower_id, channel, outcome, agent FROM contact_attempt"
                             " ORDER BY attempt_id")  # fmt: skip
        return report.arms, [d.difference for d in report.differences], payments, attempts

    first = result(app_factory())
    again = result(app_factory())
    assert first == again


def test_the_outcome_report_adds_up_per_arm(app_factory: Callable[[], App]):
    app = app_factory()
    simulation = run(app)
    report = outcomes(app.uow_factory, simulation, simulation.last_morning())
    champion, challenger = report.arms
    assert champion.loans + challenger.loans == simulation.book.size
    for arm in report.arms:
        assert 0 <= arm.recovered_minor <= arm.overdue_minor
        assert arm.cured <= arm.late_loans
        promised = rows(app, f"SELECT COUNT(*) FROM promise WHERE arm = '{arm.arm}'")[0][0]
        assert arm.promises_made == promised
        denied = rows(
            app, f"SELECT COUNT(*) FROM action WHERE arm = '{arm.arm}' AND status = 'denied'"
        )
        assert sum(arm.denials.values()) == denied[0][0]
    assert [d.measure for d in report.differences][:2] == ["recovery %", "cure rate %"]
    recovery = report.differences[0]
    assert recovery.low is not None and recovery.high is not None
    assert recovery.low <= recovery.difference <= recovery.high  # type: ignore[operator]


def test_a_champion_that_already_names_a_challenger_is_refused_a_second():
    text = "name: a\nsegments: []\nchallenger: {strategy: b, share_percent: 10}\n"
    with pytest.raises(InvalidInput, match="already names a challenger"):
        with_challenger(text, "c", Decimal(20))
    assert with_challenger("name: a\nsegments: []\n", "c", Decimal(20)).endswith(
        "challenger:\n  strategy: c\n  share_percent: 20\n"
    )
