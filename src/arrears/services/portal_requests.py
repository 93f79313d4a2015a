"""What a borrower asks for from the portal: a promise to pay, a repayment arrangement
within the lender's policy, a hardship pause, and a dispute.

Each checks first that the loan is the borrower's own (another's is ``NotFound``), then
hands over to the same services the agent desk and the CLI use, with ``portal`` as the
source — so the policy, the limits and the validation are the same for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arrears.domain.arrangement_policy import ArrangementKind
from arrears.domain.arrangement_quotes import ArrangementRequest
from arrears.services import arrangements, contacts, promises
from arrears.services.arrangement_policies import policy_for
from arrears.services.arrangements import ArrangementView, QuoteResult
from arrears.services.errors import InvalidInput
from arrears.services.portal import require_own_loan
from arrears.services.portal_payments import KEY, minor_units
from arrears.services.ports import UnitOfWork

SOURCE = "portal"
# What a borrower may ask for on their own; a re-age changes the contract and is agreed
# with an agent, a promise has its own form.
REQUESTABLE = (ArrangementKind.PLAN, ArrangementKind.EXTENSION, ArrangementKind.SETTLEMENT)
DISPUTE_FLAG = "dispute"  # the gate holds collection while it is set (HOLD_OF_FLAG)
HARDSHIP_FLAG = "hardship"
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class HardshipOutcome:
    """``pause``: a pause arrangement was requested (see its status); ``flag``: the policy
    offers no pause, so the hardship flag was set for the lender to review."""

    kind: str
    arrangement: ArrangementView | None


def promise_to_pay(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    loan_id: str,
    amount: str | Decimal,
    due_date: date,
    today: date,
    now: datetime,
    key: str | None = None,
) -> str:
    """Record a promise (checked as ``services.promises.add_promise`` checks one: a positive
    exact amount, due today to 30 days ahead, one open promise per loan). Returns its id;
    ``key`` makes a resubmitted form return the same promise."""
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
        currency = uow.ledger.loan_terms([loan_id])[loan_id].currency
    minor_units(amount, currency)  # a clear message for a typo before the shared checks
    promise_id = None if key is None else f"{SOURCE.upper()}-{_key(key)}"
    return promises.add_promise(
        uow_factory, loan_id, Decimal(str(amount).strip()), due_date, today, now,
        source=SOURCE, promise_id=promise_id,
    )  # fmt: skip


def offered_kinds(
    uow_factory: Callable[[], UnitOfWork], borrower_id: str, loan_id: str
) -> list[str]:
    """The arrangements the policy active for the loan's product lets a borrower ask for,
    and ``pause`` when it offers a hardship pause."""
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
        product = uow.ledger.loan_terms([loan_id])[loan_id].product
        stored = policy_for(uow, product)
    if stored is None:
        return []
    kinds = [*REQUESTABLE, ArrangementKind.PAUSE]
    return [
        str(kind) for kind in kinds
        if (limits := stored.policy.limits(kind)) is not None and limits.allowed
    ]  # fmt: skip


def quote(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    today: date,
) -> QuoteResult:
    """What the arrangement would be and the policy's verdict (its reasons in plain
    words when beyond a limit). Nothing is stored."""
    _check_kind(kind)
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
    return arrangements.quote_arrangement(uow_factory, loan_id, kind, request, today)


def accept(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    loan_id: str,
    kind: str,
    request: ArrangementRequest,
    today: date,
    now: datetime,
    key: str,
    username: str,
) -> ArrangementView:
    """Make the quoted arrangement: active at once when within policy, else waiting for the
    approver the policy names; a kind it does not offer is ``InvalidInput`` with the
    policy's reason. The same ``key`` again returns the arrangement made."""
    _check_kind(kind)
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
    return arrangements.create_arrangement(
        uow_factory, loan_id, kind, request, today, now, source=SOURCE,
        created_by=username[:64], arrangement_id=f"{SOURCE.upper()}-{_key(key)}",
    )  # fmt: skip


def ask_hardship(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    loan_id: str,
    days: int,
    reason: str,
    today: date,
    now: datetime,
    key: str,
    username: str,
) -> HardshipOutcome:
    """Ask for a pause of ``days`` where the policy offers one (it waits for its approver
    where the policy says so; once in force it holds contact); else set the hardship
    flag with the reason, which holds contact until the lender has looked at it."""
    text = _reason(reason)
    if ArrangementKind.PAUSE in offered_kinds(uow_factory, borrower_id, loan_id):
        view = arrangements.create_arrangement(
            uow_factory, loan_id, ArrangementKind.PAUSE, ArrangementRequest(days=days),
            today, now, source=SOURCE, created_by=username[:64],
            arrangement_id=f"{SOURCE.upper()}-{_key(key)}",
        )  # fmt: skip
        return HardshipOutcome("pause", view)
    contacts.set_flag(uow_factory, borrower_id, HARDSHIP_FLAG, now, text)
    return HardshipOutcome("flag", None)


def dispute(
    uow_factory: Callable[[], UnitOfWork],
    borrower_id: str,
    loan_id: str,
    reason: str,
    now: datetime,
) -> bool:
    """Dispute a loan: sets the ``dispute`` flag, which the compliance gate turns into a
    hold on collection contact until the lender answers (Reg F 1006.34/38; NIFA's
    complaint handling). True when newly set, False when a dispute was already open."""
    text = _reason(reason)
    with uow_factory() as uow:
        require_own_loan(uow, borrower_id, loan_id)
    return contacts.set_flag(uow_factory, borrower_id, DISPUTE_FLAG, now, f"{loan_id}: {text}")


def _check_kind(kind: str) -> None:
    if kind not in REQUESTABLE:
        words = ", ".join(str(k) for k in REQUESTABLE)
        raise InvalidInput(
            f"{kind!r} cannot be asked for here (one of: {words})",
            code="arrangement.not_requestable", kind=kind,
        )  # fmt: skip


def _key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise InvalidInput(
            "the form key must be 8 to 48 letters, digits, - or _", code="form.bad_key"
        )
    return key


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput("please say why, in a few words", code="reason.missing")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"please keep it under {MAX_REASON} characters", code="reason.too_long", most=MAX_REASON
        )
    return text
