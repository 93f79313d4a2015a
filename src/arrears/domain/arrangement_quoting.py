"""Quoting repayment arrangements, kind by kind: what one would be if it took effect today.

A quote takes a loan as of the end of ``as_of`` (``loan_state(..., as_of)``) and
works out exactly what the replay (``domain.arrangement_replay``) will do with an
arrangement that starts at the end of that day: the instalments it will ask for,
the amounts it waives, its fee, and the ``ArrangementTerms`` to store. It also
gives the figures the arrangement policy judges (``Proposal``). What is asked and
what is answered (``ArrangementRequest``, ``Quote``) are ``domain.arrangement_quotes``.

Every problem with a request is reported together, each naming its field.

>>> from arrears.domain.loan_state import loan_state
>>> from arrears.domain.terms import LoanTerms, ProductRules
>>> from arrears.domain.schedule import RepaymentMethod
>>> loan = LoanTerms("L1", "CNY", 1200000, Decimal("12"), 12, date(2026, 1, 15),
...                  RepaymentMethod.EQUAL_PRINCIPAL)
>>> state = loan_state(loan, ProductRules(), [], date(2026, 3, 1))  # 1,120.00 and 14 days of 罚息 (6.86)
>>> q = quote("plan", ArrangementRequest(instalments=2), state, loan, ProductRules(),
...           date(2026, 3, 1))
>>> [(i.due_date.isoformat(), i.amount_minor) for i in q.instalments], q.total_to_pay_minor
([('2026-03-08', 56343), ('2026-04-08', 56343)], 112686)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from arrears.domain import arrangement_figures as fig
from arrears.domain.allocation import Component
from arrears.domain.arrangement_figures import (
    DEFAULT_FIRST_DATE_DAYS,
    ROUND_DOWN,
    ROUND_UP,
    Problems,
    QuoteRefused,
    refuse,
)
from arrears.domain.arrangement_policy import ArrangementKind, Proposal
from arrears.domain.arrangement_quotes import QUOTE_ID, ArrangementRequest, Quote, stray_fields
from arrears.domain.arrangements import ArrangementTerms, Instalment, ReageTerms
from arrears.domain.calendar import add_months
from arrears.domain.contacts import MAX_PROMISE_DAYS
from arrears.domain.loan_state import InstallmentState, LoanState
from arrears.domain.money import Money, format_major, round_ratio
from arrears.domain.reasons import Reason
from arrears.domain.schedule import build_schedule
from arrears.domain.terms import LoanTerms, ProductRules

DEFAULT_PROBATION = 3  # a re-age is kept or broken on its first three instalments


@dataclass(frozen=True, slots=True)
class _Owed:
    """The loan as the arrangement finds it at the end of ``as_of``."""

    fallen: tuple[InstallmentState, ...]  # fallen due with something unpaid, oldest first
    future: tuple[InstallmentState, ...]  # not yet due
    penalty_minor: int  # unpaid 罚息 of the fallen ones
    fallen_minor: int  # everything unpaid of the fallen ones
    future_principal_minor: int  # principal not yet due


def quote(
    kind: str,
    request: ArrangementRequest,
    state: LoanState,
    terms: LoanTerms,
    rules: ProductRules,
    as_of: date,
) -> Quote:
    """The arrangement ``request`` asks for, taking effect at the end of ``as_of``.

    ``state`` is the loan as of ``as_of`` (with the arrangements that took effect
    before); ``terms`` carries the loan's current rate and method.
    """
    try:
        chosen = ArrangementKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in ArrangementKind)
        raise QuoteRefused(
            [("kind", f"{kind!r} is not a kind of arrangement ({allowed})")]
        ) from None
    stray = stray_fields(chosen, request)
    if stray:
        raise QuoteRefused(stray)
    owed = _owed(state, as_of)
    maker = _MAKERS[chosen]
    return maker(_Ask(request, state, terms, rules, as_of), owed)


@dataclass(frozen=True, slots=True)
class _Ask:
    request: ArrangementRequest
    state: LoanState
    terms: LoanTerms
    rules: ProductRules
    as_of: date

    def minor(self, name: str, value: Decimal, problems: Problems) -> int:
        return fig.minor(name, value, self.state.currency, problems)

    def money(self, amount_minor: int) -> str:
        return f"{format_major(amount_minor, self.state.currency)} {self.state.currency}"

    def proposal(
        self, kind: ArrangementKind, instalments: int, days: int, **figures: Any
    ) -> Proposal:
        """What the policy judges of it (``arrangements_this_year`` is the caller's to
        fill in); ``days``: from the quote's day to the last date, or its length."""
        return Proposal(
            str(kind), bucket=self.state.bucket, arrangements_this_year=0,
            instalments=instalments, days=days, **figures,
        )  # fmt: skip


def _owed(state: LoanState, as_of: date) -> _Owed:
    fallen = tuple(i for i in state.installments if i.due_date <= as_of and i.unpaid_minor > 0)
    future = tuple(i for i in state.installments if i.due_date > as_of)
    return _Owed(
        fallen=fallen,
        future=future,
        penalty_minor=sum(_unpaid(i, Component.PENALTY) for i in fallen),
        fallen_minor=sum(i.unpaid_minor for i in fallen),
        future_principal_minor=sum(_unpaid(i, Component.PRINCIPAL) for i in future),
    )


def _unpaid(installment: InstallmentState, component: Component) -> int:
    return installment.owed[component] - installment.paid[component]


# -- the kinds ------------------------------------------------------------------------
def _plan(ask: _Ask, owed: _Owed) -> Quote:
    r = ask.request
    problems: Problems = []
    count = fig.count("instalments", r.instalments, 1, problems)
    waiver = fig.waiver(r.waive_penalty_percent, owed.penalty_minor, problems)
    down = None
    if r.down_payment_major is not None:
        down = ask.minor("down_payment", r.down_payment_major, problems)
    dates = fig.dates(r.first_date, r.every_days, count, ask.as_of, problems)
    if owed.fallen_minor == 0:
        problems.append(
            ("kind", Reason("quote.nothing_due",
                            f"nothing has fallen due unpaid on loan {ask.state.loan_id}",
                            loan_id=ask.state.loan_id))
        )  # fmt: skip
    refuse(problems)
    total = owed.fallen_minor - waiver
    amounts = fig.split(total, count, down, ask.state.currency)
    instalments = tuple(Instalment(d, a) for d, a in zip(dates, amounts, strict=True))
    proposal = ask.proposal(
        ArrangementKind.PLAN,
        instalments=count,
        days=(dates[-1] - ask.as_of).days,
        down_payment_percent=fig.share(amounts[0], total, ROUND_DOWN),
        penalty_waiver_percent=fig.share(waiver, owed.penalty_minor, ROUND_UP),
    )
    terms = _terms(ask, ArrangementKind.PLAN, instalments, penalty_waiver_minor=waiver)
    return _made(ask, terms, proposal, owed.fallen_minor, waiver, (None,) * count)


def _settlement(ask: _Ask, owed: _Owed) -> Quote:
    """A settlement's waived amount counts against the 罚息 first (the policy's
    ``max_penalty_waiver_percent``); the rest is its discount on what is owed besides
    the 罚息 (``max_discount_percent_by_bucket``)."""
    r = ask.request
    problems: Problems = []
    owed_minor = owed.fallen_minor + owed.future_principal_minor
    count = fig.count("instalments", r.instalments if r.instalments is not None else 1, 1, problems)
    dates = fig.dates(r.first_date, r.every_days, count, ask.as_of, problems)
    if r.amount_major is not None:
        if r.discount_percent is not None or r.waive_penalty_percent is not None:
            problems.append(("amount", "give an amount or the percents waived, not both"))
        accepted = ask.minor("amount", r.amount_major, problems)
        penalty_waived = min(max(owed_minor - accepted, 0), owed.penalty_minor)
        discount = owed_minor - accepted - penalty_waived
    elif r.discount_percent is None and r.waive_penalty_percent is None:
        problems.append(
            ("amount", Reason("settlement.amount_needed",
                              "give the amount accepted, or a discount or 罚息 waived"))
        )  # fmt: skip
        accepted = penalty_waived = discount = 0
    else:
        penalty_waived = fig.waiver(r.waive_penalty_percent, owed.penalty_minor, problems)
        percent = fig.percent("discount_percent", r.discount_percent, problems)
        discount = fig.share_of(owed_minor - owed.penalty_minor, percent)
        accepted = owed_minor - penalty_waived - discount
    if not problems and not 0 < accepted < owed_minor:
        problems.append(
            ("amount", Reason("settlement.amount_range",
                              f"the amount accepted must be more than 0 and less than the"
                              f" {ask.money(owed_minor)} owed, not {ask.money(accepted)}",
                              owed=Money(owed_minor, ask.state.currency),
                              accepted=Money(accepted, ask.state.currency)))
        )  # fmt: skip
    refuse(problems)
    amounts = fig.split(accepted, count, None, ask.state.currency)
    instalments = tuple(Instalment(d, a) for d, a in zip(dates, amounts, strict=True))
    proposal = ask.proposal(
        ArrangementKind.SETTLEMENT,
        instalments=count,
        days=(dates[-1] - ask.as_of).days,
        penalty_waiver_percent=fig.share(penalty_waived, owed.penalty_minor, ROUND_UP),
        discount_percent=fig.share(discount, owed_minor - owed.penalty_minor, ROUND_UP),
    )
    terms = _terms(ask, ArrangementKind.SETTLEMENT, instalments)
    return _made(ask, terms, proposal, owed_minor, owed_minor - accepted, (None,) * count)


def _extension(ask: _Ask, owed: _Owed) -> Quote:
    r = ask.request
    problems: Problems = []
    days = fig.count("days", r.days, 1, problems)
    fee = 0 if r.fee_major is None else ask.minor("fee", r.fee_major, problems)
    if fee < 0:
        problems.append(("fee", f"cannot be negative, got {r.fee_major}"))
    target = _extended(ask, owed, problems)
    if target is not None and target.due_date + timedelta(days=days) <= ask.as_of:
        moved_to = target.due_date + timedelta(days=days)
        problems.append(
            ("days", Reason("extension.still_past",
                            f"instalment {target.seq} due {target.due_date} moved {days} days"
                            f" falls due on {moved_to}, not after {ask.as_of}",
                            seq=target.seq, due=target.due_date, days=days, moved_to=moved_to,
                            today=ask.as_of))
        )  # fmt: skip
    refuse(problems)
    assert target is not None
    amount = target.unpaid_minor
    new_date = target.due_date + timedelta(days=days)
    fallen = target.due_date <= ask.as_of  # the replay carries it onto a new instalment
    instalments = (Instalment(new_date, amount + fee),)
    proposal = ask.proposal(
        ArrangementKind.EXTENSION,
        instalments=1,
        days=days,
        fee_waived=fee == 0,
    )
    terms = _terms(
        ask, ArrangementKind.EXTENSION, instalments,
        fee_minor=fee, extend_seq=target.seq, extend_days=days,
    )  # fmt: skip
    return _made(ask, terms, proposal, amount, 0, (None if fallen else target.seq,))


def _extended(ask: _Ask, owed: _Owed, problems: Problems) -> InstallmentState | None:
    """The instalment asked for; by default the oldest fallen unpaid one, else the next."""
    seq = ask.request.seq
    if seq is None:
        unpaid = [*owed.fallen, *(i for i in owed.future if i.unpaid_minor > 0)]
        if not unpaid:
            problems.append(
                ("seq", Reason("extension.nothing_unpaid",
                               f"loan {ask.state.loan_id} has no unpaid instalment",
                               loan_id=ask.state.loan_id))
            )  # fmt: skip
        return unpaid[0] if unpaid else None
    found = next((i for i in ask.state.installments if i.seq == seq), None)
    if found is None or found.unpaid_minor <= 0:
        state = "has no instalment" if found is None else "has nothing unpaid on instalment"
        code = "extension.no_instalment" if found is None else "extension.instalment_paid"
        problems.append(
            ("seq", Reason(code, f"loan {ask.state.loan_id} {state} {seq}",
                           loan_id=ask.state.loan_id, seq=seq))
        )  # fmt: skip
        return None
    return found


def _reage(ask: _Ask, owed: _Owed) -> Quote:
    r = ask.request
    problems: Problems = []
    months = fig.count("term_months", r.term_months, 1, problems)
    rate = ask.terms.annual_rate_percent if r.annual_rate_percent is None else r.annual_rate_percent
    if not rate.is_finite() or rate < 0:
        problems.append(("annual_rate_percent", f"must be 0 or more, got {rate}"))
    probation = fig.count("probation", r.probation or DEFAULT_PROBATION, 1, problems)
    first = r.first_date or add_months(ask.as_of, 1)
    if first <= ask.as_of:
        problems.append(("first_date", f"must be after {ask.as_of}, got {first}"))
    waiver = fig.waiver(r.waive_penalty_percent, owed.penalty_minor, problems)
    principal = owed.fallen_minor - waiver + owed.future_principal_minor
    if principal <= 0:
        problems.append(("kind", f"loan {ask.state.loan_id} has nothing outstanding to re-age"))
    refuse(problems)
    method = r.method or ask.terms.method
    schedule = build_schedule(
        method, principal, rate, months, ask.terms.rounding, ask.as_of, first
    )  # the replay's call: starts on the day, no business-day calendar
    instalments = tuple(Instalment(i.due_date, i.installment_minor) for i in schedule)
    proposal = ask.proposal(
        ArrangementKind.REAGE,
        instalments=len(instalments),
        days=(instalments[-1].due_date - ask.as_of).days,
        penalty_waiver_percent=fig.share(waiver, owed.penalty_minor, ROUND_UP),
        term_months=months,
        annual_rate_percent=rate,
    )
    reage = ReageTerms(months, rate, first, method, probation)
    terms = _terms(
        ask, ArrangementKind.REAGE, instalments, penalty_waiver_minor=waiver, reage=reage
    )
    owed_minor = owed.fallen_minor + owed.future_principal_minor
    return _made(ask, terms, proposal, owed_minor, waiver, (None,) * len(instalments))


def _pause(ask: _Ask, owed: _Owed) -> Quote:
    r = ask.request
    problems: Problems = []
    days = fig.count("days", r.days, 1, problems)
    refuse(problems)
    moved = [(i.seq, i.due_date + timedelta(days=days), i.unpaid_minor) for i in owed.future]
    extra = 0
    if r.accrues_interest and moved:  # the replay's charge, on the first instalment moved
        extra = round_ratio(
            ask.state.outstanding_principal_minor * int(ask.terms.annual_rate_percent * 10_000)
            * days,
            100 * 10_000 * ask.rules.penalty_day_basis,
            ask.terms.rounding,
        )  # fmt: skip
        seq, due, amount = moved[0]
        moved[0] = (seq, due, amount + extra)
    kept = [m for m in moved if m[2] > 0]
    instalments = tuple(Instalment(due, amount) for _, due, amount in kept)
    # a pause asks for no payment of its own
    proposal = ask.proposal(ArrangementKind.PAUSE, instalments=0, days=days)
    terms = _terms(
        ask, ArrangementKind.PAUSE, instalments,
        pause_days=days, pause_accrues_interest=bool(r.accrues_interest),
    )  # fmt: skip
    owed_minor = sum(i.unpaid_minor for i in owed.future)
    return _made(ask, terms, proposal, owed_minor, 0, tuple(seq for seq, _, _ in kept))


def _promise(ask: _Ask, owed: _Owed) -> Quote:
    r = ask.request
    problems: Problems = []
    amount = 0
    if r.amount_major is None:
        problems.append(("amount", "a promise needs the amount promised"))
    else:
        amount = ask.minor("amount", r.amount_major, problems)
        if amount <= 0 and not problems:
            problems.append(("amount", f"must be more than 0, got {r.amount_major}"))
    due = r.first_date or ask.as_of + timedelta(days=DEFAULT_FIRST_DATE_DAYS)
    latest = ask.as_of + timedelta(days=MAX_PROMISE_DAYS)
    if not ask.as_of <= due <= latest:
        problems.append(("first_date", f"a promise is due from {ask.as_of} to {latest}, not {due}"))
    refuse(problems)
    instalments = (Instalment(due, amount),)
    proposal = ask.proposal(ArrangementKind.PROMISE, instalments=1, days=(due - ask.as_of).days)
    terms = _terms(ask, ArrangementKind.PROMISE, instalments)
    return _made(ask, terms, proposal, owed.fallen_minor, 0, (None,))


_MAKERS = {
    ArrangementKind.PROMISE: _promise,
    ArrangementKind.EXTENSION: _extension,
    ArrangementKind.PLAN: _plan,
    ArrangementKind.SETTLEMENT: _settlement,
    ArrangementKind.REAGE: _reage,
    ArrangementKind.PAUSE: _pause,
}


# -- pieces ---------------------------------------------------------------------------
def _terms(
    ask: _Ask, kind: ArrangementKind, instalments: tuple[Instalment, ...], **kind_terms: Any
) -> ArrangementTerms:
    return replace(ArrangementTerms(QUOTE_ID, 1, kind, ask.as_of, instalments), **kind_terms)


def _made(
    ask: _Ask,
    terms: ArrangementTerms,
    proposal: Proposal,
    owed_minor: int,
    waived_minor: int,
    own_seqs: tuple[int | None, ...],
) -> Quote:
    total = sum(i.amount_minor for i in terms.instalments)
    return Quote(
        kind=terms.kind,
        as_of=ask.as_of,
        currency=ask.state.currency,
        instalments=terms.instalments,
        total_to_pay_minor=total,
        waived_minor=waived_minor,
        fee_minor=terms.fee_minor,
        owed_minor=owed_minor,
        terms=terms,
        proposal=proposal,
        own_seqs=own_seqs,
    )
