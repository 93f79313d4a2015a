"""Repayment arrangements: quoting one and making it (deciding on one pending, or
cancelling one: ``services.arrangement_decisions``; reading: ``arrangement_views``).

A quote (``domain.arrangement_quoting``) is judged by the arrangement policy active
for the loan's product (``services.arrangement_policies``): inside every limit it
is made ``active`` at once and takes effect at the end of the quote's day; beyond a
limit it waits, ``pending``, for the role the policy names, and takes effect at the
end of the day it is approved. A kind the policy does not offer is refused. With no
policy active for the product, every arrangement waits for a manager.

A loan has at most one arrangement pending or active. A promise to pay is the
simplest arrangement and keeps its own table: its kind is handed to
``services.promises``. Whatever starts or ends an arrangement marks the loan for the
next daily cycle to replay from that day (``uow.arrangements.mark_for_rebuild``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from arrears.domain.arrangement_figures import QuoteRefused
from arrears.domain.arrangement_policy import (
    ArrangementKind,
    Verdict,
    judge,
    kind_reason,
    kind_words,
)
from arrears.domain.arrangement_quotes import ArrangementRequest, Quote
from arrears.domain.arrangement_quoting import quote
from arrears.domain.arrangements import ArrangementStatus, ArrangementTerms
from arrears.domain.contacts import PromiseSource
from arrears.domain.loan_state import LoanState, loan_state
from arrears.domain.reasons import Reason
from arrears.domain.terms import LoanTerms
from arrears.services import promises
from arrears.services.arrangement_decisions import (
    NO_POLICY_APPROVER,
    approve_arrangement,
    cancel_arrangement,
    check_name,
    reject_arrangement,
)
from arrears.services.arrangement_effects import Effects, took_effect
from arrears.services.arrangement_policies import policy_for
from arrears.services.arrangement_views import (
    ArrangementView,
    list_arrangements,
    show_arrangement,
    view_of,
)
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.ports import ArrangementInstalmentRow, ArrangementRecord, UnitOfWork
from arrears.services.strategies import arm_of_loan

__all__ = [
    "ArrangementView",
    "QuoteResult",
    "approve_arrangement",
    "cancel_arrangement",
    "create_arrangement",
    "list_arrangements",
    "quote_arrangement",
    "reject_arrangement",
    "show_arrangement",
]

MAX_ID_LENGTH = 64  # arrangement.arrangement_id
MAX_NAME_LENGTH = 64  # arrangement.created_by
YEAR_DAYS = 365  # the policy's per_year counts the arrangements of the last 365 days


@dataclass(frozen=True, slots=True)
class QuoteResult:
    loan_id: str
    borrower_id: str
    quote: Quote
    verdict: Verdict
    policy: str | None  # the name and version of the policy that judged it
    policy_version: int | None


@dataclass(frozen=True, slots=True)
class _Loan:
    terms: LoanTerms  # with the rate and method a kept re-age left it on
    state: LoanState
    borrower_id: str


def quote_arrangement(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    as_of: date,
) -> QuoteResult:
    """What the arrangement would be if it took effect at the end of ``as_of``, and the
    policy's verdict on it. Nothing is stored."""
    with uow_factory() as uow:
        loan = _loan(uow, loan_id, as_of)
        if kind != ArrangementKind.PROMISE:
            _refuse_second(uow, loan_id)
        return _quoted(uow, loan_id, loan, kind, request, as_of)


NO_EFFECTS = Effects()  # no confirmation letters (tests, scripts); hardship holds still set


def create_arrangement(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    as_of: date,
    now: datetime,
    source: str = "cli",
    created_by: str | None = None,
    arrangement_id: str | None = None,
    effects: Effects = NO_EFFECTS,
) -> ArrangementView:
    """Make the quoted arrangement: ``active`` from the end of ``as_of`` when it is
    within policy, else ``pending`` approval.

    ``arrangement_id`` is an idempotency key: the same id with the same loan, kind,
    date and request returns the arrangement made and changes nothing; with another
    payload it is a ``Conflict``. Refused: a kind the policy does not offer, or a
    request the quote cannot be made from (``InvalidInput``); a loan with an
    arrangement pending or active (``Conflict``).
    """
    check_name("arrangement id", arrangement_id, MAX_ID_LENGTH)
    check_name("created by", created_by, MAX_NAME_LENGTH)
    source_value = _source(source)
    if kind == ArrangementKind.PROMISE:
        return _make_promise(uow_factory, loan_id, request, as_of, now, source, arrangement_id)
    payload = _payload(as_of, request)
    with uow_factory() as uow:
        if uow.contacts.loan_parties(loan_id, lock=True) is None:  # one maker at a time
            raise NotFound(f"no loan {loan_id} is stored", code="loan.not_found", loan_id=loan_id)
        first = None if arrangement_id is None else uow.arrangements.get(arrangement_id)
        if first is not None:
            return _repeated(uow, first, loan_id, kind, payload)
        _refuse_second(uow, loan_id)
        loan = _loan(uow, loan_id, as_of)
        result = _quoted(uow, loan_id, loan, kind, request, as_of)
        verdict = result.verdict
        if not verdict.allowed:
            raise InvalidInput(refusal(verdict.reasons))
        number = uow.arrangements.next_number(loan_id)
        made_id = arrangement_id or f"ARR-{uuid4().hex[:16]}"
        terms = dataclasses.replace(result.quote.terms, arrangement_id=made_id, number=number)
        status = ArrangementStatus.ACTIVE if verdict.within_policy else ArrangementStatus.PENDING
        terms_json = uow.arrangements.encode_terms(terms, payload)
        arm = arm_of_loan(uow, loan_id)
        record = _record(result, terms, status, terms_json, arm, str(source_value), created_by)
        record = record._replace(bucket=loan.state.bucket, dpd=loan.state.dpd)
        uow.arrangements.insert(record, _instalment_rows(result.quote, number), now)
        if status is ArrangementStatus.ACTIVE:
            took_effect(uow, record, as_of, now, effects)
        uow.commit()
        view = view_of(uow, made_id)
    assert view is not None
    return view


# -- the loan and the quote ---------------------------------------------------------------
def _loan(uow: UnitOfWork, loan_id: str, as_of: date) -> _Loan:
    ledger = uow.ledger
    terms = ledger.loan_terms([loan_id]).get(loan_id)
    parties = uow.contacts.loan_parties(loan_id)
    if terms is None or parties is None:
        raise NotFound(f"no loan {loan_id} is stored", code="loan.not_found", loan_id=loan_id)
    rules = ledger.product_rules(terms.product)
    arranged = ledger.arrangement_terms([loan_id]).get(loan_id, ())
    state = loan_state(
        terms,
        rules,
        ledger.standing_payments([loan_id]).get(loan_id, []),
        as_of,
        ledger.installments([loan_id])[loan_id],
        arranged,
    )
    return _Loan(_current_terms(terms, arranged, state), state, parties[0])


def _current_terms(
    terms: LoanTerms, arranged: Sequence[ArrangementTerms], state: LoanState
) -> LoanTerms:
    """The loan's terms with the rate and method of the last re-age that stands (one
    broken or cancelled gave the loan back its own)."""
    standing = {
        o.arrangement_id
        for o in state.arrangements
        if o.status in (ArrangementStatus.ACTIVE, ArrangementStatus.KEPT)
    }
    for made in arranged:
        if made.reage is not None and made.arrangement_id in standing:
            terms = dataclasses.replace(
                terms, annual_rate_percent=made.reage.annual_rate_percent, method=made.reage.method
            )
    return terms


def _quoted(
    uow: UnitOfWork,
    loan_id: str,
    loan: _Loan,
    kind: str,
    request: ArrangementRequest,
    as_of: date,
) -> QuoteResult:
    terms = loan.terms
    rules = uow.ledger.product_rules(terms.product)
    try:
        quoted = quote(kind, request, loan.state, terms, rules, as_of)
    except QuoteRefused as refused:
        raise InvalidInput(
            f"cannot quote {kind_words(kind)} on loan {loan_id}: {refused}",
            code="arrangement.cannot_quote", kind=kind_reason(kind), loan_id=loan_id,
            problems=refused.reason,
        ) from None  # fmt: skip
    since = as_of - timedelta(days=YEAR_DAYS - 1)
    this_year = uow.arrangements.count_made_since(loan.borrower_id, since)
    proposal = dataclasses.replace(quoted.proposal, arrangements_this_year=this_year)
    quoted = dataclasses.replace(quoted, proposal=proposal)
    stored = policy_for(uow, terms.product)
    if stored is None:
        reason = Reason(
            "arrangement.no_policy",
            f"no arrangement policy is active for product {terms.product}",
            product=terms.product,
        )
        verdict = Verdict(True, False, str(NO_POLICY_APPROVER), (reason,))
        return QuoteResult(loan_id, loan.borrower_id, quoted, verdict, None, None)
    verdict = judge(stored.policy, proposal)
    return QuoteResult(loan_id, loan.borrower_id, quoted, verdict, stored.name, stored.version)


def _refuse_second(uow: UnitOfWork, loan_id: str) -> None:
    in_force = uow.arrangements.in_force(loan_id)
    if in_force:
        other = in_force[0]
        raise Conflict(
            f"loan {loan_id} already has {'an' if other.status == 'active' else 'a'} {other.status}"
            f" {other.kind} {other.arrangement_id}"
            f" (quoted on {other.quoted_on}); cancel it first",
            code=f"arrangement.already_{other.status}", loan_id=loan_id,
            kind=kind_reason(other.kind), arrangement_id=other.arrangement_id,
            quoted_on=other.quoted_on,
        )  # fmt: skip


def refusal(reasons: Sequence[str]) -> Reason:
    """The policy's reasons for refusing, in one (coded) message."""
    return Reason("arrangement.refused", "; ".join(reasons), all=tuple(reasons))


# -- making ------------------------------------------------------------------------------
def _payload(as_of: date, request: ArrangementRequest) -> dict[str, object]:
    """What a repeated id must match: the date and every field asked for, as text."""
    asked = {
        name: _text(value)
        for name, value in dataclasses.asdict(request).items()
        if value is not None
    }
    return {"as_of": as_of.isoformat(), "request": asked}


def _text(value: object) -> str:
    """A field as text; 300, 300.0 and 300.00 are the same amount."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _record(
    result: QuoteResult,
    terms: ArrangementTerms,
    status: ArrangementStatus,
    terms_json: str,
    arm: str | None,
    source: str,
    created_by: str | None,
) -> ArrangementRecord:
    q, verdict = result.quote, result.verdict
    active = status is ArrangementStatus.ACTIVE
    return ArrangementRecord(
        arrangement_id=terms.arrangement_id,
        loan_id=result.loan_id,
        borrower_id=result.borrower_id,
        number=terms.number,
        kind=str(q.kind),
        status=str(status),
        currency=q.currency,
        quoted_on=q.as_of,
        starts_on=q.as_of if active else None,
        ends_on=None,
        total_minor=q.total_to_pay_minor,
        waived_minor=q.waived_minor,
        fee_minor=q.fee_minor,
        paid_minor=0,
        terms_json=terms_json,
        policy=result.policy,
        policy_version=result.policy_version,
        reasons=verdict.reasons,
        needs_approval_by=None if active else verdict.needs_approval_by,
        decided_by=None,
        decided_at=None,
        arm=arm,
        source=source,
        created_by=created_by,
        note=None,
    )


def _instalment_rows(q: Quote, number: int) -> list[ArrangementInstalmentRow]:
    seqs = q.instalment_seqs(number)
    return [
        ArrangementInstalmentRow(seq, i.due_date, i.amount_minor)
        for seq, i in zip(seqs, q.instalments, strict=True)
    ]


def _repeated(
    uow: UnitOfWork, first: ArrangementRecord, loan_id: str, kind: str, payload: dict[str, object]
) -> ArrangementView:
    """The arrangement an id already made, if asked for again with the same payload."""
    stored = json.loads(first.terms_json)
    asked_before = {key: stored.get(key) for key in payload}
    if (first.loan_id, first.kind, asked_before) != (loan_id, kind, payload):
        raise Conflict(
            f"arrangement id {first.arrangement_id} is already used for {kind_words(first.kind)} on loan"
            f" {first.loan_id} quoted on {first.quoted_on}",
            code="arrangement.key_used", kind=kind_reason(first.kind), loan_id=first.loan_id,
            quoted_on=first.quoted_on,
        )  # fmt: skip
    view = view_of(uow, first.arrangement_id)
    assert view is not None
    return view


def _make_promise(
    uow_factory: Callable[[], UnitOfWork],
    loan_id: str,
    request: ArrangementRequest,
    as_of: date,
    now: datetime,
    source: str,
    promise_id: str | None,
) -> ArrangementView:
    """A promise is recorded by ``services.promises`` once the policy allows it. It cannot
    wait for approval, so one beyond the limits is refused. A repeated id is left to
    ``add_promise``, which returns it or refuses another payload."""
    with uow_factory() as uow:
        repeated = promise_id is not None and uow.contacts.promise(promise_id) is not None
        loan = _loan(uow, loan_id, as_of)
        result = _quoted(uow, loan_id, loan, ArrangementKind.PROMISE, request, as_of)
    verdict = result.verdict
    if not verdict.within_policy and not repeated:
        wait = " (a promise cannot wait for approval)" if verdict.allowed else ""
        raise InvalidInput("; ".join(verdict.reasons) + wait)
    (due,) = result.quote.instalments
    assert request.amount_major is not None
    made = promises.add_promise(
        uow_factory, loan_id, request.amount_major, due.due_date, as_of, now, source, promise_id
    )
    with uow_factory() as uow:
        view = view_of(uow, made)
    assert view is not None
    return view


def _source(source: str) -> PromiseSource:
    try:
        return PromiseSource(source)
    except ValueError:
        allowed = ", ".join(s.value for s in PromiseSource)
        raise InvalidInput(f"{source!r} is not an arrangement source ({allowed})") from None
