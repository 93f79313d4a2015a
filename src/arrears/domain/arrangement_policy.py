"""Arrangement limits as data: what each kind may offer, and who approves beyond it.

A lender sets, per product, how far an arrangement may go before a person has to
agree: the longest plan, the smallest down payment, the largest share of 罚息 that
may be waived, the largest settlement discount by bucket, how many arrangements a
borrower may take in a year, which kinds always need a manager. A proposal inside
every limit is approved automatically; one beyond a limit waits for the role the
policy names (``approver``); a kind the policy does not allow is refused.

Shares are percents as ``Decimal``; money is minor units.

>>> policy = KindLimits(allowed=True, max_instalments=6, approver="manager")
>>> proposal = Proposal("plan", bucket="M2", instalments=8, arrangements_this_year=0)
>>> verdict = judge(ArrangementPolicy("demo", {"plan": policy}, per_year=2), proposal)
>>> (verdict.within_policy, verdict.needs_approval_by, verdict.reasons)
(False, 'manager', ('8 instalments is more than the 6 allowed',))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from arrears.domain.reasons import Reason


class ArrangementKind(StrEnum):
    PROMISE = "promise"  # one amount by one date (the promise to pay)
    EXTENSION = "extension"  # one instalment's due date moved by some days
    PLAN = "plan"  # the overdue amount split into instalments
    REAGE = "reage"  # outstanding principal re-amortised over a new term and rate
    SETTLEMENT = "settlement"  # a lump sum or short series accepted as full payment
    PAUSE = "pause"  # hardship: no dues and no contact for a period


class Role(StrEnum):
    """Who may approve an arrangement beyond the limits (the web app's roles)."""

    AGENT = "agent"
    MANAGER = "manager"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


# How reasons name kinds and roles in plain words.
KIND_WORDS: dict[str, str] = {
    ArrangementKind.PROMISE: "a promise to pay",
    ArrangementKind.EXTENSION: "an extension",
    ArrangementKind.PLAN: "a repayment plan",
    ArrangementKind.REAGE: "a re-age",
    ArrangementKind.SETTLEMENT: "a settlement",
    ArrangementKind.PAUSE: "a hardship pause",
}
ROLE_WORDS: dict[str, str] = {
    Role.AGENT: "an agent",
    Role.MANAGER: "a manager",
    Role.COMPLIANCE: "a compliance officer",
    Role.ADMIN: "an admin",
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, f"a {kind}")


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, f"a {role}")


def kind_reason(kind: str) -> Reason:
    """The kind in plain words, coded (``kind.plan``) for a reason that names it."""
    return Reason(f"kind.{kind}", kind_words(kind))


def role_reason(role: str) -> Reason:
    return Reason(f"role.{role}", role_words(role))


@dataclass(frozen=True, slots=True)
class KindLimits:
    """The limits of one kind; ``None`` means no limit of that sort."""

    allowed: bool = True
    approver: str = Role.MANAGER  # who approves beyond the limits
    always_needs_approval: bool = False  # e.g. every re-age goes to a manager
    max_instalments: int | None = None
    max_days: int | None = None  # plan/settlement length, extension or pause days
    min_down_payment_percent: Decimal | None = None  # first instalment / amount planned
    max_penalty_waiver_percent: Decimal | None = None  # of the 罚息 owed
    max_discount_percent_by_bucket: Mapping[str, Decimal] = field(default_factory=dict)
    max_fee_waiver: bool = True  # whether an extension may go without its fee
    max_term_months: int | None = None  # re-age
    min_annual_rate_percent: Decimal | None = None  # re-age


@dataclass(frozen=True, slots=True)
class ArrangementPolicy:
    """One product's (or every product's) arrangement limits, by kind."""

    name: str
    kinds: Mapping[str, KindLimits]
    per_year: int | None = None  # arrangements a borrower may make in 365 days
    per_year_approver: str = Role.MANAGER
    description: str = ""

    def limits(self, kind: str) -> KindLimits | None:
        return self.kinds.get(kind)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the policy looks at in a quoted arrangement (figures from the quote)."""

    kind: str
    bucket: str
    arrangements_this_year: int
    instalments: int = 1
    days: int = 0  # from the quote date to the last date (or the extension/pause days)
    down_payment_percent: Decimal | None = None
    penalty_waiver_percent: Decimal = Decimal(0)
    discount_percent: Decimal = Decimal(0)
    fee_waived: bool = False
    term_months: int | None = None
    annual_rate_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool  # False: the policy does not offer this kind at all
    within_policy: bool
    needs_approval_by: str | None
    reasons: tuple[str, ...]  # each limit passed, in plain words (``Reason``s: coded)


def judge(policy: ArrangementPolicy, proposal: Proposal) -> Verdict:
    """Whether ``proposal`` is inside ``policy``, and if not who may approve it."""
    limits = policy.limits(proposal.kind)
    if limits is None or not limits.allowed:
        reason = Reason(
            "arrangement.kind_not_offered",
            f"the arrangement policy {policy.name} does not offer {kind_words(proposal.kind)}",
            policy=policy.name, kind=kind_reason(proposal.kind),
        )  # fmt: skip
        return Verdict(False, False, None, (reason,))
    reasons = _beyond(limits, proposal)
    approver = limits.approver if reasons or limits.always_needs_approval else None
    if limits.always_needs_approval:
        reasons.append(
            Reason(
                "arrangement.always_needs_approval",
                f"every {proposal.kind} needs approval by {role_words(limits.approver)}",
                kind=kind_reason(proposal.kind), approver=role_reason(limits.approver),
            )
        )  # fmt: skip
    if policy.per_year is not None and proposal.arrangements_this_year >= policy.per_year:
        reasons.append(
            Reason(
                "arrangement.too_many_this_year",
                f"the borrower already made {proposal.arrangements_this_year} arrangements"
                f" in the last 365 days; {policy.per_year} are allowed",
                made=proposal.arrangements_this_year, most=policy.per_year,
            )
        )  # fmt: skip
        approver = approver or policy.per_year_approver
    return Verdict(True, not reasons, approver, tuple(reasons))


def _beyond(limits: KindLimits, p: Proposal) -> list[str]:
    reasons: list[str] = []  # Reasons: "limit.<what>" codes for the pages' catalogs
    if limits.max_instalments is not None and p.instalments > limits.max_instalments:
        reasons.append(
            Reason(
                "limit.instalments",
                f"{p.instalments} instalments is more than the {limits.max_instalments} allowed",
                asked=p.instalments, most=limits.max_instalments,
            )
        )  # fmt: skip
    if limits.max_days is not None and p.days > limits.max_days:
        reasons.append(
            Reason(
                "limit.days", f"{p.days} days is longer than the {limits.max_days} allowed",
                asked=p.days, most=limits.max_days,
            )
        )  # fmt: skip
    down = limits.min_down_payment_percent
    if down is not None and p.down_payment_percent is not None and p.down_payment_percent < down:
        reasons.append(
            Reason(
                "limit.down_payment",
                f"a down payment of {_percent(p.down_payment_percent)} is below"
                f" the {_percent(down)} required",
                asked=_number(p.down_payment_percent), least=_number(down),
            )
        )  # fmt: skip
    waiver = limits.max_penalty_waiver_percent
    if p.penalty_waiver_percent > (waiver if waiver is not None else Decimal(0)):
        reasons.append(
            Reason(
                "limit.penalty_waiver",
                f"waiving {_percent(p.penalty_waiver_percent)} of the penalty is more than"
                f" the {_percent(waiver or Decimal(0))} allowed",
                asked=_number(p.penalty_waiver_percent), most=_number(waiver or Decimal(0)),
            )
        )  # fmt: skip
    if p.discount_percent > 0:
        most = limits.max_discount_percent_by_bucket.get(p.bucket, Decimal(0))
        if p.discount_percent > most:
            reasons.append(
                Reason(
                    "limit.discount",
                    f"a discount of {_percent(p.discount_percent)} is more than the"
                    f" {_percent(most)} allowed in {p.bucket}",
                    asked=_number(p.discount_percent), most=_number(most), bucket=p.bucket,
                )
            )  # fmt: skip
    if p.fee_waived and not limits.max_fee_waiver:
        reasons.append(Reason("limit.fee_waiver", "the extension fee may not be waived"))
    if (
        limits.max_term_months is not None
        and p.term_months is not None
        and p.term_months > limits.max_term_months
    ):
        reasons.append(
            Reason(
                "limit.term_months",
                f"a term of {p.term_months} months is longer than the"
                f" {limits.max_term_months} allowed",
                asked=p.term_months, most=limits.max_term_months,
            )
        )  # fmt: skip
    low = limits.min_annual_rate_percent
    if low is not None and p.annual_rate_percent is not None and p.annual_rate_percent < low:
        reasons.append(
            Reason(
                "limit.annual_rate",
                f"a rate of {_percent(p.annual_rate_percent)} a year is below"
                f" the {_percent(low)} allowed",
                asked=_number(p.annual_rate_percent), least=_number(low),
            )
        )  # fmt: skip
    return reasons


def _percent(value: Decimal) -> str:
    return f"{_number(value)} %"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")
