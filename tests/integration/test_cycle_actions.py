"""The cycle plans each day's actions from the active strategy, through the gate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from arrears.domain.gate import ContactProposal, GateDecision, Verdict, decide_as_gate
from arrears.domain.money import Rounding
from arrears.domain.records import LoanRecord
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.strategy import Arm, arm_for, arm_slot
from arrears.entrypoints.bootstrap import App
from arrears.services import compliance, contacts, importing, promises, strategies
from arrears.services.cycle import CycleOptions, run_cycle
from tests.integration.test_cycle_differential import rows

NOW = datetime(2026, 3, 1, tzinfo=UTC)
START = date(2026, 1, 10)  # first due 2026-02-10, second 2026-03-10
STRATEGY = """
name: test-plan
description: calls from the first late day, a reminder before each due date
promise_reminder: {action: sms, template: ptp_reminder, priority: 40}
segments:
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1, every: 1}, action: call, priority: 50}
      - {day: 5, action: letter, template: demand_letter, priority: 30}
  - name: current
    when: {bucket: [M0]}
    steps:
      - {day: -3, action: sms, template: due_reminder, priority: 10}
"""


def loan(loan_id: str, start: date = START) -> LoanRecord:
    return LoanRecord(loan_id, f"B{loan_id}", "CNY", 600_000, Decimal("12"), 6, start,
                      RepaymentMethod.EQUAL_INSTALLMENT, Rounding.HALF_UP, timezone="Asia/Shanghai")  # fmt: skip


def actions_on(app: App, day: date) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT a.loan_id, a.channel, a.template, a.step, a.arm, a.status, g.payload_json,"
                " a.rule_id FROM action a JOIN audit_log g ON g.seq = a.decision_id"
                " WHERE a.as_of = :day ORDER BY a.loan_id, a.step"
            ),
            {"day": day if app.engine.dialect.name == "postgresql" else day.isoformat()},
        )
        # the audit entry's verdict, and the rule the action carries
        return [(*r[:6], json.loads(r[6])["verdict"], r[7]) for r in found]


def cycle_through(app: App, last: date, **options: Any) -> None:
    run_cycle(app.uow_factory, last, lambda: NOW, catch_up=True,
              options=CycleOptions(**options))  # fmt: skip


@pytest.fixture
def planned(app: App) -> App:
    strategies.load_strategy(app.uow_factory, STRATEGY, "tester", NOW, activate=True)
    assert importing.import_loans(app.uow_factory, rows([loan("L1")]), NOW).clean
    return app


def test_a_reminder_three_days_before_the_due_date_then_calls_once_late(planned: App) -> None:
    cycle_through(planned, date(2026, 2, 6))
    assert actions_on(planned, date(2026, 2, 6)) == []
    cycle_through(planned, date(2026, 2, 7))
    assert actions_on(planned, date(2026, 2, 7)) == [
        ("L1", "sms", "due_reminder", "current.0", "champion", "permitted", "allow",
         "none.allow_all"),
    ]  # fmt: skip
    cycle_through(planned, date(2026, 2, 15))
    assert [a[1:4] for a in actions_on(planned, date(2026, 2, 11))] == [("call", None, "late.0")]
    assert [a[1:4] for a in actions_on(planned, date(2026, 2, 15))] == [
        ("call", None, "late.0"),
        ("letter", "demand_letter", "late.1"),
    ]


def test_an_open_promise_pauses_treatment_but_for_a_reminder_the_day_before(
    planned: App,
) -> None:
    cycle_through(planned, date(2026, 2, 12))
    promises.add_promise(planned.uow_factory, "L1", Decimal("1000.00"), date(2026, 2, 16),
                         date(2026, 2, 12), NOW)  # fmt: skip
    cycle_through(planned, date(2026, 2, 16))
    assert actions_on(planned, date(2026, 2, 14)) == []
    assert [a[1:4] for a in actions_on(planned, date(2026, 2, 15))] == [
        ("sms", "ptp_reminder", "promise_reminder")
    ]
    # Nothing was paid by the 16th: the promise is broken and the calls resume
    cycle_through(planned, date(2026, 2, 17))
    assert [a[1:4] for a in actions_on(planned, date(2026, 2, 17))] == [("call", None, "late.0")]
    kept = promises.list_promises(planned.uow_factory, loan_id="L1")
    assert [p.status for p in kept] == ["broken"]


class DenyCalls:
    """A gate that refuses calls, as a policy pack would outside contact hours."""

    def decide(self, proposals: Sequence[ContactProposal]) -> list[GateDecision]:
        return [
            decide_as_gate(p, Verdict.DENY, "test.no_calls", "no calls in this test")
            if p.channel == "call"
            else decide_as_gate(p, Verdict.ALLOW, "test.ok", "fine")
            for p in proposals
        ]


def test_every_action_carries_the_gate_decision_and_denied_ones_are_not_permitted(
    planned: App,
) -> None:
    cycle_through(planned, date(2026, 2, 15), gate=DenyCalls())
    assert actions_on(planned, date(2026, 2, 15)) == [
        ("L1", "call", None, "late.0", "champion", "denied", "deny", "test.no_calls"),
        ("L1", "letter", "demand_letter", "late.1", "champion", "permitted", "allow", "test.ok"),
    ]


def test_the_challenger_treats_a_stable_share_of_loans_and_actions_record_the_arm(
    app: App,
) -> None:
    strategies.load_strategy(app.uow_factory, STRATEGY, "tester", NOW)
    challenger = STRATEGY.replace("name: test-plan", "name: gentle").replace(
        "action: call", "action: email, template: overdue_email"
    )
    strategies.load_strategy(app.uow_factory, challenger, "tester", NOW)
    champion = STRATEGY.replace("name: test-plan", "name: firm").replace(
        "promise_reminder:",
        'challenger: {strategy: gentle, share_percent: "30"}\npromise_reminder:',
    )
    strategies.load_strategy(app.uow_factory, champion, "tester", NOW, activate=True)
    loans = [loan(f"L{n:03d}") for n in range(200)]
    assert importing.import_loans(app.uow_factory, rows(loans), NOW).clean
    cycle_through(app, date(2026, 2, 11))
    day_actions = actions_on(app, date(2026, 2, 11))
    assert len(day_actions) == 200
    for loan_id, channel, _, _, arm, *_ in day_actions:
        expected = arm_for(arm_slot(loan_id), Decimal("30"))
        assert arm == str(expected)
        assert channel == ("email" if expected is Arm.CHALLENGER else "call")
    share = sum(1 for a in day_actions if a[4] == "challenger") / 200
    assert 0.2 < share < 0.4


def test_outcomes_record_the_arm_the_loan_is_treated_in(planned: App) -> None:
    from arrears.domain.contacts import AttemptRecord, Channel, Outcome
    from arrears.services import contacts

    promise_id = promises.add_promise(planned.uow_factory, "L1", Decimal("100.00"),
                                      date(2026, 2, 20), date(2026, 2, 12), NOW)  # fmt: skip
    contacts.record_attempt(
        planned.uow_factory,
        AttemptRecord("BL1", Channel.CALL, Outcome.NO_ANSWER, NOW, loan_id="L1"),
        NOW,
    )
    assert [p.arm for p in promises.list_promises(planned.uow_factory, loan_id="L1")] == [
        "champion"
    ]
    with planned.uow() as uow:
        assert [a.arm for a in uow.contacts.attempts("BL1")] == ["champion"]
    assert promise_id.startswith("PTP-")


REACHED = """
name: after-contact
description: a borrower just spoken to gets a message, not another call
segments:
  - name: spoken_to
    when: {dpd: {min: 1}, reached_within_days: 2}
    steps:
      - {days: {from: 1}, action: sms, template: follow_up}
  - name: late
    when: {dpd: {min: 1}}
    steps:
      - {days: {from: 1}, action: call}
"""


def test_reached_within_days_counts_the_portfolios_days_not_utcs(app: App) -> None:
    from zoneinfo import ZoneInfo

    from arrears.domain.contacts import AttemptRecord, Channel, Outcome
    from arrears.services import contacts

    strategies.load_strategy(app.uow_factory, REACHED, "tester", NOW, activate=True)
    assert importing.import_loans(app.uow_factory, rows([loan("L1")]), NOW).clean
    cycle_through(app, date(2026, 2, 12))
    # 07:00 on the 12th in Shanghai is still the 11th in UTC
    spoken = datetime(2026, 2, 12, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    contacts.record_attempt(
        app.uow_factory,
        AttemptRecord("BL1", Channel.CALL, Outcome.REACHED, spoken, loan_id="L1"),
        datetime(2026, 2, 12, 8, 0, tzinfo=UTC),
    )
    cycle_through(app, date(2026, 2, 15), timezone="Asia/Shanghai")
    assert [a[1] for a in actions_on(app, date(2026, 2, 14))] == ["sms"]  # two days on
    assert [a[1] for a in actions_on(app, date(2026, 2, 15))] == ["call"]  # three days on


def test_with_the_packs_active_a_bankrupt_borrower_is_not_called_and_sundays_wait(
    planned: App,
) -> None:
    compliance.load_shipped_packs(
        planned.uow_factory, compliance.shipped_pack_texts(), NOW, ["cn", "house"]
    )
    filed = datetime(2026, 2, 1, tzinfo=UTC)  # flags hold from when they were set
    contacts.set_flag(planned.uow_factory, "BL1", "bankruptcy", filed, "filed")
    cycle_through(planned, date(2026, 2, 15))  # a Sunday
    assert [(a[1], a[5], a[7]) for a in actions_on(planned, date(2026, 2, 15))] == [
        ("call", "denied", "house.bankruptcy"),
        ("letter", "denied", "house.bankruptcy"),
    ]
    contacts.clear_flag(planned.uow_factory, "BL1", "bankruptcy")
    cycle_through(planned, date(2026, 2, 22))  # the next Sunday: calls wait for Monday
    assert [(a[1], a[5], a[7]) for a in actions_on(planned, date(2026, 2, 22))] == [
        ("call", "deferred", "house.no_sunday_calls"),
    ]
