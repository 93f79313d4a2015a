"""Deciding on arrangements: approving or rejecting one pending, cancelling one.

Approval is by role (``domain.arrangement_policy.Role``): the role an arrangement waits
for, or one ranking above it (agent < manager < admin); compliance approves only what
waits for compliance, and an admin anything. An arrangement starts or ends at the end
of the day decided, and the loan is marked for the next daily cycle to replay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from arrears.domain.arrangement_policy import ArrangementKind, Role, role_words
from arrears.domain.arrangements import ArrangementStatus
from arrears.domain.loan_state import loan_state
from arrears.services import promises
from arrears.services.arrangement_effects import Effects, took_effect, undone
from arrears.services.errors import Conflict, InvalidInput, NotFound
from arrears.services.ports import ArrangementRecord, UnitOfWork

MAX_NAME_LENGTH = 64  # arrangement.decided_by
NO_POLICY_APPROVER = Role.MANAGER  # who approves when no policy named anyone
_RANK = {Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3}
NO_EFFECTS = Effects()


def approve_arrangement(
    uow_factory: Callable[[], UnitOfWork],
    arrangement_id: str,
    by: str,
    role: str,
    today: date,
    now: datetime,
    effects: Effects = NO_EFFECTS,
) -> ArrangementRecord:
    """Approve a pending arrangement: active from the end of ``today``.

    ``role`` must be the one the arrangement waits for, or rank above it (agent <
    manager < admin; compliance approves what waits for compliance). A quote whose
    first date has come is stale and is refused: quote it again.
    """
    check_name("approver", by, MAX_NAME_LENGTH, required=True)
    acting = _role(role)
    with uow_factory() as uow:
        record = _pending(uow, arrangement_id, "approved")
        needed = record.needs_approval_by or NO_POLICY_APPROVER
        if not _may_approve(acting, needed):
            raise InvalidInput(
                f"arrangement {arrangement_id} needs approval by {role_words(needed)};"
                f" {role_words(acting)} may not approve it"
            )
        rows = uow.arrangements.instalments(arrangement_id)
        if record.kind != ArrangementKind.PAUSE and rows and rows[0].due_date <= today:
            raise Conflict(
                f"arrangement {arrangement_id} was quoted on {record.quoted_on} with its first"
                f" instalment due {rows[0].due_date}, not after {today}: reject it and quote"
                " again"
            )
        uow.contacts.loan_parties(record.loan_id, lock=True)
        uow.arrangements.set_status(
            arrangement_id, ArrangementStatus.ACTIVE, was=ArrangementStatus.PENDING,
            starts_on=today, decided_by=by, decided_at=now,
        )  # fmt: skip
        took_effect(uow, _must_get(uow, arrangement_id), today, now, effects)
        uow.commit()
        return _must_get(uow, arrangement_id)


def reject_arrangement(
    uow_factory: Callable[[], UnitOfWork],
    arrangement_id: str,
    by: str,
    today: date,
    now: datetime,
) -> ArrangementRecord:
    """Reject a pending arrangement; it never takes effect."""
    check_name("rejecter", by, MAX_NAME_LENGTH, required=True)
    with uow_factory() as uow:
        _pending(uow, arrangement_id, "rejected")
        uow.arrangements.set_status(
            arrangement_id, ArrangementStatus.REJECTED, was=ArrangementStatus.PENDING,
            ends_on=today, decided_by=by, decided_at=now,
        )  # fmt: skip
        uow.commit()
        return _must_get(uow, arrangement_id)


def cancel_arrangement(
    uow_factory: Callable[[], UnitOfWork],
    arrangement_id: str,
    today: date,
    now: datetime,
    effects: Effects = NO_EFFECTS,
) -> bool:
    """Cancel an arrangement; True if cancelled, False if it already was.

    A pending one is withdrawn with no effect; an active one ends at the end of
    ``today``, when the replay gives the loan back its original obligations, less
    what was paid. Kept, broken or rejected is history (``Conflict``). The id of a
    promise to pay cancels the promise.
    """
    with uow_factory() as uow:
        record = uow.arrangements.get(arrangement_id)
        if record is None:
            if uow.contacts.promise(arrangement_id) is None:
                raise NotFound(f"no arrangement {arrangement_id} is stored")
            is_promise = True
        else:
            is_promise = False
            status = ArrangementStatus(record.status)
            if status is ArrangementStatus.CANCELLED:
                return False
            if status not in (ArrangementStatus.PENDING, ArrangementStatus.ACTIVE):
                raise Conflict(
                    f"arrangement {arrangement_id} was already {status} on {record.ends_on}"
                )
            uow.contacts.loan_parties(record.loan_id, lock=True)
            if status is ArrangementStatus.ACTIVE:
                _refuse_if_already_over(uow, record, today)
            changed = uow.arrangements.set_status(
                arrangement_id, ArrangementStatus.CANCELLED, was=status, ends_on=today
            )
            if not changed:
                raise Conflict(f"arrangement {arrangement_id} changed meanwhile; try again")
            if status is ArrangementStatus.ACTIVE:
                undone(uow, record, today, now, effects)
            uow.commit()
    if is_promise:
        return promises.cancel_promise(uow_factory, arrangement_id, today)
    return True


def _refuse_if_already_over(uow: UnitOfWork, record: ArrangementRecord, today: date) -> None:
    """An arrangement the replay finds kept or broken by the end of yesterday is history,
    even if no cycle has recorded it yet: record it now and refuse (``Conflict``)."""
    yesterday = today - timedelta(days=1)
    ledger = uow.ledger
    terms = ledger.loan_terms([record.loan_id])[record.loan_id]
    state = loan_state(
        terms,
        ledger.product_rules(terms.product),
        ledger.standing_payments([record.loan_id]).get(record.loan_id, []),
        yesterday,
        ledger.installments([record.loan_id]).get(record.loan_id, ()),
        ledger.arrangement_terms([record.loan_id]).get(record.loan_id, ()),
    )
    for outcome in state.arrangements:
        if outcome.arrangement_id == record.arrangement_id and outcome.status in (
            ArrangementStatus.KEPT,
            ArrangementStatus.BROKEN,
        ):
            uow.arrangements.record_outcomes([outcome])
            uow.commit()
            raise Conflict(
                f"arrangement {record.arrangement_id} was already {outcome.status}"
                f" on {outcome.ended_on}"
            )


def check_name(what: str, value: str | None, most: int, *, required: bool = False) -> None:
    """A name or id for a column of ``most`` characters: not blank, not too long."""
    if value is None and not required:
        return
    if value is None or not value.strip() or len(value) > most:
        raise InvalidInput(f"the {what} must be 1 to {most} characters")


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"{role!r} is not a role ({allowed})") from None


def _may_approve(role: Role, needed: str) -> bool:
    """agent < manager < admin; compliance approves only what waits for compliance."""
    if role is Role.ADMIN or role == needed:
        return True
    needed_rank = next((rank for r, rank in _RANK.items() if r == needed), None)
    return role in _RANK and needed_rank is not None and _RANK[role] > needed_rank


def _pending(uow: UnitOfWork, arrangement_id: str, verb: str) -> ArrangementRecord:
    record = uow.arrangements.get(arrangement_id)
    if record is None:
        raise NotFound(f"no arrangement {arrangement_id} is stored")
    if record.status != ArrangementStatus.PENDING:
        raise Conflict(
            f"arrangement {arrangement_id} is {record.status}: only a pending one can be {verb}"
        )
    return record


def _must_get(uow: UnitOfWork, arrangement_id: str) -> ArrangementRecord:
    record = uow.arrangements.get(arrangement_id)
    assert record is not None
    return record
