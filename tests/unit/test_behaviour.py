"""The simulated borrowers' behaviour (domain.behaviour, domain.behaviour_day): what
reminders, calls, visits and too many contacts do to a book of identical borrowers,
and that a seed repeats a day exactly."""

from __future__ import annotations

import numpy as np
import pytest

from arrears.adapters.behaviour_files import parse_behaviour, shipped_behaviour_text
from arrears.domain.behaviour import (
    BehaviourParams,
    Leaving,
    Population,
    Reply,
    Start,
    Talking,
    default_params,
    drift,
    new_population,
    receive,
)
from arrears.domain.behaviour_day import Accounts, converse, keeps, pay

N = 4000
DAY = 740_000  # an ordinal day


def people_of(kind: str, size: int = N, seed: int = 1) -> Population:
    return new_population(default_params(), np.array([kind] * size), np.random.default_rng(seed))


def due_today(size: int = N, **columns: list[int] | list[bool]) -> Accounts:
    return Accounts.of(borrower=range(size), due_today_minor=[50_000] * size, **columns)


def in_arrears(size: int = N, dpd: int = 10, owed: int = 80_000) -> Accounts:
    return Accounts.of(borrower=range(size), dpd=[dpd] * size, owed_minor=[owed] * size)


def test_the_same_seed_decides_the_same_payments():
    # given two identical books and generators
    first = pay(default_params(), people_of("late"), in_arrears(), DAY, np.random.default_rng(5))
    again = pay(default_params(), people_of("late"), in_arrears(), DAY, np.random.default_rng(5))
    other = pay(default_params(), people_of("late"), in_arrears(), DAY, np.random.default_rng(6))
    # then the same seed repeats every payment, another does not
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()


def test_a_recent_reminder_makes_more_borrowers_pay_on_the_due_day():
    # given on-time borrowers, half of them reminded within memory
    people = people_of("on_time")
    people.aware_until[: N // 2] = DAY
    # when the instalment falls due
    paid = pay(default_params(), people, due_today(), DAY, np.random.default_rng(2)) > 0
    reminded, forgetful = paid[: N // 2].mean(), paid[N // 2 :].mean()
    # then nearly all reminded ones pay and about a quarter of the others forget
    assert reminded > 0.85
    assert 0.15 < reminded - forgetful < 0.35


def test_a_call_that_reached_them_raises_the_chance_to_pay_arrears():
    params = default_params()
    people = people_of("late")
    received = {"call": np.array([1] * (N // 2) + [0] * (N // 2), dtype=np.int64)}
    receive(params, people, received, np.zeros(N, dtype=np.int64), DAY, np.random.default_rng(3))
    paid = pay(params, people, in_arrears(), DAY + 1, np.random.default_rng(4)) > 0
    # the call multiplies the daily chance by 1 + 4
    assert paid[: N // 2].mean() > 3 * paid[N // 2 :].mean()


def test_defaulting_borrowers_pay_arrears_far_less_often_than_on_time_ones():
    rng = np.random.default_rng(9)
    good = (pay(default_params(), people_of("on_time"), in_arrears(), DAY, rng) > 0).mean()
    bad = (pay(default_params(), people_of("defaulting"), in_arrears(), DAY, rng) > 0).mean()
    assert good > 4 * bad


def test_part_payments_are_whole_yuan_and_never_more_than_owed():
    paid = pay(default_params(), people_of("late"), in_arrears(owed=12_345), DAY,
               np.random.default_rng(8))  # fmt: skip
    made = paid[paid > 0]
    assert len(made) > 0
    assert ((made % 100 == 0) | (made == 12_345)).all()
    assert (made <= 12_345).all()
    assert len(set(made.tolist())) > 2  # whole arrears, and parts of them


def test_a_payment_settled_on_is_made_whatever_the_day_draws():
    book = Accounts.of(borrower=range(3), owed_minor=[9_000] * 3, planned_minor=[5_000, 0, 7_000])
    people = people_of("defaulting", 3)
    people.ability[:] = 0  # nobody could pay of their own accord
    assert pay(default_params(), people, book, DAY, np.random.default_rng(1)).tolist() == [
        5_000, 0, 7_000,
    ]  # fmt: skip


def test_under_an_arrangement_keepers_pay_its_instalment_and_others_pay_nothing():
    book = Accounts.of(
        borrower=range(4), dpd=[20] * 4, owed_minor=[90_000] * 4,
        plan_due_minor=[30_000, 30_000, 0, 0], plan_keeper=[True, False, True, False],
    )  # fmt: skip
    people = people_of("on_time", 4)
    paid = pay(default_params(), people, book, DAY, np.random.default_rng(1)).tolist()
    # a keeper pays the instalment; a breaker nothing; a keeper between instalments nothing
    assert paid[:3] == [30_000, 0, 0]


def test_contacts_beyond_the_weekly_tolerance_bring_complaints_and_wear_willingness():
    params = BehaviourParams(
        default_params().start, leaving=Leaving(tolerated_contacts_per_week=3,
                                                complaint_per_extra_contact=0.2),
    )  # fmt: skip
    people = people_of("late")
    before = people.willingness.copy()
    rng = np.random.default_rng(4)
    few = np.array([1] * (N // 2) + [0] * (N // 2), dtype=np.int64)
    many = np.array([0] * (N // 2) + [3] * (N // 2), dtype=np.int64)
    for counts in (few, few, many, many, many):
        reactions = receive(params, people, {"sms": counts}, np.zeros(N, dtype=np.int64), DAY, rng)
    assert people.complaints[: N // 2].sum() == 0  # one a day stays within 3 a week
    assert people.complaints[N // 2 :].mean() > 0.5
    assert (people.willingness[N // 2 :] < before[N // 2 :]).all()
    assert reactions.opted_out.sum() >= 0


def test_a_changed_number_cannot_be_reached_but_a_visit_still_finds_them():
    params = BehaviourParams(default_params().start, talking=Talking(answer=1.0, visit_found=1.0))
    people = people_of("on_time", 6)
    people.willingness[:] = 1.0
    people.reachable[:3] = False
    borrowers = np.arange(6, dtype=np.int64)
    visits = np.array([False, False, True, False, False, True])
    replies = converse(params, people, borrowers, visits, np.random.default_rng(2)).tolist()
    assert replies[:2] == [Reply.UNREACHABLE, Reply.UNREACHABLE]
    assert Reply(replies[2]) not in (Reply.UNREACHABLE, Reply.NO_ANSWER)  # visited at home
    assert all(Reply(r) not in (Reply.UNREACHABLE, Reply.NO_ANSWER) for r in replies[3:])


def test_reached_borrowers_promise_and_dispute_and_disputes_are_remembered():
    params = BehaviourParams(default_params().start, talking=Talking(answer=1.0, dispute=0.1))
    people = people_of("late")
    replies = converse(params, people, np.arange(N, dtype=np.int64), np.zeros(N, dtype=np.bool_),
                       np.random.default_rng(3))  # fmt: skip
    assert (replies == Reply.PROMISE).mean() > 0.2
    disputed = replies == Reply.DISPUTE
    assert 0.05 < disputed.mean() < 0.15
    assert people.disputed[disputed].all() and not people.disputed[~disputed].any()


def test_keeping_what_was_agreed_grows_with_ability():
    people = people_of("on_time")
    people.ability[: N // 2] = 1.0
    people.ability[N // 2 :] = 0.2
    kept = keeps(0.9, people, np.arange(N, dtype=np.int64), np.random.default_rng(1))
    assert kept[: N // 2].mean() > 0.85 and kept[N // 2 :].mean() < 0.25


def test_income_shocks_lower_ability_and_it_recovers_toward_where_it_was():
    params = default_params()
    people = people_of("on_time")
    start = people.base_ability.copy()
    people.ability *= 0.5
    rng = np.random.default_rng(1)
    for _ in range(200):
        drift(params, people, rng)
    assert abs(people.ability.mean() - start.mean()) < 0.12
    assert (~people.reachable).sum() > 0  # some changed numbers in 200 days


def test_the_shipped_behaviour_file_loads():
    params, findings = parse_behaviour(shipped_behaviour_text())
    assert findings == []
    assert params is not None and params.team.agents > 0
    assert params.start.ability["defaulting"][1] < params.start.ability["on_time"][0]


def test_a_behaviour_file_with_problems_names_each_at_its_line():
    text = (
        "start:\n"
        "  ability: {late: [0.9, 0.2]}\n"
        "  willingness: {}\n"
        "paying:\n"
        "  on_due: 1.2\n"
        "  full_shares: 0.5\n"
    )
    params, findings = parse_behaviour(text)
    assert params is None
    assert [str(f) for f in findings] == [
        "line 6, paying: unknown key 'full_shares' (did you mean 'full_share'?) [unknown_key]"
    ]
    params, findings = parse_behaviour(text.replace("  full_shares: 0.5\n", ""))
    assert [str(f) for f in findings] == [
        "line 2, start.ability.late: the low end 0.9 is above the high end 0.2 [out_of_range]",
        "line 5, paying.on_due: must be between 0 and 1, got 1.2 [out_of_range]",
    ]


@pytest.mark.parametrize("text", ["paying: {}\n", "start: {ability: {}}\n", "- 1\n"])
def test_a_behaviour_file_without_its_start_is_refused(text: str):
    params, findings = parse_behaviour(text)
    assert params is None and findings


def test_the_start_draws_between_the_files_bounds():
    params = BehaviourParams(Start({"late": (0.4, 0.5)}, {"late": (0.1, 0.2)}))
    people = new_population(params, np.array(["late"] * 500), np.random.default_rng(1))
    assert people.ability.min() >= 0.4 and people.ability.max() <= 0.5
    assert people.willingness.min() >= 0.1 and people.willingness.max() <= 0.2
