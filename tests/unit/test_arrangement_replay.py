"""Each kind of arrangement in the per-loan replay, on one loan with figures worked by hand.

The loan: ¥12,000.00 at 12 % over 12 months from 2026-01-01, equal instalments of
¥1,066.19, 3 days of grace, a ¥20.00 late fee. By 2026-04-15 it has missed the
February, March and April instalments: 73 days past due.
"""

from datetime import date
from decimal import Decimal

from arrears.domain.arrangement_parts import fit
from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangements import ArrangementStatus, ArrangementTerms, Instalment, ReageTerms
from arrears.domain.journal import desired_effects
from arrears.domain.loan_state import Payment, loan_state
from arrears.domain.schedule import RepaymentMethod
from arrears.domain.terms import LoanTerms, ProductRules

TERMS = LoanTerms(
    "L1", "CNY", 1_200_000, Decimal("12"), 12, date(2026, 1, 1), RepaymentMethod.EQUAL_INSTALLMENT
)
RULES = ProductRules(grace_days=3, late_fee_minor=2_000)
START = date(2026, 4, 15)
OVERDUE = 331_649  # 3 × 106,619 principal and interest + ¥57.92 罚息 + 3 × ¥20.00 fees


def state(on, payments=(), arrangements=()):
    return loan_state(TERMS, RULES, list(payments), on, arrangements=list(arrangements))


def plan(*amounts, waiver=0, cancelled_on=None):
    dates = [date(2026, 4, 20), date(2026, 5, 20), date(2026, 6, 20)]
    return ArrangementTerms(
        "A1", 1, ArrangementKind.PLAN, START,
        instalments=tuple(Instalment(d, a) for d, a in zip(dates, amounts, strict=False)),
        penalty_waiver_minor=waiver, cancelled_on=cancelled_on,
    )  # fmt: skip


def test_the_loan_before_any_arrangement():
    before = state(START)
    assert (before.dpd, before.total_overdue_minor, before.penalty_minor) == (73, OVERDUE, 5_792)


def test_a_plan_replaces_the_overdue_amount_and_measures_dpd_against_its_instalments():
    arranged = plan(100_000, 100_000, OVERDUE - 205_000, waiver=5_000)

    on_start = state(START, arrangements=[arranged])
    after_first_date = state(date(2026, 4, 21), arrangements=[arranged])

    assert (on_start.dpd, on_start.total_overdue_minor, on_start.bucket) == (0, 0, "M0")
    assert after_first_date.dpd == 0  # within the 3 days of grace
    assert after_first_date.total_overdue_minor == 100_000
    assert on_start.arrangements[0].status is ArrangementStatus.ACTIVE
    assert on_start.arrangement_postings == {
        "arrangement:A1:waiver": ("waiver", {"waived": 5_000, "penalty_receivable": -5_000})
    }


def test_a_plan_breaks_the_day_after_an_instalments_grace_and_restores_the_original_debt():
    arranged = plan(100_000, 100_000, OVERDUE - 205_000, waiver=5_000)

    broken = state(date(2026, 4, 24), arrangements=[arranged])

    outcome = broken.arrangements[0]
    assert (outcome.status, outcome.ended_on) == (ArrangementStatus.BROKEN, date(2026, 4, 24))
    assert [i.status for i in outcome.instalments] == ["broken", "open", "open"]
    assert broken.dpd == 82  # from February 1 again
    # the waiver is owed again; no 罚息 was charged for the days the plan stood,
    # and from the break it runs again (¥1.42 a day on the restored principal)
    assert broken.penalty_minor == 5_792 + 142
    assert broken.arrangement_postings == {}


def test_a_plan_kept_to_the_end_leaves_the_waiver_and_the_loan_current():
    arranged = plan(100_000, 100_000, OVERDUE - 205_000, waiver=5_000)
    regular = 106_619  # May and June instalments fall due during the plan
    payments = [
        Payment("p1", date(2026, 4, 20), 100_000),
        Payment("p2", date(2026, 5, 1), regular),
        Payment("p3", date(2026, 5, 20), 100_000),
        Payment("p4", date(2026, 6, 1), regular),
        Payment("p5", date(2026, 6, 20), OVERDUE - 205_000),
    ]

    kept = state(date(2026, 6, 21), payments, [arranged])

    outcome = kept.arrangements[0]
    assert (outcome.status, outcome.ended_on) == (ArrangementStatus.KEPT, date(2026, 6, 20))
    assert [i.status for i in outcome.instalments] == ["kept", "kept", "kept"]
    assert outcome.paid_minor == OVERDUE - 5_000
    assert (kept.dpd, kept.total_overdue_minor) == (0, 0)
    assert kept.arrangement_postings["arrangement:A1:waiver"][1]["waived"] == 5_000


def test_money_paid_before_a_plan_starts_pays_its_earliest_instalments():
    assert fit([100, 300, 300], 600) == [0, 300, 300]
    assert fit([100, 300, 300], 750) == [100, 300, 350]


def test_a_settlement_waives_the_rest_only_when_its_last_payment_arrives():
    settle = ArrangementTerms(
        "S1", 1, ArrangementKind.SETTLEMENT, START,
        instalments=(Instalment(date(2026, 4, 20), 300_000), Instalment(date(2026, 5, 20), 200_000)),
    )  # fmt: skip
    first = [Payment("p1", date(2026, 4, 20), 300_000)]
    both = [*first, Payment("p2", date(2026, 5, 20), 200_000)]

    halfway = state(date(2026, 5, 1), first, [settle])
    settled = state(date(2026, 5, 21), both, [settle])

    assert halfway.arrangement_postings == {}
    assert halfway.outstanding_principal_minor > 0
    assert settled.arrangements[0].status is ArrangementStatus.KEPT
    assert (settled.outstanding_principal_minor, settled.payoff_minor) == (0, 0)
    waived = settled.arrangement_postings["arrangement:S1:settled"][1]["waived"]
    # all that was owed on April 15 (overdue, and principal not yet due) less the ¥5,000
    before = state(START)
    not_yet_due = before.outstanding_principal_minor - before.overdue_principal_minor
    assert waived == OVERDUE + not_yet_due - 500_000


def test_a_reage_capitalises_the_arrears_into_a_new_principal():
    reage = ArrangementTerms(
        "R1", 1, ArrangementKind.REAGE, START, penalty_waiver_minor=1_000,
        reage=ReageTerms(24, Decimal("10"), date(2026, 5, 15)),
    )  # fmt: skip

    arranged = state(START, arrangements=[reage])

    # interest 331.52 + 罚息 57.92 − 10.00 waived + fees 60.00 join the principal
    assert arranged.outstanding_principal_minor == 1_200_000 + 33_152 + 4_792 + 6_000
    assert arranged.dpd == 0
    assert arranged.arrangement_postings["arrangement:R1:capitalised"] == (
        "reage",
        {
            "interest_receivable": -33_152,
            "penalty_receivable": -4_792,
            "fee_receivable": -6_000,
            "principal_receivable": 43_944,
        },
    )
    first = arranged.arrangements[0].instalments[0]
    assert (first.due_date, first.amount_minor) == (date(2026, 5, 15), 57_402)


def test_a_pause_charges_no_penalty_or_fees_and_moves_the_next_instalments_later():
    pause = ArrangementTerms("P1", 1, ArrangementKind.PAUSE, START, pause_days=60)

    during = state(date(2026, 5, 30), arrangements=[pause])
    after = state(date(2026, 7, 1), arrangements=[pause])

    assert (during.penalty_minor, during.fees_minor) == (5_792, 6_000)
    assert during.dpd == 118  # days past due keep counting: the debt is still late
    assert during.arrangements[0].status is ArrangementStatus.ACTIVE
    assert after.arrangements[0].status is ArrangementStatus.KEPT
    assert [i.due_date for i in after.installments][3] == date(2026, 6, 30)  # May 1 + 60


def test_an_extension_moves_one_instalment_and_charges_its_fee():
    extend = ArrangementTerms(
        "E1", 1, ArrangementKind.EXTENSION, START, extend_seq=4, extend_days=10, fee_minor=1_500
    )

    extended = state(date(2026, 5, 5), arrangements=[extend])

    fourth = next(i for i in extended.installments if i.seq == 4)
    assert fourth.due_date == date(2026, 5, 11)
    assert extended.arrangement_postings["arrangement:E1:fee"] == (
        "fee",
        {"fee_receivable": 1_500, "fee_income": -1_500},
    )


def test_cancelling_a_plan_gives_back_the_debt_and_reverses_the_waiver_in_the_journal():
    arranged = plan(
        100_000, 100_000, OVERDUE - 205_000, waiver=5_000, cancelled_on=date(2026, 4, 17)
    )

    cancelled = state(date(2026, 4, 18), arrangements=[arranged])
    effects = desired_effects(TERMS.principal_minor, cancelled)

    assert cancelled.arrangements[0].status is ArrangementStatus.CANCELLED
    assert cancelled.dpd == 76
    assert not any(source.startswith("arrangement:") for source in effects)
