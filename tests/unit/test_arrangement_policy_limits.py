"""judge: inside every limit is approved automatically, beyond one waits for the approver
the policy names, a kind not offered is refused; each limit passed says so exactly."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from arrears.domain.arrangement_policy import (
    ArrangementPolicy,
    KindLimits,
    Proposal,
    Role,
    Verdict,
    judge,
)

PLAN = KindLimits(
    max_instalments=6,
    max_days=180,
    min_down_payment_percent=Decimal("10"),
    max_penalty_waiver_percent=Decimal("50"),
    approver=Role.MANAGER,
)
SETTLEMENT = KindLimits(
    max_discount_percent_by_bucket={"M2": Decimal("10"), "M3": Decimal("20.5")},
    approver=Role.COMPLIANCE,
)
EXTENSION = KindLimits(max_days=15, max_fee_waiver=False, approver=Role.AGENT)
REAGE = KindLimits(
    max_term_months=36,
    min_annual_rate_percent=Decimal("7.2"),
    always_needs_approval=True,
    approver=Role.MANAGER,
)
POLICY = ArrangementPolicy(
    "house",
    {"plan": PLAN, "settlement": SETTLEMENT, "extension": EXTENSION, "reage": REAGE,
     "pause": KindLimits(allowed=False)},
    per_year=3,
    per_year_approver=Role.COMPLIANCE,
)  # fmt: skip

# A plan exactly at every limit: each test moves one figure past one limit.
AT_LIMITS = Proposal(
    "plan",
    bucket="M2",
    arrangements_this_year=2,
    instalments=6,
    days=180,
    down_payment_percent=Decimal("10"),
    penalty_waiver_percent=Decimal("50"),
)
APPROVED = Verdict(allowed=True, within_policy=True, needs_approval_by=None, reasons=())


def beyond(approver: str, *reasons: str) -> Verdict:
    return Verdict(allowed=True, within_policy=False, needs_approval_by=approver, reasons=reasons)


def test_a_proposal_at_every_limit_is_approved_automatically():
    assert judge(POLICY, AT_LIMITS) == APPROVED


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"instalments": 7}, "7 instalments is more than the 6 allowed"),
        ({"days": 181}, "181 days is longer than the 180 allowed"),
        (
            {"down_payment_percent": Decimal("9.99")},
            "a down payment of 9.99 % is below the 10 % required",
        ),
        (
            {"penalty_waiver_percent": Decimal("50.5")},
            "waiving 50.5 % of the penalty is more than the 50 % allowed",
        ),
    ],
)
def test_each_plan_limit_passed_waits_for_the_plan_approver_and_says_which(
    change: dict[str, object], reason: str
):
    verdict = judge(POLICY, replace(AT_LIMITS, **change))
    assert verdict == beyond(Role.MANAGER, reason)


def test_a_plan_without_a_down_payment_figure_is_not_judged_on_it():
    assert judge(POLICY, replace(AT_LIMITS, down_payment_percent=None)) == APPROVED


def test_every_limit_passed_is_a_reason_in_the_order_of_the_limits():
    proposal = replace(
        AT_LIMITS, instalments=12, days=365, down_payment_percent=Decimal("0"),
        penalty_waiver_percent=Decimal("100"),
    )  # fmt: skip
    assert judge(POLICY, proposal).reasons == (
        "12 instalments is more than the 6 allowed",
        "365 days is longer than the 180 allowed",
        "a down payment of 0 % is below the 10 % required",
        "waiving 100 % of the penalty is more than the 50 % allowed",
    )


def test_without_a_waiver_limit_any_waiver_needs_approval():
    proposal = Proposal("extension", bucket="M1", arrangements_this_year=0, days=15)
    assert judge(POLICY, proposal) == APPROVED

    verdict = judge(POLICY, replace(proposal, penalty_waiver_percent=Decimal("0.01")))

    assert verdict == beyond(
        Role.AGENT, "waiving 0.01 % of the penalty is more than the 0 % allowed"
    )


def test_an_extension_fee_waived_against_the_policy_waits_for_its_approver():
    proposal = Proposal("extension", bucket="M1", arrangements_this_year=0, days=15)
    verdict = judge(POLICY, replace(proposal, fee_waived=True))
    assert verdict == beyond(Role.AGENT, "the extension fee may not be waived")


def test_a_fee_may_be_waived_where_the_policy_allows_it():
    policy = replace(POLICY, kinds={"extension": replace(EXTENSION, max_fee_waiver=True)})
    proposal = Proposal("extension", bucket="M1", arrangements_this_year=0, fee_waived=True)
    assert judge(policy, proposal) == APPROVED


@pytest.mark.parametrize(
    ("bucket", "discount", "verdict"),
    [
        ("M2", "10", APPROVED),
        ("M3", "20.5", APPROVED),
        ("M2", "10.01", beyond(Role.COMPLIANCE, "a discount of 10.01 % is more than the 10 % allowed in M2")),
        ("M3", "21", beyond(Role.COMPLIANCE, "a discount of 21 % is more than the 20.5 % allowed in M3")),
        ("M1", "1", beyond(Role.COMPLIANCE, "a discount of 1 % is more than the 0 % allowed in M1")),
        ("M1", "0", APPROVED),
    ],
)  # fmt: skip
def test_a_settlement_discount_is_limited_by_the_loans_bucket(
    bucket: str, discount: str, verdict: Verdict
):
    proposal = Proposal(
        "settlement", bucket=bucket, arrangements_this_year=0, discount_percent=Decimal(discount)
    )
    assert judge(POLICY, proposal) == verdict


def test_a_reage_always_waits_for_its_approver_and_says_so_even_inside_its_limits():
    proposal = Proposal(
        "reage", bucket="M3", arrangements_this_year=0, term_months=36,
        annual_rate_percent=Decimal("7.2"),
    )  # fmt: skip
    assert judge(POLICY, proposal) == beyond(
        Role.MANAGER, "every reage needs approval by a manager"
    )


def test_a_reage_term_and_rate_beyond_their_limits_come_before_the_always_reason():
    proposal = Proposal(
        "reage", bucket="M3", arrangements_this_year=0, term_months=37,
        annual_rate_percent=Decimal("7.19"),
    )  # fmt: skip
    assert judge(POLICY, proposal) == beyond(
        Role.MANAGER,
        "a term of 37 months is longer than the 36 allowed",
        "a rate of 7.19 % a year is below the 7.2 % allowed",
        "every reage needs approval by a manager",
    )


def test_the_arrangement_past_the_yearly_limit_waits_for_the_per_year_approver():
    verdict = judge(POLICY, replace(AT_LIMITS, arrangements_this_year=3))
    assert verdict == beyond(
        Role.COMPLIANCE,
        "the borrower already made 3 arrangements in the last 365 days; 3 are allowed",
    )


def test_past_the_yearly_limit_and_a_kind_limit_the_kinds_approver_decides():
    verdict = judge(POLICY, replace(AT_LIMITS, arrangements_this_year=4, instalments=7))
    assert verdict == beyond(
        Role.MANAGER,
        "7 instalments is more than the 6 allowed",
        "the borrower already made 4 arrangements in the last 365 days; 3 are allowed",
    )


def test_a_kind_that_always_needs_approval_keeps_its_approver_past_the_yearly_limit():
    proposal = Proposal("reage", bucket="M3", arrangements_this_year=3, term_months=12)
    assert judge(POLICY, proposal) == beyond(
        Role.MANAGER,
        "every reage needs approval by a manager",
        "the borrower already made 3 arrangements in the last 365 days; 3 are allowed",
    )


def test_without_a_yearly_limit_any_number_of_arrangements_is_within():
    policy = replace(POLICY, per_year=None)
    assert judge(policy, replace(AT_LIMITS, arrangements_this_year=50)) == APPROVED


@pytest.mark.parametrize(
    ("kind", "words"), [("pause", "a hardship pause"), ("promise", "a promise to pay")]
)
def test_a_kind_the_policy_does_not_offer_is_refused_and_nobody_can_approve_it(
    kind: str, words: str
):
    proposal = Proposal(kind, bucket="M1", arrangements_this_year=0)
    assert judge(POLICY, proposal) == Verdict(
        allowed=False,
        within_policy=False,
        needs_approval_by=None,
        reasons=(f"the arrangement policy house does not offer {words}",),
    )
