"""Strategy choice: which segment takes an account, which steps fire today, which arm."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.strategy import (
    AccountFacts,
    ActionKind,
    AmountRange,
    Arm,
    Challenger,
    Conditions,
    DayRange,
    OffsetDays,
    PlannedStep,
    PromiseState,
    Segment,
    Step,
    Strategy,
    arm_for,
    arm_slot,
    plan,
    segment_for,
)

M1 = Conditions(dpd=DayRange(1, 30))
REMINDER = Step(ActionKind.SMS, "ptp_reminder", priority=40)


def facts(**changes: object) -> AccountFacts:
    """A CNY loan 4 days past due on its first installment; ``changes`` override fields."""
    base = AccountFacts(
        loan_id="L1001",
        product="consumer",
        currency="CNY",
        bucket="M1",
        dpd=4,
        offset_days=4,
        days_to_next_due=27,
        overdue_minor=106_619,
        outstanding_principal_minor=1_105_381,
        flags=frozenset(),
        days_since_reached=None,
        unreached_attempts=0,
        lost_contact=False,
        refused_to_pay=False,
        promise=PromiseState.NONE,
        promise_due_in_days=None,
    )
    return replace(base, **changes)


def on(day: int) -> OffsetDays:
    return OffsetDays.single(day)


def strategy(*segments: Segment, reminder: Step | None = REMINDER) -> Strategy:
    return Strategy("test", "", segments, reminder, None)


def ids(planned: list[PlannedStep]) -> list[str]:
    return [p.step_id for p in planned]


# -- segments -------------------------------------------------------------------------
def test_the_first_segment_whose_conditions_all_hold_wins():
    # given two segments that both hold for a lost-contact M1 account, lost contact first
    lost = Segment(
        "lost",
        Conditions(dpd=DayRange(1, 30), lost_contact=True),
        (Step(ActionKind.FIELD_VISIT, days=on(4)),),
    )
    m1 = Segment("m1", M1, (Step(ActionKind.CALL, days=on(4)),))
    chosen = strategy(lost, m1)

    # when each kind of account is planned on day 4
    lost_plan = plan(chosen, facts(lost_contact=True))
    plain_plan = plan(chosen, facts(lost_contact=False))

    # then the lost-contact one gets only the visit, the other only the call
    assert ids(lost_plan) == ["lost.0"]
    assert lost_plan[0].action is ActionKind.FIELD_VISIT
    assert ids(plain_plan) == ["m1.0"]


def test_file_order_decides_even_when_a_later_segment_is_more_specific():
    broad = Segment("broad", M1, (Step(ActionKind.CALL, days=on(4)),))
    narrow = Segment(
        "narrow", replace(M1, lost_contact=True), (Step(ActionKind.LETTER, "x", days=on(4)),)
    )
    assert ids(plan(strategy(broad, narrow), facts(lost_contact=True))) == ["broad.0"]


def test_an_account_no_segment_takes_gets_no_steps():
    only_m2 = Segment("m2", Conditions(dpd=DayRange(31, 60)), (Step(ActionKind.CALL, days=on(4)),))
    assert segment_for(strategy(only_m2), facts()) is None
    assert plan(strategy(only_m2), facts()) == []


def test_a_segment_without_steps_holds_its_accounts_from_later_segments():
    hold = Segment("hold", Conditions(flags_any=("dispute",)), ())
    m1 = Segment("m1", M1, (Step(ActionKind.CALL, days=on(4)),))
    assert plan(strategy(hold, m1), facts(flags=frozenset({"dispute"}))) == []
    assert ids(plan(strategy(hold, m1), facts())) == ["m1.0"]


# -- offsets ---------------------------------------------------------------------------
def test_a_single_day_step_fires_on_that_offset_only():
    m1 = Segment("m1", M1, (Step(ActionKind.SMS, "overdue_notice", days=on(5)),))
    fired = [day for day in range(1, 31) if plan(strategy(m1), facts(dpd=day, offset_days=day))]
    assert fired == [5]


def test_negative_offsets_are_days_before_the_due_date():
    current = Segment(
        "current",
        Conditions(bucket=("M0",)),
        (
            Step(ActionKind.SMS, "due_reminder", days=on(-3)),
            Step(ActionKind.SMS, "due_today", days=on(0)),
        ),
    )
    days = range(-10, 1)
    fired = {
        day: [
            p.template for p in plan(strategy(current), facts(bucket="M0", dpd=0, offset_days=day))
        ]
        for day in days
    }
    assert {day: t for day, t in fired.items() if t} == {-3: ["due_reminder"], 0: ["due_today"]}


def test_recurring_days_fire_from_the_first_to_the_last_every_k_days():
    m1 = Segment("m1", M1, (Step(ActionKind.CALL, days=OffsetDays(4, 16, 3)),))
    fired = [day for day in range(1, 31) if plan(strategy(m1), facts(offset_days=day))]
    assert fired == [4, 7, 10, 13, 16]


def test_recurring_days_without_an_end_go_on_while_the_segment_holds():
    late = Segment(
        "late",
        Conditions(dpd=DayRange(min=91)),
        (Step(ActionKind.LEGAL_REVIEW, days=OffsetDays(95, None, 30)),),
    )
    fired = [d for d in range(91, 400) if plan(strategy(late), facts(dpd=d, offset_days=d))]
    assert fired == [95, 125, 155, 185, 215, 245, 275, 305, 335, 365, 395]


def test_several_steps_fire_on_the_same_day_in_the_order_of_the_file():
    m3 = Segment(
        "m3",
        Conditions(dpd=DayRange(61, 90)),
        (
            Step(ActionKind.CALL, priority=50, days=OffsetDays(61, None, 2)),
            Step(ActionKind.LETTER, "demand_letter", 45, on(65)),
            Step(ActionKind.AGENCY_PLACEMENT, priority=80, days=on(65)),
        ),
    )
    planned = plan(strategy(m3), facts(bucket="M3", dpd=65, offset_days=65))
    assert planned == [
        PlannedStep("m3.0", "m3", ActionKind.CALL, None, 50),
        PlannedStep("m3.1", "m3", ActionKind.LETTER, "demand_letter", 45),
        PlannedStep("m3.2", "m3", ActionKind.AGENCY_PLACEMENT, None, 80),
    ]


def test_a_none_action_is_planned_so_the_caller_can_record_it():
    m1 = Segment("m1", M1, (Step(ActionKind.NONE, days=on(4)),))
    assert plan(strategy(m1), facts()) == [PlannedStep("m1.0", "m1", ActionKind.NONE, None, 0)]


# -- promises --------------------------------------------------------------------------
EVERY_DAY_CALL = Segment("m1", M1, (Step(ActionKind.CALL, days=OffsetDays(1, 30)),))


def test_an_open_promise_pauses_the_treatment():
    open_promise = facts(promise=PromiseState.OPEN, promise_due_in_days=5)
    assert plan(strategy(EVERY_DAY_CALL), open_promise) == []


def test_an_open_promise_gets_the_reminder_only_the_day_before_it_is_due():
    planned = {
        due_in: plan(
            strategy(EVERY_DAY_CALL), facts(promise=PromiseState.OPEN, promise_due_in_days=due_in)
        )
        for due_in in (3, 2, 1, 0)
    }
    assert planned[1] == [
        PlannedStep("promise_reminder", "promise_reminder", ActionKind.SMS, "ptp_reminder", 40)
    ]
    assert planned[3] == planned[2] == planned[0] == []


def test_an_open_promise_without_a_reminder_plans_nothing_even_the_day_before():
    no_reminder = strategy(EVERY_DAY_CALL, reminder=None)
    assert plan(no_reminder, facts(promise=PromiseState.OPEN, promise_due_in_days=1)) == []


def test_a_broken_promise_resumes_the_treatment_and_can_pick_its_own_segment():
    broken = Segment(
        "broken",
        replace(M1, promise=PromiseState.BROKEN),
        (Step(ActionKind.CALL, priority=70, days=on(4)),),
    )
    m1 = Segment("m1", M1, (Step(ActionKind.SMS, "overdue_reminder", days=on(4)),))
    assert ids(plan(strategy(broken, m1), facts(promise=PromiseState.BROKEN))) == ["broken.0"]
    assert ids(plan(strategy(m1), facts(promise=PromiseState.BROKEN))) == ["m1.0"]
    assert ids(plan(strategy(broken, m1), facts(promise=PromiseState.NONE))) == ["m1.0"]


# -- conditions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("conditions", "account_flags", "holds"),
    [
        (Conditions(flags_any=("dispute", "deceased")), {"deceased"}, True),
        (Conditions(flags_any=("dispute", "deceased")), {"vulnerable"}, False),
        (Conditions(flags_any=("dispute",)), set(), False),
        (Conditions(flags_none=("dispute", "vulnerable")), {"deceased"}, True),
        (Conditions(flags_none=("dispute", "vulnerable")), {"deceased", "vulnerable"}, False),
        (Conditions(flags_none=("dispute",)), set(), True),
    ],
)
def test_flags_any_needs_one_of_its_flags_and_flags_none_refuses_all_of_them(
    conditions, account_flags, holds
):
    assert conditions.hold_for(facts(flags=frozenset(account_flags))) is holds


@pytest.mark.parametrize(
    ("bounds", "minor", "currency", "holds"),
    [
        (AmountRange(min_major=Decimal("500.00")), 50_000, "CNY", True),
        (AmountRange(min_major=Decimal("500.00")), 49_999, "CNY", False),
        (AmountRange(max_major=Decimal("4999.99")), 499_999, "CNY", True),
        (AmountRange(max_major=Decimal("4999.99")), 500_000, "CNY", False),
        (AmountRange(Decimal("0.01"), Decimal("0.01")), 1, "USD", True),
        (AmountRange(min_major=Decimal("500")), 500, "JPY", True),  # yen have no minor unit
        (AmountRange(min_major=Decimal("500")), 499, "JPY", False),
        (AmountRange(min_major=Decimal("500.5")), 500, "JPY", False),  # never rounded to 500
    ],
)
def test_amount_ranges_in_major_units_compare_exactly_with_minor_units(
    bounds, minor, currency, holds
):
    over = Conditions(overdue=bounds)
    principal = Conditions(outstanding_principal=bounds)
    account = facts(currency=currency, overdue_minor=minor, outstanding_principal_minor=minor)
    assert over.hold_for(account) is holds
    assert principal.hold_for(account) is holds


def test_day_ranges_include_both_ends():
    m1 = Conditions(dpd=DayRange(1, 30))
    assert [d for d in range(0, 32) if m1.hold_for(facts(dpd=d))] == list(range(1, 31))


def test_days_to_next_due_never_matches_a_loan_with_nothing_left_to_fall_due():
    soon = Conditions(days_to_next_due=DayRange(0, 3))
    assert soon.hold_for(facts(days_to_next_due=3))
    assert not soon.hold_for(facts(days_to_next_due=4))
    assert not soon.hold_for(facts(days_to_next_due=None))


def test_reached_within_days_needs_a_recent_reach_and_never_matches_the_never_reached():
    recent = Conditions(reached_within_days=7)
    assert recent.hold_for(facts(days_since_reached=7))
    assert not recent.hold_for(facts(days_since_reached=8))
    assert not recent.hold_for(facts(days_since_reached=None))


def test_unreached_at_least_counts_attempts_since_the_last_reach():
    stubborn = Conditions(unreached_at_least=5)
    assert [n for n in range(8) if stubborn.hold_for(facts(unreached_attempts=n))] == [5, 6, 7]


@pytest.mark.parametrize(
    ("conditions", "account", "holds"),
    [
        (Conditions(bucket=("M2", "M3")), {"bucket": "M3"}, True),
        (Conditions(bucket=("M2", "M3")), {"bucket": "M1"}, False),
        (Conditions(product=("payday",)), {"product": "consumer"}, False),
        (Conditions(lost_contact=True), {"lost_contact": True}, True),
        (Conditions(lost_contact=False), {"lost_contact": True}, False),
        (Conditions(refused_to_pay=True), {"refused_to_pay": False}, False),
        (Conditions(promise=PromiseState.NONE), {"promise": PromiseState.BROKEN}, False),
    ],
)
def test_each_condition_compares_its_own_fact(conditions, account, holds):
    assert conditions.hold_for(facts(**account)) is holds


def test_a_score_band_condition_never_matches_an_account_without_a_score():
    # given a pilot segment for band A, first in the file
    pilot = Segment(
        "pilot", replace(M1, score_band=("A",)), (Step(ActionKind.EMAIL, "x", days=on(4)),)
    )
    m1 = Segment("m1", M1, (Step(ActionKind.CALL, days=on(4)),))
    # then accounts without a score (all of them, until scoring exists) skip it
    assert ids(plan(strategy(pilot, m1), facts(score_band=None))) == ["m1.0"]
    assert ids(plan(strategy(pilot, m1), facts(score_band="B"))) == ["m1.0"]
    assert ids(plan(strategy(pilot, m1), facts(score_band="A"))) == ["pilot.0"]


def test_no_conditions_match_every_account():
    assert Conditions().hold_for(facts())
    assert Conditions().hold_for(facts(bucket="M7", dpd=400, lost_contact=True))


# -- the domain refuses what cannot be --------------------------------------------------
def test_offset_days_refuse_an_end_before_the_start_and_a_step_below_one():
    with pytest.raises(ValueError, match="from 10 is after to 5"):
        OffsetDays(10, 5)
    with pytest.raises(ValueError, match="every must be at least 1"):
        OffsetDays(1, 5, 0)


def test_a_strategy_refuses_repeated_segment_names_and_challenging_itself():
    m1 = Segment("m1", M1, ())
    with pytest.raises(ValueError, match="segment names repeat"):
        Strategy("s", "", (m1, m1), None, None)
    with pytest.raises(ValueError, match="cannot be its own challenger"):
        Strategy("s", "", (m1,), None, Challenger("s", Decimal("10")))


@pytest.mark.parametrize("share", ["0", "100", "-5"])
def test_a_challenger_share_must_be_above_0_and_below_100_percent(share):
    with pytest.raises(ValueError, match="share"):
        Challenger("other", Decimal(share))


# -- champion / challenger ------------------------------------------------------------------
def test_arm_slot_is_pinned_so_an_experiment_keeps_its_arms_across_releases():
    # SHA-256 of the UTF-8 id, its first 8 bytes big-endian, modulo 10 000: changing
    # this would move loans between arms in the middle of an experiment
    assert arm_slot("L1001") == 5023
    assert arm_slot("") == 1652


def test_arm_slot_is_the_same_in_another_process_with_another_hash_seed():
    code = (
        "from arrears.domain.strategy import arm_slot; print(arm_slot('L1001'), arm_slot('B-77'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {f"{arm_slot('L1001')} {arm_slot('B-77')}"}


def test_arm_slots_spread_evenly_over_ten_thousand_loan_ids():
    slots = [arm_slot(f"L{n:07d}") for n in range(10_000)]
    assert all(0 <= s < 10_000 for s in slots)
    deciles = Counter(s // 1000 for s in slots)
    # 1000 expected per decile; the standard deviation is 30, so 150 is 5 deviations
    assert sorted(deciles) == list(range(10))
    assert all(850 <= count <= 1150 for count in deciles.values()), deciles


@pytest.mark.parametrize(
    ("slot", "share", "arm"),
    [
        (0, "0.01", Arm.CHALLENGER),
        (1, "0.01", Arm.CHAMPION),
        (999, "10", Arm.CHALLENGER),
        (1000, "10", Arm.CHAMPION),
        (4999, "50", Arm.CHALLENGER),
        (5000, "50", Arm.CHAMPION),
        (1249, "12.5", Arm.CHALLENGER),
        (1250, "12.5", Arm.CHAMPION),
        (9998, "99.99", Arm.CHALLENGER),
        (9999, "99.99", Arm.CHAMPION),
    ],
)
def test_arm_for_gives_the_challenger_the_slots_below_its_share(slot, share, arm):
    assert arm_for(slot, Decimal(share)) is arm


@settings(max_examples=25, deadline=None)
@given(
    share=st.integers(min_value=1, max_value=9999).map(lambda n: Decimal(n) / 100),
    prefix=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ-贷", min_size=1, max_size=6),
)
def test_the_challenger_share_of_many_loans_is_close_to_the_configured_share(share, prefix):
    loans = [f"{prefix}{n}" for n in range(4000)]
    challengers = sum(arm_for(arm_slot(loan), share) is Arm.CHALLENGER for loan in loans)
    # binomial: at most 0.0079 standard deviation at 50 %; 0.04 is over 5 of them
    assert abs(Decimal(challengers) / len(loans) - share / 100) < Decimal("0.04")
