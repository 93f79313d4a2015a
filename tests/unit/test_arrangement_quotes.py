"""Quotes of arrangements: exact money for each kind, and the replay doing what was quoted.

The loan: 12,000.00 CNY at 12 % a year, 等额本金 over 12 months from 2026-01-15
(1,000.00 principal a month; interest 120.00, 110.00, 100.00, ...), a late fee of
50.00, nothing paid. As of 2026-04-01 two instalments have fallen due unpaid:
    2026-02-15: 1,000.00 + 120.00 + 罚息 45 days × 0.49 = 22.05 + fee 50.00 = 1,192.05
    2026-03-15: 1,000.00 + 110.00 + 罚息 17 days × 0.49 =  8.33 + fee 50.00 = 1,163.33
so 2,360.38 has fallen due unpaid, 30.38 of it 罚息, and 10,000.00 of principal is
not yet due (罚息: 18 % a year on 1,000.00 is 0.49 a day, ACT/365, half up).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.domain.allocation import Component
from arrears.domain.arrangement_figures import QuoteRefused
from arrears.domain.arrangement_quotes import ArrangementRequest, Quote
from arrears.domain.arrangement_quoting import quote
from arrears.domain.arrangements import ArrangementStatus, Instalment
from arrears.domain.loan_state import LoanState, Payment, loan_state
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import LoanTerms, ProductRules

LOAN = LoanTerms(
    loan_id="L1",
    currency="CNY",
    principal_minor=1200000,
    annual_rate_percent=Decimal("12"),
    term_months=12,
    start_date=date(2026, 1, 15),
    method=RepaymentMethod.EQUAL_PRINCIPAL,
)
RULES = ProductRules(late_fee_minor=5000)
AS_OF = date(2026, 4, 1)
FALLEN_UNPAID = 236038
PENALTY = 3038
FUTURE_PRINCIPAL = 1000000


def _state(payments: tuple[Payment, ...] = ()) -> LoanState:
    return loan_state(LOAN, RULES, payments, AS_OF)


def _quote(kind: str, **asked: object) -> Quote:
    return quote(kind, ArrangementRequest(**asked), _state(), LOAN, RULES, AS_OF)  # type: ignore[arg-type]


def _shown(instalments: tuple[Instalment, ...]) -> list[tuple[str, int]]:
    return [(i.due_date.isoformat(), i.amount_minor) for i in instalments]


def _replayed(q: Quote, as_of: date, payments: tuple[Payment, ...] = ()) -> LoanState:
    """The loan replayed with the quoted terms stored as its first arrangement."""
    return loan_state(LOAN, RULES, payments, as_of, arrangements=[q.terms])


def test_the_example_loan_owes_what_the_module_docstring_says() -> None:
    state = _state()
    assert (state.total_overdue_minor, state.penalty_minor, state.fees_minor) == (
        FALLEN_UNPAID,
        PENALTY,
        10000,
    )
    assert (state.outstanding_principal_minor, state.bucket) == (1200000, "M2")


# -- plan -------------------------------------------------------------------------------
def test_a_plan_splits_the_fallen_amount_less_the_waiver_after_its_down_payment() -> None:
    # when 3 instalments are asked for, 500.00 down and half the 罚息 waived
    q = _quote(
        "plan",
        instalments=3,
        down_payment_major=Decimal("500.00"),
        waive_penalty_percent=Decimal("50"),
    )
    # then 15.19 is waived (half of 30.38) and 2,345.19 is split 500.00 + 922.59 + 922.60
    assert (q.waived_minor, q.total_to_pay_minor, q.fee_minor) == (1519, 234519, 0)
    assert _shown(q.instalments) == [
        ("2026-04-08", 50000),
        ("2026-05-08", 92259),
        ("2026-06-08", 92260),
    ]
    assert q.proposal.instalments == 3 and q.proposal.days == 68
    assert q.proposal.down_payment_percent == Decimal("21.32")  # 500.00 / 2,345.19, down
    assert q.proposal.penalty_waiver_percent == Decimal("50.00")
    assert (q.terms.penalty_waiver_minor, q.terms.starts_on) == (1519, AS_OF)


def test_a_plan_without_a_down_payment_is_equal_with_the_odd_cents_on_the_last() -> None:
    q = _quote("plan", instalments=6)
    # 2,360.38 / 6 = 393.39 and 4 fen over
    assert [i.amount_minor for i in q.instalments] == [39339] * 5 + [39343]
    assert q.instalments[-1].due_date == date(2026, 9, 8)
    assert (q.waived_minor, q.proposal.down_payment_percent) == (0, Decimal("16.66"))


def test_a_plan_every_fourteen_days_from_a_chosen_first_date() -> None:
    q = _quote("plan", instalments=3, first_date=date(2026, 4, 3), every_days=14)
    assert [i.due_date for i in q.instalments] == [
        date(2026, 4, 3),
        date(2026, 4, 17),
        date(2026, 5, 1),
    ]


def test_the_replay_of_a_quoted_plan_asks_for_the_quoted_instalments() -> None:
    q = _quote(
        "plan",
        instalments=3,
        down_payment_major=Decimal("500.00"),
        waive_penalty_percent=Decimal("50"),
    )
    outcome = _replayed(q, AS_OF + timedelta(days=1)).arrangements[0]
    assert [(o.seq, o.due_date, o.amount_minor) for o in outcome.instalments] == [
        (seq, i.due_date, i.amount_minor)
        for seq, i in zip(q.instalment_seqs(1), q.instalments, strict=True)
    ]
    assert outcome.status is ArrangementStatus.ACTIVE
    # and paying them on their dates, with the regular instalments of 15 April and 15 May
    # (which still fall due), keeps it, with the 罚息 waived as quoted
    paid = (
        *(Payment(f"x{k}", i.due_date, i.amount_minor) for k, i in enumerate(q.instalments)),
        Payment("r3", date(2026, 4, 15), 110000),
        Payment("r4", date(2026, 5, 15), 109000),
    )
    kept = _replayed(q, date(2026, 6, 9), paid)
    assert kept.arrangements[0].status is ArrangementStatus.KEPT
    assert kept.arrangement_postings["arrangement:quote:waiver"] == (
        "waiver",
        {"waived": 1519, "penalty_receivable": -1519},
    )


# -- extension --------------------------------------------------------------------------
def test_an_extension_moves_the_oldest_fallen_instalment_with_its_fee() -> None:
    q = _quote("extension", days=50, fee_major=Decimal("20.00"))
    # 1,192.05 of instalment 1 (due 2026-02-15) now due 2026-04-06, with 20.00 fee
    assert _shown(q.instalments) == [("2026-04-06", 121205)]
    assert (q.total_to_pay_minor, q.fee_minor, q.owed_minor) == (121205, 2000, 119205)
    assert (q.terms.extend_seq, q.terms.extend_days, q.terms.fee_minor) == (1, 50, 2000)
    assert (q.proposal.days, q.proposal.fee_waived) == (50, False)
    assert q.instalment_seqs(2) == (2001,)  # carried onto a new instalment


def test_an_extension_of_an_instalment_not_yet_due_keeps_its_seq() -> None:
    q = _quote("extension", seq=3, days=10)
    assert _shown(q.instalments) == [("2026-04-25", 110000)]
    assert (q.instalment_seqs(2), q.proposal.fee_waived) == ((3,), True)


@pytest.mark.parametrize(
    ("asked", "outcome_seq"),
    [
        ({"days": 50, "fee_major": Decimal("20.00")}, 1001),
        ({"seq": 3, "days": 10}, 3),
    ],
)
def test_the_replay_of_a_quoted_extension_asks_for_the_quoted_amount_on_the_new_date(
    asked: dict[str, object], outcome_seq: int
) -> None:
    q = _quote("extension", **asked)
    outcome = _replayed(q, AS_OF + timedelta(days=1)).arrangements[0]
    assert [(o.seq, o.due_date, o.amount_minor) for o in outcome.instalments] == [
        (outcome_seq, q.instalments[0].due_date, q.instalments[0].amount_minor)
    ]
    assert q.instalment_seqs(1) == (outcome_seq,)


def test_an_extension_that_would_still_be_overdue_is_refused() -> None:
    with pytest.raises(QuoteRefused) as refused:
        _quote("extension", seq=1, days=10)
    assert refused.value.problems == (
        (
            "days",
            "instalment 1 due 2026-02-15 moved 10 days falls due on 2026-02-25,"
            " not after 2026-04-01",
        ),
    )


def test_an_extension_of_an_unknown_instalment_names_the_seq() -> None:
    with pytest.raises(QuoteRefused, match="seq: loan L1 has no instalment 99"):
        _quote("extension", seq=99, days=10)


# -- settlement -------------------------------------------------------------------------
def test_a_settlement_by_percents_waives_the_penalty_and_discounts_the_rest() -> None:
    q = _quote(
        "settlement",
        discount_percent=Decimal("10"),
        waive_penalty_percent=Decimal("100"),
        instalments=2,
    )
    # owed 2,360.38 + 10,000.00 = 12,360.38; 30.38 罚息 waived, 10 % of 12,330.00 off
    assert q.owed_minor == FALLEN_UNPAID + FUTURE_PRINCIPAL == 1236038
    assert (q.total_to_pay_minor, q.waived_minor) == (1109700, 3038 + 123300)
    assert _shown(q.instalments) == [("2026-04-08", 554850), ("2026-05-08", 554850)]
    assert (q.proposal.penalty_waiver_percent, q.proposal.discount_percent) == (
        Decimal("100.00"),
        Decimal("10.00"),
    )


def test_a_settlement_for_an_amount_counts_the_waiver_against_the_penalty_first() -> None:
    q = _quote("settlement", amount_major=Decimal("9000.00"))
    assert (q.total_to_pay_minor, q.waived_minor) == (900000, 336038)
    assert _shown(q.instalments) == [("2026-04-08", 900000)]
    # 30.38 of 罚息, then 3,330.00 of 12,330.00 = 27.007 % → 27.01 (up: a maximum)
    assert (q.proposal.penalty_waiver_percent, q.proposal.discount_percent) == (
        Decimal("100.00"),
        Decimal("27.01"),
    )


def test_the_replay_of_a_paid_settlement_waives_what_the_quote_said() -> None:
    q = _quote("settlement", amount_major=Decimal("9000.00"))
    outcome = _replayed(q, AS_OF + timedelta(days=1)).arrangements[0]
    assert [(o.seq, o.due_date, o.amount_minor) for o in outcome.instalments] == [
        (1001, date(2026, 4, 8), 900000)
    ]
    settled = _replayed(q, date(2026, 4, 8), (Payment("x1", date(2026, 4, 8), 900000),))
    assert settled.arrangements[0].status is ArrangementStatus.KEPT
    kind, effect = settled.arrangement_postings["arrangement:quote:settled"]
    assert (kind, effect["waived"]) == ("waiver", 336038)
    assert settled.payoff_minor == 0


@pytest.mark.parametrize("amount", ["12360.38", "0.00", "20000"])
def test_a_settlement_must_accept_less_than_is_owed_and_more_than_nothing(amount: str) -> None:
    with pytest.raises(QuoteRefused, match="amount: the amount accepted must be more than 0"):
        _quote("settlement", amount_major=Decimal(amount))


# -- reage ------------------------------------------------------------------------------
def test_a_reage_capitalises_the_arrears_and_re_amortises_over_the_new_term() -> None:
    q = _quote("reage", term_months=12, waive_penalty_percent=Decimal("100"))
    # new principal 2,360.38 - 30.38 + 10,000.00 = 12,330.00 at 12 %, 等额本金 (the loan's)
    assert q.waived_minor == PENALTY
    assert _shown(q.instalments)[:2] == [("2026-05-01", 115080), ("2026-06-01", 114053)]
    assert len(q.instalments) == 12 and q.instalments[-1].due_date == date(2027, 4, 1)
    assert q.total_to_pay_minor == 1313148  # 12,330.00 + interest 801.48
    assert sum(i.amount_minor for i in q.instalments) == q.total_to_pay_minor
    reage = q.terms.reage
    assert reage is not None
    assert (reage.term_months, reage.annual_rate_percent, reage.probation) == (
        12,
        Decimal("12"),
        3,
    )
    assert (q.proposal.term_months, q.proposal.days) == (12, 365)


def test_the_replay_of_a_quoted_reage_owes_the_quoted_schedule() -> None:
    q = _quote("reage", term_months=12, waive_penalty_percent=Decimal("100"))
    state = _replayed(q, AS_OF + timedelta(days=1))
    new = [
        (i.seq, i.due_date, i.owed[Component.PRINCIPAL] + i.owed[Component.INTEREST])
        for i in state.installments
        if i.seq > 1000
    ]
    assert new == [
        (seq, i.due_date, i.amount_minor)
        for seq, i in zip(q.instalment_seqs(1), q.instalments, strict=True)
    ]
    outcome = state.arrangements[0]  # kept or broken on its first 3 (probation)
    assert [(o.due_date, o.amount_minor) for o in outcome.instalments] == [
        (i.due_date, i.amount_minor) for i in q.instalments[:3]
    ]


def test_a_reage_needs_its_term() -> None:
    with pytest.raises(QuoteRefused, match="term_months: is required"):
        _quote("reage")


# -- pause ------------------------------------------------------------------------------
def test_a_pause_moves_the_instalments_not_yet_due_by_its_days() -> None:
    q = _quote("pause", days=30)
    assert _shown(q.instalments)[:3] == [
        ("2026-05-15", 110000),
        ("2026-06-14", 109000),
        ("2026-07-15", 108000),
    ]
    assert (len(q.instalments), q.total_to_pay_minor) == (10, 1055000)
    assert (q.terms.pause_days, q.proposal.days, q.proposal.instalments) == (30, 30, 0)
    assert q.instalment_seqs(1)[:2] == (3, 4)


def test_a_pause_that_accrues_interest_charges_it_on_the_first_instalment_moved() -> None:
    q = _quote("pause", days=30, accrues_interest=True)
    # 12,000.00 × 12 % × 30 / 365 = 118.356 → 118.36
    assert _shown(q.instalments)[0] == ("2026-05-15", 121836)
    assert q.total_to_pay_minor == 1055000 + 11836


@pytest.mark.parametrize("accrues", [False, True])
def test_the_replay_of_a_quoted_pause_moves_the_quoted_instalments(accrues: bool) -> None:
    q = _quote("pause", days=30, accrues_interest=accrues)
    state = _replayed(q, AS_OF + timedelta(days=1))
    moved = {i.seq: (i.due_date, i.unpaid_minor) for i in state.installments}
    assert [moved[seq] for seq in q.instalment_seqs(1)] == [
        (i.due_date, i.amount_minor) for i in q.instalments
    ]
    # and no 罚息 accrues while it lasts
    paused = _replayed(q, date(2026, 4, 20))
    assert paused.penalty_minor == _replayed(q, AS_OF).penalty_minor == PENALTY


# -- promise ----------------------------------------------------------------------------
def test_a_promise_is_one_amount_by_one_date_a_week_out_by_default() -> None:
    q = _quote("promise", amount_major=Decimal("300.00"))
    assert _shown(q.instalments) == [("2026-04-08", 30000)]
    assert (q.total_to_pay_minor, q.proposal.days) == (30000, 7)


def test_a_promise_beyond_thirty_days_is_refused() -> None:
    with pytest.raises(QuoteRefused, match="first_date: a promise is due from 2026-04-01"):
        _quote("promise", amount_major=Decimal("300"), first_date=date(2026, 5, 2))


# -- requests ---------------------------------------------------------------------------
def test_every_problem_of_a_request_is_reported_naming_its_field() -> None:
    with pytest.raises(QuoteRefused) as refused:
        _quote(
            "plan",
            instalments=0,
            first_date=AS_OF,
            down_payment_major=Decimal("1.001"),
            waive_penalty_percent=Decimal("101"),
        )
    assert [name for name, _ in refused.value.problems] == [
        "instalments",
        "waive_penalty_percent",
        "down_payment",
        "first_date",
    ]
    assert str(refused.value).startswith("instalments: must be 1 or more, got 0; ")


def test_a_field_of_another_kind_is_refused() -> None:
    with pytest.raises(QuoteRefused) as refused:
        _quote("plan", instalments=2, fee_major=Decimal("10"), term_months=6)
    assert refused.value.problems == (
        ("fee", "does not apply to a plan"),
        ("term_months", "does not apply to a plan"),
    )


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(QuoteRefused, match="kind: 'loan' is not a kind of arrangement"):
        _quote("loan")


def test_a_plan_on_a_loan_with_nothing_overdue_is_refused() -> None:
    current = loan_state(LOAN, RULES, [], date(2026, 2, 1))
    with pytest.raises(QuoteRefused, match="kind: nothing has fallen due unpaid on loan L1"):
        quote("plan", ArrangementRequest(instalments=2), current, LOAN, RULES, date(2026, 2, 1))


def test_a_plan_paid_down_since_the_quote_is_fitted_by_the_replay() -> None:
    # given a quote of 1,180.19 twice, and 500.00 paid on the day it takes effect
    q = _quote("plan", instalments=2)
    assert [i.amount_minor for i in q.instalments] == [118019, 118019]
    paid = (Payment("x1", AS_OF, 50000),)
    outcome = _replayed(q, AS_OF + timedelta(days=1), paid).arrangements[0]
    # then what is owed now comes off the first instalment (domain.arrangement_replay.fit)
    owed_now = loan_state(LOAN, RULES, paid, AS_OF).total_overdue_minor
    # (the payment paid 308.44 of instalment 1's principal before the day's 罚息 accrued:
    # 0.34 instead of 0.49)
    assert owed_now == FALLEN_UNPAID - 50000 - 15 == 186023
    assert [o.amount_minor for o in outcome.instalments] == [owed_now - 118019, 118019]
