"""``/api/v1`` for collections: a day's actions, promises to pay, arrangements (quote,
create, list, approve, reject)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.domain.contacts import Promise
from arrears.domain.money import format_major
from arrears.domain.terms import RepaymentMethod
from arrears.entrypoints.web.api.schemas import (
    ActionOut,
    ActionsOut,
    ArrangementAskIn,
    ArrangementIn,
    ArrangementInstalmentOut,
    ArrangementOut,
    Day,
    PromiseIn,
    PromiseOut,
    QuoteInstalmentOut,
    QuoteOut,
)
from arrears.entrypoints.web.deps import AppDep, ManagerUser, OperationsUser
from arrears.entrypoints.web.security import now
from arrears.services import arrangement_decisions, arrangement_views, arrangements, promises
from arrears.services.arrangement_views import ArrangementView
from arrears.services.cycle_actions import actions_of_day
from arrears.services.errors import InvalidInput, NotFound

router = APIRouter(tags=["collections"])


@router.get("/actions", response_model=ActionsOut)
def actions(
    app: AppDep, _: OperationsUser, day: Annotated[Day | None, Query(alias="date")] = None,
    channel: str | None = None, limit: Annotated[int | None, Query(ge=1, le=10000)] = None,
) -> ActionsOut:  # fmt: skip
    """A cycle day's actions (default: the last run) in work-queue order, each with its
    arm, step and the gate's decision — as `arrears actions`."""
    chosen, rows = actions_of_day(app.uow_factory, day, channel, limit)
    return ActionsOut(day=chosen, actions=[_action(r) for r in rows])


def _action(r: dict[str, Any]) -> ActionOut:
    earliest = r.get("earliest_at")
    return ActionOut(
        action_id=r.get("action_id"), loan_id=r["loan_id"], borrower_id=r.get("borrower_id"),
        channel=r["channel"], step=r.get("step"), template=r.get("template"),
        priority=r["priority"], overdue=format_major(r["overdue_minor"], r["currency"]),
        currency=r["currency"], segment=r.get("segment"), arm=r.get("arm"), status=r["status"],
        rule_id=r.get("rule_id"), earliest_at=earliest.isoformat() if earliest else None,
    )  # fmt: skip


@router.post("/promises", response_model=PromiseOut, status_code=201)
def add_promise(promise: PromiseIn, app: AppDep, user: OperationsUser) -> PromiseOut:
    """Record a promise to pay; ``promise_id`` makes a retry safe."""
    made = promises.add_promise(
        app.uow_factory, promise.loan_id, promise.amount, promise.due_date, app.today(), now(),
        source="api", promise_id=promise.promise_id,
    )  # fmt: skip
    found = [
        p for p in promises.list_promises(app.uow_factory, promise.loan_id) if p.promise_id == made
    ]
    return _promise(found[0])


@router.get("/loans/{loan_id}/promises", response_model=list[PromiseOut])
def loan_promises(
    loan_id: str, app: AppDep, _: OperationsUser, status: str | None = None
) -> list[PromiseOut]:
    """A loan's promises to pay, oldest first."""
    return [_promise(p) for p in promises.list_promises(app.uow_factory, loan_id, status)]


@router.post("/arrangements/quote", response_model=QuoteOut)
def quote(ask: ArrangementAskIn, app: AppDep, _: OperationsUser) -> QuoteOut:
    """What the arrangement would be and the policy's verdict; nothing is stored."""
    result = arrangements.quote_arrangement(
        app.uow_factory, ask.loan_id, ask.kind, _request(ask), ask.as_of or app.today()
    )
    q, c = result.quote, result.quote.currency
    return QuoteOut(
        loan_id=result.loan_id, kind=str(q.kind), currency=c,
        instalments=[QuoteInstalmentOut(due_date=i.due_date, amount=format_major(i.amount_minor, c))
                     for i in q.instalments],
        total_to_pay=format_major(q.total_to_pay_minor, c), waived=format_major(q.waived_minor, c),
        fee=format_major(q.fee_minor, c), within_policy=result.verdict.within_policy,
        needs_approval_by=result.verdict.needs_approval_by, reasons=list(result.verdict.reasons),
    )  # fmt: skip


@router.post("/arrangements", response_model=ArrangementOut, status_code=201)
def create(ask: ArrangementIn, app: AppDep, user: OperationsUser) -> ArrangementOut:
    """Make an arrangement: active at once within policy, else pending approval.
    ``arrangement_id`` is an idempotency key."""
    from arrears.entrypoints.channels import arrangement_effects

    made = arrangements.create_arrangement(
        app.uow_factory, ask.loan_id, ask.kind, _request(ask), ask.as_of or app.today(), now(),
        "api", user.username, ask.arrangement_id, effects=arrangement_effects(app.settings),
    )  # fmt: skip
    return _arrangement(made)


@router.get("/arrangements", response_model=list[ArrangementOut])
def list_arrangements(
    app: AppDep, _: OperationsUser, loan_id: str | None = None, status: str | None = None,
    kind: str | None = None,
) -> list[ArrangementOut]:  # fmt: skip
    """Arrangements (promises among them) of a loan, in a status and/or of a kind."""
    records = arrangement_views.list_arrangements(app.uow_factory, loan_id, status, kind)
    with app.uow() as uow:
        views = [arrangement_views.view_of(uow, r.arrangement_id) for r in records]
    return [_arrangement(v) for v in views if v is not None]


@router.get("/arrangements/{arrangement_id}", response_model=ArrangementOut)
def show_arrangement(arrangement_id: str, app: AppDep, _: OperationsUser) -> ArrangementOut:
    with app.uow() as uow:
        view = arrangement_views.view_of(uow, arrangement_id)
    if view is None:
        raise NotFound(f"no arrangement {arrangement_id}")
    return _arrangement(view)


@router.post("/arrangements/{arrangement_id}/approve", response_model=ArrangementOut)
def approve(arrangement_id: str, app: AppDep, user: ManagerUser) -> ArrangementOut:
    """Approve a pending arrangement as the signed-in manager (or admin)."""
    from arrears.entrypoints.channels import arrangement_effects

    arrangement_decisions.approve_arrangement(
        app.uow_factory, arrangement_id, user.username, _approver(user.role), app.today(), now(),
        effects=arrangement_effects(app.settings),
    )  # fmt: skip
    return show_arrangement(arrangement_id, app, user)


@router.post("/arrangements/{arrangement_id}/reject", response_model=ArrangementOut)
def reject(arrangement_id: str, app: AppDep, user: ManagerUser) -> ArrangementOut:
    """Reject a pending arrangement: it never takes effect."""
    arrangement_decisions.reject_arrangement(
        app.uow_factory, arrangement_id, user.username, app.today(), now()
    )
    return show_arrangement(arrangement_id, app, user)


def _approver(role: str) -> str:
    """The arrangement policy's approver role for a user's role."""
    return "admin" if role == "admin" else "compliance" if role == "compliance" else "manager"


def _request(ask: ArrangementAskIn) -> ArrangementRequest:
    try:
        method = RepaymentMethod(ask.method) if ask.method else None
    except ValueError:
        raise InvalidInput(f"{ask.method!r} is not a repayment method") from None
    return ArrangementRequest(
        instalments=ask.instalments, first_date=ask.first_date, every_days=ask.every_days,
        down_payment_major=ask.down_payment, waive_penalty_percent=ask.waive_penalty_percent,
        seq=ask.seq, days=ask.days, fee_major=ask.fee, amount_major=ask.amount,
        discount_percent=ask.discount_percent, term_months=ask.term_months,
        annual_rate_percent=ask.annual_rate_percent, method=method, probation=ask.probation,
        accrues_interest=ask.accrues_interest,
    )  # fmt: skip


def _promise(p: Promise) -> PromiseOut:
    c = p.currency
    return PromiseOut(
        promise_id=p.promise_id, loan_id=p.loan_id, currency=c,
        amount=format_major(p.amount_minor, c), due_date=p.due_date, made_on=p.made_on,
        status=str(p.status), paid=None if p.paid_minor is None else format_major(p.paid_minor, c),
        source=str(p.source), arm=p.arm,
    )  # fmt: skip


def _arrangement(view: ArrangementView) -> ArrangementOut:
    r, c = view.record, view.record.currency
    return ArrangementOut(
        arrangement_id=r.arrangement_id, loan_id=r.loan_id, borrower_id=r.borrower_id,
        kind=r.kind, status=r.status, currency=c, quoted_on=r.quoted_on, starts_on=r.starts_on,
        ends_on=r.ends_on, total_to_pay=format_major(r.total_minor, c),
        waived=format_major(r.waived_minor, c), fee=format_major(r.fee_minor, c),
        paid=format_major(r.paid_minor, c), policy=r.policy, policy_version=r.policy_version,
        needs_approval_by=r.needs_approval_by, reasons=list(r.reasons), decided_by=r.decided_by,
        source=r.source, created_by=r.created_by,
        instalments=[
            ArrangementInstalmentOut(seq=i.seq, due_date=i.due_date,
                                     amount=format_major(i.amount_minor, c), status=i.status,
                                     paid=format_major(i.paid_minor, c))
            for i in view.instalments
        ],
    )  # fmt: skip
