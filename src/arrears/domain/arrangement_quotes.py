"""What an arrangement quote is asked and what it answers.

An ``ArrangementRequest`` holds every figure an agent may give; each kind takes some
of them (``KIND_FIELDS``), and a figure given to a kind that does not take it is a
problem, never silently dropped. A ``Quote`` is what the arrangement would be if it
took effect at the end of its ``as_of`` day; ``domain.arrangement_quoting`` works it
out, kind by kind.

Amounts in a request are major units (``Decimal``, as typed); more decimals than the
currency has are refused, not rounded.

>>> stray_fields(ArrangementKind.PAUSE, ArrangementRequest(days=30, fee_major=Decimal("5")))
[('fee', 'does not apply to a pause')]
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from arrears.domain.arrangement_figures import Problems
from arrears.domain.arrangement_policy import ArrangementKind, Proposal
from arrears.domain.arrangements import SEQ_BLOCK, ArrangementTerms, Instalment
from arrears.domain.schedule import RepaymentMethod

QUOTE_ID = "quote"  # the placeholder id of the quoted terms (the store gives the real one)


@dataclass(frozen=True, slots=True)
class ArrangementRequest:
    """What is asked for; ``None`` is "not given" (the kind's default, if it has one).

    Money is in major units (``Decimal("300.00")``); percents are ``Decimal`` percents.
    """

    instalments: int | None = None  # plan, settlement
    first_date: date | None = None  # plan, settlement, promise; reage: the first due date
    every_days: int | None = None  # plan, settlement: default monthly on the first date's day
    down_payment_major: Decimal | None = None  # plan: the first instalment
    waive_penalty_percent: Decimal | None = None  # plan, settlement, reage
    seq: int | None = None  # extension: the instalment moved
    days: int | None = None  # extension, pause
    fee_major: Decimal | None = None  # extension
    amount_major: Decimal | None = None  # settlement, promise
    discount_percent: Decimal | None = None  # settlement
    term_months: int | None = None  # reage
    annual_rate_percent: Decimal | None = None  # reage
    method: RepaymentMethod | None = None  # reage
    probation: int | None = None  # reage
    accrues_interest: bool | None = None  # pause


KIND_FIELDS: dict[ArrangementKind, frozenset[str]] = {
    ArrangementKind.PROMISE: frozenset({"amount_major", "first_date"}),
    ArrangementKind.EXTENSION: frozenset({"seq", "days", "fee_major"}),
    ArrangementKind.PLAN: frozenset(
        {"instalments", "first_date", "every_days", "down_payment_major", "waive_penalty_percent"}
    ),
    ArrangementKind.SETTLEMENT: frozenset(
        {
            "amount_major",
            "discount_percent",
            "waive_penalty_percent",
            "instalments",
            "first_date",
            "every_days",
        }
    ),
    ArrangementKind.REAGE: frozenset(
        {
            "term_months",
            "annual_rate_percent",
            "first_date",
            "method",
            "waive_penalty_percent",
            "probation",
        }
    ),
    ArrangementKind.PAUSE: frozenset({"days", "accrues_interest"}),
}


def stray_fields(kind: ArrangementKind, request: ArrangementRequest) -> Problems:
    """A problem for each figure given that ``kind`` does not take, named as typed
    (``fee``, not ``fee_major``)."""
    article = "an" if kind[0] in "aeiou" else "a"
    return [
        (f.name.removesuffix("_major"), f"does not apply to {article} {kind}")
        for f in fields(request)
        if getattr(request, f.name) is not None and f.name not in KIND_FIELDS[kind]
    ]


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted arrangement. ``owed_minor`` is what it covers before anything is waived."""

    kind: ArrangementKind
    as_of: date
    currency: str
    instalments: tuple[Instalment, ...]
    total_to_pay_minor: int
    waived_minor: int  # 罚息 waived (plan, reage); the whole discount (settlement)
    fee_minor: int
    owed_minor: int
    terms: ArrangementTerms  # with a placeholder id and number; starts_on = as_of
    proposal: Proposal  # arrangements_this_year is the caller's to fill in
    own_seqs: tuple[int | None, ...]  # an existing instalment's seq, or None: numbered anew

    def instalment_seqs(self, number: int) -> tuple[int, ...]:
        """The seq of each instalment as the replay numbers it for the loan's ``number``-th
        arrangement (new ones ``number * 1000 + k``; moved ones keep their own)."""
        return tuple(
            own if own is not None else number * SEQ_BLOCK + k
            for k, own in enumerate(self.own_seqs, 1)
        )
