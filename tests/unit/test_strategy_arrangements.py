"""The treatment around repayment arrangements: paused while one is in force but for its
reminder, silent through a hardship pause, and able to pick out broken ones."""

from __future__ import annotations

from dataclasses import replace

from arrears.adapters.strategy_files import parse_strategy
from arrears.domain.strategy import (
    ActionKind,
    ArrangementState,
    Conditions,
    DayRange,
    OffsetDays,
    PromiseState,
    Segment,
    Step,
    Strategy,
    plan,
)
from tests.unit.test_strategy import facts

REMINDER = Step(ActionKind.SMS, "plan_reminder", priority=40)
STRATEGY = Strategy(
    name="s",
    description="",
    segments=(
        Segment(
            "broken",
            Conditions(dpd=DayRange(1, 90), arrangement=ArrangementState.BROKEN),
            (Step(ActionKind.CALL, priority=55, days=OffsetDays(1, None, 2)),),
        ),
        Segment(
            "m1",
            Conditions(dpd=DayRange(1, 30)),
            (Step(ActionKind.CALL, priority=30, days=OffsetDays(2, 30, 2)),),
        ),
    ),
    promise_reminder=Step(ActionKind.SMS, "ptp_reminder"),
    challenger=None,
    arrangement_reminder=REMINDER,
    arrangement_reminder_days=2,
)
IN_FORCE = facts(arrangement=ArrangementState.ACTIVE, arrangement_kind="plan")


def ids(account) -> list[str]:
    return [step.step_id for step in plan(STRATEGY, account)]


def test_an_arrangement_in_force_silences_the_treatment_but_for_its_reminder():
    assert ids(facts()) == ["m1.0"]  # day 4: the M1 call
    assert ids(replace(IN_FORCE, arrangement_due_in_days=5)) == []
    assert ids(replace(IN_FORCE, arrangement_due_in_days=2)) == ["arrangement_reminder"]
    assert ids(replace(IN_FORCE, arrangement_due_in_days=None)) == []


def test_an_arrangement_wins_over_an_open_promise():
    both = replace(
        IN_FORCE, arrangement_due_in_days=2, promise=PromiseState.OPEN, promise_due_in_days=1
    )
    assert ids(both) == ["arrangement_reminder"]


def test_nothing_at_all_goes_during_a_hardship_pause():
    paused = replace(IN_FORCE, arrangement_kind="pause", arrangement_due_in_days=2)
    assert ids(paused) == []


def test_a_broken_arrangement_resumes_the_treatment_in_its_own_segment():
    broken = facts(arrangement=ArrangementState.BROKEN, offset_days=5)
    assert ids(broken) == ["broken.0"]
    assert ids(facts(arrangement=ArrangementState.KEPT, offset_days=4)) == ["m1.0"]


def test_a_strategy_file_cannot_ask_for_active_arrangements_and_names_the_reminder():
    text = """
name: s
arrangement_reminder: {action: sms, template: plan_reminder, days_before: 3}
segments:
  - name: x
    when: {arrangement: active}
    steps: []
"""
    strategy, findings = parse_strategy(text)
    assert strategy is None
    assert [(f.line, f.code) for f in findings] == [(6, "bad_choice")]
    assert "use arrangement_reminder" in findings[0].message
    good, none = parse_strategy(text.replace("arrangement: active", "arrangement: broken"))
    assert none == []
    assert good is not None
    assert (good.arrangement_reminder, good.arrangement_reminder_days) == (
        Step(ActionKind.SMS, "plan_reminder"),
        3,
    )
    assert good.segments[0].conditions.arrangement is ArrangementState.BROKEN
